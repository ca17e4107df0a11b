/**
 * The `node:fs` adapter, for Node and Bun (it works on Deno too, but there the
 * `Deno.*` adapter measured faster: see BENCHMARKS.md).
 *
 * @module
 */
import * as fs from "node:fs";
import { hostname } from "node:os";
import { dirname } from "node:path";
import process from "node:process";
import { Buffer } from "node:buffer";
import { withOsCodes } from "./_os_codes.ts";
import { DirentStream } from "./_dirents.ts";
import { libcDirCalls } from "./_dirents_bun.ts";
import type {
  AsyncFs,
  DirEntry,
  DirHandle,
  EntryKind,
  FileHandle,
  FileInfo,
  FsAdapter,
  OpenFlag,
  SyncFs,
  WriteFileOptions,
} from "../adapter.ts";

const C = fs.constants;
const OPEN_FLAGS: Record<OpenFlag, number> = {
  w: C.O_WRONLY | C.O_CREAT | C.O_TRUNC,
  wx: C.O_WRONLY | C.O_CREAT | C.O_EXCL,
  a: C.O_WRONLY | C.O_CREAT | C.O_APPEND,
};
// O_NOFOLLOW refuses a symlink; O_NONBLOCK keeps a planted FIFO from hanging open().
const READ_FLAGS = C.O_RDONLY | (C.O_NOFOLLOW ?? 0) | (C.O_NONBLOCK ?? 0);

function info(s: fs.Stats): FileInfo {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: s.isSymbolicLink(),
    size: s.size,
    mtimeMs: s.mtimeMs,
    ctimeMs: s.ctimeMs,
    mode: s.mode & 0o7777,
    ino: s.ino,
    dev: s.dev,
    nlink: s.nlink,
  };
}

function kindOf(entry: fs.Dirent): EntryKind {
  if (entry.isFile()) return "file";
  if (entry.isDirectory()) return "directory";
  if (entry.isSymbolicLink()) return "symlink";
  // DT_UNKNOWN (some file systems do not fill d_type) reports none of the types.
  if (entry.isFIFO() || entry.isSocket() || entry.isBlockDevice() || entry.isCharacterDevice()) return "other";
  return "unknown";
}

// Bun's opendir reads a directory whole before its first entry (300,000
// entries: 73 MiB): with FILESTORE_FFI=1 the sync form streams through
// getdents64 there instead (`_dirents.ts`), in constant memory. Node's
// opendir streams.
function openDirSync(path: string): fs.Dir | DirentStream {
  const calls = libcDirCalls();
  return calls ? DirentStream.open(calls, path) : fs.opendirSync(path, { bufferSize: 256 });
}

function entries(list: fs.Dirent[]): DirEntry[] {
  return list.map((entry) => ({ name: entry.name, kind: kindOf(entry) }));
}

function readBatchSync(dir: fs.Dir, max: number): DirEntry[] {
  const batch: DirEntry[] = [];
  for (let entry; batch.length < max && (entry = dir.readSync()) !== null;) {
    batch.push({ name: entry.name, kind: kindOf(entry) });
  }
  return batch;
}

async function readBatch(dir: fs.Dir, max: number): Promise<DirEntry[]> {
  const batch: DirEntry[] = [];
  for (let entry; batch.length < max && (entry = await dir.read()) !== null;) {
    batch.push({ name: entry.name, kind: kindOf(entry) });
  }
  return batch;
}

// Bun ignores withFileTypes with buffer names, so names only.
function namesAsBytes(list: (string | Uint8Array)[]): Uint8Array[] {
  return list.map((name) => typeof name === "string" ? new TextEncoder().encode(name) : name);
}

function notRegular(path: string): Error {
  return Object.assign(new Error(`Not a regular file: '${path}'`), { code: "ENXIO" });
}

function writeAllSync(fd: number, data: Uint8Array): void {
  let offset = 0;
  while (offset < data.byteLength) offset += fs.writeSync(fd, data, offset, data.byteLength - offset);
}

// Node's recursive mkdir reports ENOENT for any failure of a missing parent
// (EROFS, EACCES...): make the first missing directory by itself to learn why.
function firstMissing(path: string): string {
  let missing = path;
  for (;;) {
    const parent = dirname(missing);
    if (parent === missing || fs.existsSync(parent)) return missing;
    missing = parent;
  }
}

