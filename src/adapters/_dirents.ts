/**
 * A directory stream in constant memory, from getdents64(2), for runtimes
 * whose own readers load a whole directory before the first entry (Deno's
 * `readDir`, Bun's `opendir`: 300,000 entries cost them 226 MiB and 73 MiB).
 * The runtime-specific files (`_dirents_deno.ts`, `_dirents_bun.ts`) bind
 * the few libc calls through their FFI; this file parses what the kernel
 * writes, which is the same struct on every 64-bit Linux (glibc and musl):
 *
 *     u64 d_ino, i64 d_off, u16 d_reclen, u8 d_type, char d_name[] (NUL-terminated)
 *
 * The asynchronous form uses it only where the FFI can make the calls on
 * another thread (Deno): an FFI call blocks its thread, and the event loop
 * must never wait on a slow (network) file system. Elsewhere the async form
 * keeps the runtime's own reader.
 *
 * @module
 */
import { errnoName } from "./_os_codes.ts";
import type { DirEntry, EntryKind } from "../adapter.ts";

/** The libc calls a stream needs, as one runtime's FFI binds them. */
export interface LibcDirCalls {
  /** The loaded library, referenced so that it stays loaded. */
  library: unknown;
  /** opendir(3) and dirfd(3) of a NUL-terminated path; null on failure (see errno). */
  open(path: Uint8Array): { dir: unknown; fd: number } | null;
  /** getdents64(2) into `buffer`: bytes written, 0 at the end, -1 on failure. */
  getdents(fd: number, buffer: Uint8Array): number;
  /** closedir(3). */
  close(dir: unknown): void;
  /** The calling thread's errno. */
  errno(): number;
  /**
   * The same calls on another thread, where the FFI can (Deno's nonblocking
   * symbols), so that a slow file system never blocks the event loop. The
   * errno of that thread is out of reach: `failure` asks the runtime's own
   * API why the directory cannot be read, for an error with the right code.
   */
  off?: {
    open(path: Uint8Array): Promise<{ dir: unknown; fd: number } | null>;
    getdents(fd: number, buffer: Uint8Array): Promise<number>;
    close(dir: unknown): Promise<void>;
    failure(call: string, path: string): Promise<Error>;
  };
}

// d_type values (<dirent.h>); the rest (FIFO, sockets, devices) are "other".
const DT_UNKNOWN = 0, DT_DIR = 4, DT_REG = 8, DT_LNK = 10;
const NAME_OFFSET = 19;
// Enough for hundreds of entries per system call, as glibc's readdir uses.
const BUFFER_BYTES = 32_768;
const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });

function kindOf(type: number): EntryKind {
  switch (type) {
    case DT_REG:
      return "file";
    case DT_DIR:
      return "directory";
    case DT_LNK:
      return "symlink";
    case DT_UNKNOWN:
      return "unknown";
    default:
      return "other";
  }
}

function osError(errno: number, call: string, path: string): Error {
  const code = errnoName(errno) ?? "EIO";
  return Object.assign(new Error(`${code}: ${call} '${path}' failed (os error ${errno})`), {
    code,
    errno: -errno,
    syscall: call,
    path,
  });
}

/** An open directory: entries come out a buffer at a time, so memory stays the same whatever its size. */
export class DirentStream {
  readonly #calls: LibcDirCalls;
  readonly #path: string;
  #dir: unknown;
  readonly #fd: number;
  readonly #buffer = new Uint8Array(BUFFER_BYTES);
  readonly #view = new DataView(this.#buffer.buffer);
  #offset = 0;
  #end = 0;
  #closed = false;

  private constructor(calls: LibcDirCalls, path: string, dir: unknown, fd: number) {
    this.#calls = calls;
    this.#path = path;
    this.#dir = dir;
    this.#fd = fd;
  }

  /** Opens `path`; fails as the runtime's own reader would (ENOENT, ENOTDIR, EACCES...). */
  static open(calls: LibcDirCalls, path: string): DirentStream {
    const opened = calls.open(encoder.encode(`${path}\0`));
    if (opened === null) throw osError(calls.errno(), "opendir", path);
    return new DirentStream(calls, path, opened.dir, opened.fd);
  }

  /** Opens `path` off the event loop's thread; null where the FFI cannot (use the runtime's reader). */
  static async openOff(calls: LibcDirCalls, path: string): Promise<DirentStream | null> {
    if (!calls.off) return null;
    const opened = await calls.off.open(encoder.encode(`${path}\0`));
    if (opened === null) throw await calls.off.failure("opendir", path);
    return new DirentStream(calls, path, opened.dir, opened.fd);
  }

  /** Up to `max` more entries ("." and ".." left out); an empty array at the end. */
  read(max: number): DirEntry[] {
    const batch: DirEntry[] = [];
    while (batch.length < max && !this.#closed) {
      if (this.#offset >= this.#end && !this.#filled(this.#calls.getdents(this.#fd, this.#buffer))) break;
      this.#take(batch);
    }
    return batch;
  }

  /** `read`, with each system call off the event loop's thread where the FFI can. */
  async readOff(max: number): Promise<DirEntry[]> {
    const off = this.#calls.off;
    if (!off) return this.read(max);
    const batch: DirEntry[] = [];
    while (batch.length < max && !this.#closed) {
      if (this.#offset >= this.#end) {
        const read = await off.getdents(this.#fd, this.#buffer);
        if (read < 0) throw await off.failure("getdents64", this.#path);
        if (!this.#filled(read)) break;
      }
      this.#take(batch);
    }
    return batch;
  }

  /** Closes the directory; safe to call twice. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#calls.close(this.#dir);
    this.#dir = null;
  }

  /** `close`, off the event loop's thread where the FFI can. */
  async closeOff(): Promise<void> {
    if (this.#closed) return;
    if (!this.#calls.off) return this.close();
    this.#closed = true;
    const dir = this.#dir;
    this.#dir = null;
    await this.#calls.off.close(dir);
  }

  // Takes in what one getdents64 call wrote; false at the end.
  #filled(read: number): boolean {
    if (read < 0) throw osError(this.#calls.errno(), "getdents64", this.#path);
    this.#offset = 0;
    this.#end = read;
    return read > 0;
  }

  // Moves past one entry of the buffer, adding it to `batch` unless it is "." or "..".
  #take(batch: DirEntry[]): void {
    const at = this.#offset;
    const length = this.#view.getUint16(at + 16, true);
    const type = this.#buffer[at + 18];
    this.#offset += length;
    const name = this.#nameAt(at + NAME_OFFSET, at + length);
    if (name !== "." && name !== "..") batch.push({ name, kind: kindOf(type) });
  }

  // The NUL-terminated name between `start` and `limit` (TextDecoder beat
  // building strings by hand on Deno and Bun, ASCII names too).
  #nameAt(start: number, limit: number): string {
    const end = this.#buffer.indexOf(0, start);
    return decoder.decode(this.#buffer.subarray(start, end < 0 || end > limit ? limit : end));
  }
}
