/**
 * The `Deno.*` adapter, the default on Deno.
 *
 * @module
 */
import process from "node:process";
import { withOsCodes } from "./_os_codes.ts";
import { DirentStream } from "./_dirents.ts";
import { libcDirCalls } from "./_dirents_deno.ts";
import { nodeAsyncFs, nodeSyncFs } from "./node.ts";
import type { AsyncFs, DirEntry, DirHandle, FileHandle, FileInfo, FsAdapter, OpenFlag, SyncFs } from "../adapter.ts";

// The slice of the Deno namespace this adapter uses, typed here so that the
// npm build (compiled without Deno's types) type-checks too.
interface DenoFileInfo {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  size: number;
  mtime: Date | null;
  ctime: Date | null;
  mode: number | null;
  ino: number | null;
  dev: number;
  nlink: number | null;
}
interface DenoDirEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
}
interface DenoFile {
  writeSync(p: Uint8Array): number;
  write(p: Uint8Array): Promise<number>;
  readSync(p: Uint8Array): number | null;
  read(p: Uint8Array): Promise<number | null>;
  statSync(): DenoFileInfo;
  stat(): Promise<DenoFileInfo>;
  syncSync(): void;
  sync(): Promise<void>;
  close(): void;
}
interface DenoOpenOptions {
  read?: boolean;
  write?: boolean;
  append?: boolean;
  truncate?: boolean;
  create?: boolean;
  createNew?: boolean;
  mode?: number;
}
interface DenoApi {
  pid: number;
  hostname(): string;
  mkdirSync(path: string, options: { recursive: boolean; mode: number }): void;
  mkdir(path: string, options: { recursive: boolean; mode: number }): Promise<void>;
  renameSync(from: string, to: string): void;
  rename(from: string, to: string): Promise<void>;
  linkSync(from: string, to: string): void;
  link(from: string, to: string): Promise<void>;
  removeSync(path: string): void;
  remove(path: string): Promise<void>;
  readDirSync(path: string): Iterable<DenoDirEntry>;
  readDir(path: string): AsyncIterable<DenoDirEntry>;
  statSync(path: string): DenoFileInfo;
  stat(path: string): Promise<DenoFileInfo>;
  lstatSync(path: string): DenoFileInfo;
  lstat(path: string): Promise<DenoFileInfo>;
  openSync(path: string, options: DenoOpenOptions): DenoFile;
  open(path: string, options: DenoOpenOptions): Promise<DenoFile>;
  copyFileSync(from: string, to: string): void;
  copyFile(from: string, to: string): Promise<void>;
  utimeSync(path: string, atime: number, mtime: number): void;
  utime(path: string, atime: number, mtime: number): Promise<void>;
  watchFs(path: string, options: { recursive: boolean }): AsyncIterable<unknown> & { close(): void };
}

function deno(): DenoApi {
  const api = (globalThis as unknown as { Deno?: DenoApi }).Deno;
  if (!api) throw new TypeError("The deno adapter needs the Deno runtime");
  return api;
}

function toDirEntry(e: DenoDirEntry): DirEntry {
  const kind = e.isFile ? "file" : e.isDirectory ? "directory" : e.isSymlink ? "symlink" : "other";
  return { name: e.name, kind };
}

// Deno has no streaming directory reader: Deno.readDir and Deno's node:fs
// opendir both read a directory whole. Deno's own costs less: 300,000 entries
// peaked at 226 MiB and took half the time, against 389 MiB through opendir.
// Where FFI is allowed, both forms stream through getdents64 instead
// (`_dirents.ts`: 300,000 entries in 15 MiB, a sixth of the time; the async
// form makes its calls on Deno's threads). Both cursor kinds serve both
// forms: the store may open a listing with one and read it with the other, as
// its calls move between inline and the pool.
interface DirCursor {
  entries: Iterator<DenoDirEntry>;
}

function openSync(path: string): DirCursor | DirentStream {
  const calls = libcDirCalls();
  if (calls) return DirentStream.open(calls, path);
  // The whole listing now: a missing directory fails here, not at the first batch.
  return { entries: Array.from(deno().readDirSync(path))[Symbol.iterator]() };
}