function realMkdirError(path: string, mode: number, error: unknown): unknown {
  if ((error as NodeJS.ErrnoException).code !== "ENOENT") return error;
  try {
    fs.mkdirSync(firstMissing(path), { mode });
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code !== "EEXIST") return cause;
  }
  return error;
}

/** The synchronous `node:fs` primitives (the Deno adapter borrows a few). */
export const nodeSyncFs: SyncFs = withOsCodes<SyncFs>({
  mkdir(path, mode) {
    try {
      fs.mkdirSync(path, { recursive: true, mode });
    } catch (error) {
      throw realMkdirError(path, mode, error);
    }
  },
  rename: (from, to) => fs.renameSync(from, to),
  link: (from, to) => fs.linkSync(from, to),
  unlink: (path) => fs.unlinkSync(path),
  readDir: (path) => entries(fs.readdirSync(path, { withFileTypes: true })),
  openDir: openDirSync,
  readDirBatch: (handle: DirHandle, max: number) =>
    handle instanceof DirentStream ? handle.read(max) : readBatchSync(handle as fs.Dir, max),
  closeDir: (handle: DirHandle) => handle instanceof DirentStream ? handle.close() : (handle as fs.Dir).closeSync(),
  readDirBytes: (path) => namesAsBytes(fs.readdirSync(path, { encoding: "buffer" })),
  renameBytes: (from, to) => fs.renameSync(Buffer.from(from), Buffer.from(to)),
  stat: (path) => info(fs.statSync(path)),
  lstat: (path) => info(fs.lstatSync(path)),
  writeFile(path, data, options) {
    const fd = fs.openSync(path, OPEN_FLAGS[options.flag], options.mode);
    try {
      writeAllSync(fd, data);
      if (options.sync) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  readFile(path) {
    const fd = fs.openSync(path, READ_FLAGS);
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw notRegular(path);
      return readAllSync(fd, stat.size);
    } finally {
      fs.closeSync(fd);
    }
  },
  copyFile: (from, to) => fs.copyFileSync(from, to, C.COPYFILE_EXCL),
  syncDir(path) {
    const fd = fs.openSync(path, C.O_RDONLY);
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  },
  utimes: (path, atime, mtime) => fs.utimesSync(path, atime, mtime),
  open: (path, flag, mode) => fs.openSync(path, OPEN_FLAGS[flag], mode),
  write: (handle, data) => writeAllSync(handle as number, data),
  fsync: (handle) => fs.fsyncSync(handle as number),
  close: (handle) => fs.closeSync(handle as number),
}, "sync");

// Published files never change, so the size from fstat is the whole file.
function readAllSync(fd: number, size: number): Uint8Array {
  const buffer = new Uint8Array(size);
  let length = 0;
  while (length < size) {
    const n = fs.readSync(fd, buffer, length, size - length, null);
    if (n === 0) return buffer.subarray(0, length);
    length += n;
  }
  return buffer;
}

// Promise wrappers over the callback API: one thread-pool round trip per call,
// without the FileHandle machinery of fs.promises.
function call<T>(fn: (cb: (err: NodeJS.ErrnoException | null, value: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));
}
const done = (fn: (cb: (err: NodeJS.ErrnoException | null) => void) => void): Promise<void> =>
  new Promise<void>((resolve, reject) => fn((err) => (err ? reject(err) : resolve())));

async function writeAll(fd: number, data: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < data.byteLength) {
    offset += await call<number>((cb) => fs.write(fd, data, offset, data.byteLength - offset, null, cb));
  }
}

async function closeAfter<T>(fd: number, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } finally {
    await done((cb) => fs.close(fd, cb));
  }
}

