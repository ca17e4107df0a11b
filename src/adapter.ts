/**
 * The file-system adapter: the few primitives the core needs, each in a
 * synchronous and an asynchronous form. Adapters live in `src/adapters/`.
 *
 * @module
 */

/** What the core needs to know of a directory entry's inode. */
export interface FileInfo {
  /** A regular file. */
  isFile: boolean;
  /** A directory. */
  isDirectory: boolean;
  /** A symbolic link (only `lstat` reports it). */
  isSymlink: boolean;
  /** Size in bytes. */
  size: number;
  /** Modification time, ms since the epoch. */
  mtimeMs: number;
  /** Status-change time, ms since the epoch (rename updates it on Linux). */
  ctimeMs: number;
  /** Permission bits. */
  mode: number;
  /** The inode number, where the runtime gives it (a hard link shares it). */
  ino?: number;
  /** The device, where the runtime gives it. */
  dev?: number;
  /** How many names (hard links) the inode has, where the runtime gives it. */
  nlink?: number;
}

/** What a directory entry is, as the listing reports it (`unknown` where the file system does not say). */
export type EntryKind = "file" | "directory" | "symlink" | "other" | "unknown";

/** One entry of a directory listing. */
export interface DirEntry {
  /** The name; bytes that are not UTF-8 come out as U+FFFD. */
  name: string;
  /** What the listing says the entry is. */
  kind: EntryKind;
}

/** A directory open for reading in batches, as the adapter represents it. */
export type DirHandle = unknown;

/** How `open` and `writeFile` open a file. */
export type OpenFlag = "w" | "wx" | "a";

/** Options of `writeFile`. */
export interface WriteFileOptions {
  /** `"wx"` creates exclusively (O_EXCL), `"w"` truncates, `"a"` appends. */
  flag: OpenFlag;
  /** Permission bits for a new file. */
  mode: number;
  /** fsync the file before closing it. */
  sync: boolean;
  /**
   * For the async form: the open, write and close may block the thread (the
   * store measured them fast), so that only the fsync waits on the pool.
   * The sync form ignores it.
   */
  openInline?: boolean;
}

/** An open file as the adapter represents it (a descriptor, a Deno.FsFile...). */
export type FileHandle = unknown;

/**
 * The synchronous primitives. Errors keep the operating system's `code`
 * (`ENOENT`, `EEXIST`, ...); the core maps them.
 */
export interface SyncFs {
  /** Creates a directory and its parents; succeeds if it exists as a directory. */
  mkdir(path: string, mode: number): void;
  /** rename(2): atomic, replaces `to`. */
  rename(from: string, to: string): void;
  /** Hard link; fails with EEXIST if `to` exists. */
  link(from: string, to: string): void;
  /** Deletes a file (never a directory). */
  unlink(path: string): void;
  /** The entries, in no particular order, with their kind from the listing itself (no stat). */
  readDir(path: string): DirEntry[];
  /** Opens a directory to read its entries in batches, with constant memory where the runtime can. */
  openDir(path: string): DirHandle;
  /** Up to `max` more entries of an open directory; an empty array at its end. */
  readDirBatch(handle: DirHandle, max: number): DirEntry[];
  /** Closes a directory opened by `openDir`. */
  closeDir(handle: DirHandle): void;
  /** The names in a directory as bytes, exactly as on disk; null where the runtime cannot tell. */
  readDirBytes(path: string): Uint8Array[] | null;
  /** rename(2) of paths given as bytes, for names that are not valid UTF-8. */
  renameBytes(from: Uint8Array, to: Uint8Array): void;
  /** stat(2): follows symlinks. */
  stat(path: string): FileInfo;
  /** lstat(2): a symlink is reported as itself. */
  lstat(path: string): FileInfo;
  /** Opens, writes all of `data`, optionally fsyncs, and closes. */
  writeFile(path: string, data: Uint8Array, options: WriteFileOptions): void;
  /** Reads a regular file; a symlink fails with ELOOP, anything else with EISDIR/ENXIO. */
  readFile(path: string): Uint8Array;
  /** Copies a file to a new path, failing if the target exists. */
  copyFile(from: string, to: string): void;
  /**
   * fsync of a directory, so that renames into it survive a crash. For the
   * async form, `openInline` lets the open and close block the thread, so
   * that only the fsync waits on the pool (see WriteFileOptions).
   */
  syncDir(path: string, openInline?: boolean): void;
  /** Sets access and modification time (seconds since the epoch). */
  utimes(path: string, atime: number, mtime: number): void;
  /** Opens a file for writing. */
  open(path: string, flag: OpenFlag, mode: number): FileHandle;
  /** Writes all of `data`. */
  write(handle: FileHandle, data: Uint8Array): void;
  /** fsync(2) of an open file. */
  fsync(handle: FileHandle): void;
  /** Closes an open file. */
  close(handle: FileHandle): void;
}

/** The same primitives, asynchronous. */
export type AsyncFs = {
  [K in keyof SyncFs]: (...args: Parameters<SyncFs[K]>) => Promise<ReturnType<SyncFs[K]>>;
};

/**
 * A file-system adapter: the primitives in both forms, a streaming directory
 * reader, and the facts about the running process the core needs.
 *
 * @example Using the node:fs adapter explicitly (on Deno, say)
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 * import { nodeAdapter } from "@filestore/filestore/adapters/node";
 *
 * const store = new FileStore("/var/spool/jobs", { adapter: nodeAdapter() });
 * ```
 */
export interface FsAdapter {
  /** Short name, for messages and benchmarks. */
  readonly name: string;
  /** The synchronous primitives. */
  readonly sync: SyncFs;
  /** The asynchronous primitives. */
  readonly async: AsyncFs;
  /**
   * Streams the entries of a directory. The store no longer calls it (it
   * lists through `openDir` and `readDirBatch`, on whichever form the executor
   * picks), so an adapter need not supply it; the built-in ones still do.
   * @deprecated Use `async.openDir`, `async.readDirBatch` and `async.closeDir`.
   */
  dirEntries?(path: string): AsyncIterable<DirEntry>;
  /**
   * True where `openDir` reads the whole directory before its first batch
   * (Deno without `--allow-ffi`: it has no streaming reader of its own, see
   * `adapters/_dirents.ts`). A consumer then keeps every name of one
   * listing instead of listing again for each window of them: the memory is
   * spent by the read anyway, and a backlog of N costs one read, not N / 32,768.
   */
  readonly readsDirWhole?: boolean;
  /** Watches a directory; calls `onChange` on any event, hints only. Returns a closer. */
  watchDir(path: string, onChange: () => void): () => void;
  /** The current process id. */
  pid(): number;
  /** The machine's host name. */
  hostname(): string;
  /** Whether a process with this id exists on this machine. */
  processExists(pid: number): boolean;
}