// Whole, through the stream where there is one: a sixth of Deno.readDirSync's time for a big directory.
function readDirSync(path: string): DirEntry[] {
  const calls = libcDirCalls();
  if (!calls) return Array.from(deno().readDirSync(path), toDirEntry);
  const stream = DirentStream.open(calls, path);
  try {
    const all: DirEntry[] = [];
    for (let batch; (batch = stream.read(4096)).length > 0;) all.push(...batch);
    return all;
  } finally {
    stream.close();
  }
}

async function openAsync(path: string): Promise<DirCursor | DirentStream> {
  const calls = libcDirCalls();
  return (calls && await DirentStream.openOff(calls, path)) ?? await openCursor(path);
}

function readCursor(handle: DirHandle, max: number): DirEntry[] {
  return handle instanceof DirentStream ? handle.read(max) : batchOf(handle as DirCursor, max);
}

// A promise of what `body` returns or throws (a throw must not escape an async primitive).
function settled<T>(body: () => T): Promise<T> {
  try {
    return Promise.resolve(body());
  } catch (error) {
    return Promise.reject(error);
  }
}

function closeCursor(handle: DirHandle): void {
  if (handle instanceof DirentStream) handle.close();
  else (handle as DirCursor).entries = [][Symbol.iterator]();
}

async function openCursor(path: string): Promise<DirCursor> {
  const list: DenoDirEntry[] = [];
  for await (const entry of deno().readDir(path)) list.push(entry);
  return { entries: list[Symbol.iterator]() };
}

function batchOf(cursor: DirCursor, max: number): DirEntry[] {
  const batch: DirEntry[] = [];
  while (batch.length < max) {
    const next = cursor.entries.next();
    if (next.done) break;
    batch.push(toDirEntry(next.value));
  }
  return batch;
}

function openOptions(flag: OpenFlag, mode: number): DenoOpenOptions {
  switch (flag) {
    case "w":
      return { write: true, create: true, truncate: true, mode };
    case "wx":
      return { write: true, createNew: true, mode };
    case "a":
      return { append: true, create: true, mode };
  }
}

function info(s: DenoFileInfo): FileInfo {
  return {
    isFile: s.isFile,
    isDirectory: s.isDirectory,
    isSymlink: s.isSymlink,
    size: s.size,
    mtimeMs: s.mtime?.getTime() ?? 0,
    ctimeMs: s.ctime?.getTime() ?? s.mtime?.getTime() ?? 0,
    mode: (s.mode ?? 0) & 0o7777,
    ino: s.ino ?? undefined,
    dev: s.dev,
    nlink: s.nlink ?? undefined,
  };
}

function osError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

function writeAllSync(file: DenoFile, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.byteLength) offset += file.writeSync(data.subarray(offset));
}
async function writeAll(file: DenoFile, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) offset += await file.write(data.subarray(offset));
}

