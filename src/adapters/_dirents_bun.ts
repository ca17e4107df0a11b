/**
 * The libc calls of `_dirents.ts` through Bun's FFI (`bun:ffi`), on Linux,
 * when the environment sets `FILESTORE_FFI=1`: Bun's documentation calls
 * `bun:ffi` experimental and not for production, so it is opt-in. Otherwise,
 * or when libc cannot be bound, null, and the node:fs adapter reads
 * directories with `opendir`, which on Bun reads them whole.
 *
 * @module
 */
import process from "node:process";
import type { LibcDirCalls } from "./_dirents.ts";

// The slice of bun:ffi this file uses, typed here for the other runtimes' checks.
interface BunFfi {
  dlopen(path: string, symbols: Record<string, { args: string[]; returns: string }>): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
  ptr(view: Uint8Array): number;
  read: { i32(pointer: number, offset?: number): number };
}

const LIBRARIES = ["libc.so.6", "libc.so"];

function bind(ffi: BunFfi): LibcDirCalls | null {
  for (const library of LIBRARIES) {
    try {
      const lib = ffi.dlopen(library, {
        opendir: { args: ["ptr"], returns: "ptr" },
        dirfd: { args: ["ptr"], returns: "i32" },
        getdents64: { args: ["i32", "ptr", "u64"], returns: "i64" },
        closedir: { args: ["ptr"], returns: "i32" },
        __errno_location: { args: [], returns: "ptr" },
      });
      const symbols = lib.symbols;
      return {
        // The library stays loaded while these calls can be made.
        library: lib,
        open(path) {
          const dir = symbols.opendir(ffi.ptr(path)) as number | null;
          return !dir ? null : { dir, fd: symbols.dirfd(dir) as number };
        },
        getdents: (fd, buffer) => Number(symbols.getdents64(fd, ffi.ptr(buffer), buffer.byteLength)),
        close: (dir) => void symbols.closedir(dir),
        errno() {
          const at = symbols.__errno_location() as number | null;
          return at ? ffi.read.i32(at) : 0;
        },
      };
    } catch {
      // Not this library (musl names it differently).
    }
  }
  return null;
}

let calls: LibcDirCalls | null | undefined;

/** The libc calls for `DirentStream`, bound once; null where this process cannot make them. */
export function libcDirCalls(): LibcDirCalls | null {
  if (calls === undefined) {
    let ffi: BunFfi | undefined;
    try {
      const builtin = (process as unknown as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
      if ("Bun" in globalThis && process.platform === "linux" && process.env.FILESTORE_FFI === "1") {
        ffi = builtin?.("bun:ffi") as BunFfi | undefined;
      }
    } catch {
      ffi = undefined;
    }
    calls = ffi ? bind(ffi) : null;
  }
  return calls;
}