/** The asynchronous `node:fs` primitives. */
export const nodeAsyncFs: AsyncFs = withOsCodes<AsyncFs>({
  mkdir: (path, mode) =>
    done((cb) =>
      fs.mkdir(
        path,
        { recursive: true, mode },
        (err) => cb(err && (realMkdirError(path, mode, err) as NodeJS.ErrnoException)),
      )
    ),
  rename: (from, to) => done((cb) => fs.rename(from, to, cb)),
  link: (from, to) => done((cb) => fs.link(from, to, cb)),
  unlink: (path) => done((cb) => fs.unlink(path, cb)),
  readDir: async (path) => entries(await call<fs.Dirent[]>((cb) => fs.readdir(path, { withFileTypes: true }, cb))),
  openDir: (path) => fs.promises.opendir(path, { bufferSize: 256 }),
  // A stream opened by the sync form is read on, one buffer per call.
  readDirBatch: (handle: DirHandle, max: number) =>
    handle instanceof DirentStream ? handle.readOff(max) : readBatch(handle as fs.Dir, max),
  closeDir: (handle: DirHandle) => handle instanceof DirentStream ? handle.closeOff() : (handle as fs.Dir).close(),
  readDirBytes: async (path) =>
    namesAsBytes(await call<Buffer[]>((cb) => fs.readdir(path, { encoding: "buffer" }, cb))),
  renameBytes: (from, to) => done((cb) => fs.rename(Buffer.from(from), Buffer.from(to), cb)),
  stat: async (path) => info(await call<fs.Stats>((cb) => fs.stat(path, cb))),
  lstat: async (path) => info(await call<fs.Stats>((cb) => fs.lstat(path, cb))),
  async writeFile(path: string, data: Uint8Array, options: WriteFileOptions) {
    if (options.openInline) {
      const fd = fs.openSync(path, OPEN_FLAGS[options.flag], options.mode);
      try {
        writeAllSync(fd, data);
        if (options.sync) await done((cb) => fs.fsync(fd, cb));
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    const fd = await call<number>((cb) => fs.open(path, OPEN_FLAGS[options.flag], options.mode, cb));
    await closeAfter(fd, async () => {
      await writeAll(fd, data);
      if (options.sync) await done((cb) => fs.fsync(fd, cb));
    });
  },
  async readFile(path) {
    const fd = await call<number>((cb) => fs.open(path, READ_FLAGS, cb));
    return await closeAfter(fd, async () => {
      const stat = await call<fs.Stats>((cb) => fs.fstat(fd, cb));
      if (!stat.isFile()) throw notRegular(path);
      const buffer = new Uint8Array(stat.size);
      let length = 0;
      while (length < stat.size) {
        const n = await call<number>((cb) => fs.read(fd, buffer, length, stat.size - length, null, cb));
        if (n === 0) return buffer.subarray(0, length);
        length += n;
      }
      return buffer;
    });
  },
  copyFile: (from, to) => done((cb) => fs.copyFile(from, to, C.COPYFILE_EXCL, cb)),
  async syncDir(path, openInline) {
    if (openInline) {
      const fd = fs.openSync(path, C.O_RDONLY);
      try {
        await done((cb) => fs.fsync(fd, cb));
      } finally {
        fs.closeSync(fd);
      }
      return;
    }
    const fd = await call<number>((cb) => fs.open(path, C.O_RDONLY, cb));
    await closeAfter(fd, () => done((cb) => fs.fsync(fd, cb)));
  },
  utimes: (path, atime, mtime) => done((cb) => fs.utimes(path, atime, mtime, cb)),
  open: (path, flag, mode) => call<number>((cb) => fs.open(path, OPEN_FLAGS[flag], mode, cb)),
  write: (handle: FileHandle, data: Uint8Array) => writeAll(handle as number, data),
  fsync: (handle: FileHandle) => done((cb) => fs.fsync(handle as number, cb)),
  close: (handle: FileHandle) => done((cb) => fs.close(handle as number, cb)),
}, "async");

async function* dirEntries(path: string): AsyncIterable<DirEntry> {
  const dir = await fs.promises.opendir(path, { bufferSize: 256 });
  for await (const entry of dir) yield { name: entry.name, kind: kindOf(entry) };
}

function watchDir(path: string, onChange: () => void): () => void {
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(path, { persistent: false }, () => onChange());
    // Events are hints; a failing watcher leaves polling to do the work.
    watcher.on("error", () => watcher?.close());
  } catch {
    return () => {};
  }
  return () => watcher?.close();
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Creates the adapter that uses `node:fs`. It is the default on Node and Bun.
 *
 * @example
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 * import { nodeAdapter } from "@filestore/filestore/adapters/node";
 *
 * const store = new FileStore("./spool", { adapter: nodeAdapter() });
 * ```
 */
export function nodeAdapter(): FsAdapter {
  return {
    name: "node",
    sync: nodeSyncFs,
    async: nodeAsyncFs,
    dirEntries,
    // Deno's node:fs reads a directory whole at opendir(); so does Bun's,
    // unless FILESTORE_FFI=1 lets the sync form stream (see openDirSync).
    readsDirWhole: "Deno" in globalThis || ("Bun" in globalThis && libcDirCalls() === null),
    watchDir,
    pid: () => process.pid,
    hostname: () => hostname(),
    processExists,
  };
}
