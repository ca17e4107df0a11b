/**
 * The libc calls of `_dirents.ts` through Deno's FFI. Used only where the
 * process may already load libraries (`--allow-ffi` granted: asking would
 * prompt) and on Linux; elsewhere, or when libc cannot be bound, null, and
 * the Deno adapter reads directories whole as before.
 *
 * @module
 */
import type { LibcDirCalls } from "./_dirents.ts";

// The slice of Deno's FFI this file uses, typed here for the npm build.
type Pointer = object | null;
interface DenoFfi {
  build: { os: string };
  permissions: { querySync(descriptor: { name: "ffi" }): { state: string } };
  stat(path: string): Promise<{ isDirectory: boolean }>;
  dlopen(
    path: string,
    symbols: Record<string, { parameters: string[]; result: string; name?: string; nonblocking?: boolean }>,
  ): {
    symbols: Record<string, (...args: unknown[]) => unknown>;
  };
  UnsafePointerView: new (pointer: object) => { getInt32(offset?: number): number };
}

const LIBRARIES = ["libc.so.6", "libc.so"];

function bind(deno: DenoFfi): LibcDirCalls | null {
  for (const library of LIBRARIES) {
    try {
      const lib = deno.dlopen(library, {
        opendir: { parameters: ["buffer"], result: "pointer" },
        dirfd: { parameters: ["pointer"], result: "i32" },
        getdents64: { parameters: ["i32", "buffer", "usize"], result: "isize" },
        closedir: { parameters: ["pointer"], result: "i32" },
        __errno_location: { parameters: [], result: "pointer" },
        // The same, each on a thread of Deno's own (a promise): for the async form.
        opendir_off: { name: "opendir", parameters: ["buffer"], result: "pointer", nonblocking: true },
        getdents64_off: {
          name: "getdents64",
          parameters: ["i32", "buffer", "usize"],
          result: "isize",
          nonblocking: true,
        },
        closedir_off: { name: "closedir", parameters: ["pointer"], result: "i32", nonblocking: true },
      });
      const symbols = lib.symbols;
      return {
        // The library stays loaded while these calls can be made.
        library: lib,
        open(path) {
          const dir = symbols.opendir(path) as Pointer;
          return dir === null ? null : { dir, fd: symbols.dirfd(dir) as number };
        },
        getdents: (fd, buffer) => Number(symbols.getdents64(fd, buffer, BigInt(buffer.byteLength))),
        close: (dir) => void symbols.closedir(dir),
        errno() {
          const at = symbols.__errno_location() as Pointer;
          return at === null ? 0 : new deno.UnsafePointerView(at).getInt32();
        },
        off: {
          async open(path) {
            const dir = await (symbols.opendir_off(path) as Promise<Pointer>);
            return dir === null ? null : { dir, fd: symbols.dirfd(dir) as number };
          },
          getdents: async (fd, buffer) =>
            Number(await (symbols.getdents64_off(fd, buffer, BigInt(buffer.byteLength)) as Promise<number | bigint>)),
          close: async (dir) => void await (symbols.closedir_off(dir) as Promise<number>),
          failure: (call, path) => failure(deno, call, path),
        },
      };
    } catch {
      // Not this library (musl names it differently), or no FFI here.
    }
  }
  return null;
}

// Why a directory cannot be read, asked of Deno itself (the errno of the
// thread that made the call is out of reach): its error, with its code.
async function failure(deno: DenoFfi, call: string, path: string): Promise<Error> {
  try {
    const info = await deno.stat(path);
    const code = info.isDirectory ? "EIO" : "ENOTDIR";
    return Object.assign(new Error(`${code}: ${call} '${path}' failed`), { code, syscall: call, path });
  } catch (error) {
    return error as Error;
  }
}

let calls: LibcDirCalls | null | undefined;

/** The libc calls for `DirentStream`, bound once; null where this process cannot make them. */
export function libcDirCalls(): LibcDirCalls | null {
  if (calls === undefined) {
    const deno = (globalThis as unknown as { Deno?: DenoFfi }).Deno;
    let allowed = false;
    try {
      allowed = deno !== undefined && deno.build.os === "linux" &&
        deno.permissions.querySync({ name: "ffi" }).state === "granted";
    } catch {
      allowed = false;
    }
    calls = allowed ? bind(deno!) : null;
  }
  return calls;
}