function exists(path: string): boolean {
  try {
    deno().lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

const syncFs: SyncFs = withOsCodes<SyncFs>({
  mkdir: (path, mode) => deno().mkdirSync(path, { recursive: true, mode }),
  rename: (from, to) => deno().renameSync(from, to),
  link: (from, to) => deno().linkSync(from, to),
  unlink: (path) => deno().removeSync(path),
  readDir: readDirSync,
  stat: (path) => info(deno().statSync(path)),
  lstat: (path) => info(deno().lstatSync(path)),
  writeFile(path, data, options) {
    const file = deno().openSync(path, openOptions(options.flag, options.mode));
    try {
      writeAllSync(file, data);
      if (options.sync) file.syncSync();
    } finally {
      file.close();
    }
  },
  // Deno.open has no O_NOFOLLOW or O_NONBLOCK: a FIFO swapped in after a
  // check would block the open forever. Deno's node:fs passes both flags.
  readFile: nodeSyncFs.readFile,
  openDir: openSync,
  readDirBatch: readCursor,
  closeDir: closeCursor,
  // Deno gives names that are not UTF-8 only with U+FFFD, never their bytes.
  readDirBytes: () => null,
  renameBytes() {
    throw osError("ENOTSUP", "Deno cannot rename a file whose name is not valid UTF-8");
  },
  copyFile(from, to) {
    if (exists(to)) throw osError("EEXIST", `File exists: '${to}'`);
    deno().copyFileSync(from, to);
  },
  syncDir(path) {
    const dir = deno().openSync(path, { read: true });
    try {
      dir.syncSync();
    } finally {
      dir.close();
    }
  },
  utimes: (path, atime, mtime) => deno().utimeSync(path, atime, mtime),
  open: (path, flag, mode) => deno().openSync(path, openOptions(flag, mode)),
  write: (handle, data) => writeAllSync(handle as DenoFile, data),
  fsync: (handle) => (handle as DenoFile).syncSync(),
  close: (handle) => (handle as DenoFile).close(),
}, "sync");

const asyncFs: AsyncFs = withOsCodes<AsyncFs>({
  mkdir: (path, mode) => deno().mkdir(path, { recursive: true, mode }),
  rename: (from, to) => deno().rename(from, to),
  link: (from, to) => deno().link(from, to),
  unlink: (path) => deno().remove(path),
  async readDir(path) {
    const list: DirEntry[] = [];
    for await (const e of deno().readDir(path)) list.push(toDirEntry(e));
    return list;
  },
  stat: async (path) => info(await deno().stat(path)),
  lstat: async (path) => info(await deno().lstat(path)),
  async writeFile(path, data, options) {
    const file = options.openInline
      ? deno().openSync(path, openOptions(options.flag, options.mode))
      : await deno().open(path, openOptions(options.flag, options.mode));
    try {
      if (options.openInline) writeAllSync(file, data);
      else await writeAll(file, data);
      if (options.sync) await file.sync();
    } finally {
      file.close();
    }
  },
  readFile: nodeAsyncFs.readFile,
  openDir: openAsync,
  // Streams read each buffer on a thread of Deno's (nonblocking FFI); whole listings are in memory already.
  readDirBatch: (handle: DirHandle, max: number) =>
    handle instanceof DirentStream ? handle.readOff(max) : settled(() => batchOf(handle as DirCursor, max)),
  closeDir: (handle: DirHandle) =>
    handle instanceof DirentStream ? handle.closeOff() : settled(() => closeCursor(handle)),
  readDirBytes: () => Promise.resolve(null),
  renameBytes: () => Promise.reject(osError("ENOTSUP", "Deno cannot rename a file whose name is not valid UTF-8")),
  async copyFile(from, to) {
    if (exists(to)) throw osError("EEXIST", `File exists: '${to}'`);
    await deno().copyFile(from, to);
  },
  async syncDir(path, openInline) {
    const dir = openInline ? deno().openSync(path, { read: true }) : await deno().open(path, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  },
  utimes: (path, atime, mtime) => deno().utime(path, atime, mtime),
  open: (path, flag, mode) => deno().open(path, openOptions(flag, mode)),
  write: (handle: FileHandle, data: Uint8Array) => writeAll(handle as DenoFile, data),
  fsync: (handle: FileHandle) => (handle as DenoFile).sync(),
  close: (handle: FileHandle) => Promise.resolve((handle as DenoFile).close()),
}, "async");

async function* dirEntries(path: string): AsyncIterable<DirEntry> {
  for await (const e of deno().readDir(path)) yield toDirEntry(e);
}

function watchDir(path: string, onChange: () => void): () => void {
  let watcher: (AsyncIterable<unknown> & { close(): void }) | undefined;
  try {
    watcher = deno().watchFs(path, { recursive: false });
  } catch {
    return () => {};
  }
  const events = watcher;
  (async () => {
    try {
      for await (const _event of events) onChange();
    } catch {
      // Events are hints; polling covers a watcher that fails.
    }
  })();
  return () => {
    try {
      events.close();
    } catch {
      // Already closed.
    }
  };
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    // Without --allow-run Deno cannot tell: a live holder must never lose its claim, so it counts as alive.
    return code !== "ESRCH";
  }
}

/**
 * Creates the adapter that uses `Deno.*`. It is the default on Deno.
 *
 * @example
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 * import { denoAdapter } from "@filestore/filestore/adapters/deno";
 *
 * const store = new FileStore("./spool", { adapter: denoAdapter() });
 * ```
 */
export function denoAdapter(): FsAdapter {
  deno();
  return {
    name: "deno",
    sync: syncFs,
    async: asyncFs,
    dirEntries,
    // Both forms stream where FFI is allowed (see _dirents.ts).
    readsDirWhole: libcDirCalls() === null,
    watchDir,
    pid: () => deno().pid,
    hostname: () => deno().hostname(),
    processExists,
  };
}
