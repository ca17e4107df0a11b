/**
 * The options of a store and the operations on its files: the base of
 * {@linkcode FileStore}, which adds claims, flags and the workers.
 *
 * @module
 */
import process from "node:process";
import { resolve } from "node:path";
import type { FsAdapter } from "./adapter.ts";
import { defaultAdapter } from "./adapters/detect.ts";
import { Executor, type IoMode } from "./executor.ts";
import { FileStoreError } from "./errors.ts";
import { FileWriter, type WriteMode } from "./file_writer.ts";
import { escapeHost, makeUniqueName, printable, validateName } from "./names.ts";
import type { InfoSeparator } from "./name_parts.ts";
import { FIRST_USE_AREAS, type StoreContext, usableArea } from "./store/context.ts";
import { explain, type StoredFile } from "./store/resolve.ts";
import { prepareSteps } from "./store/prepare.ts";
import {
  entriesOf,
  listSteps,
  type MoveOptions,
  moveSteps,
  readSteps,
  removeSteps,
  type StoreEntry,
} from "./store/files.ts";
import {
  copySteps,
  type PutData,
  type PutItem,
  putManySteps,
  type PutOptions,
  putSteps,
  putStream,
  toBytes,
} from "./store/publish.ts";

/** The three Maildir areas every store has. */
export const STANDARD_AREAS = ["tmp", "new", "cur"] as const;

/** The info separator of this platform: `;` on Windows, where `:` cannot be in a file name, else `:`. */
export const DEFAULT_INFO_SEPARATOR: InfoSeparator = process.platform === "win32" ? ";" : ":";

/** Options of {@linkcode FileStore}. */
export interface FileStoreOptions {
  /**
   * Extra areas besides `tmp`, `new` and `cur`, created by `prepare()`.
   * (`failed`, where consumers set aside what they cannot handle, is made
   * on first use whether listed or not.)
   * @default {[]}
   */
  areas?: readonly string[];
  /**
   * The file-system adapter.
   * @default {defaultAdapter()}
   */
  adapter?: FsAdapter;
  /**
   * Permission bits of files the store creates. The process umask applies, as
   * for every Unix program: 0o660 needs a umask of 0o007 or less.
   * @default {0o600}
   */
  fileMode?: number;
  /**
   * Permission bits of directories the store creates (the store, its missing
   * parents, its areas); existing directories are left as they are. The umask applies.
   * @default {0o700}
   */
  dirMode?: number;
  /**
   * Whether `put()` and `putMany()` fsync by default (and `prepare()` fsyncs
   * the store's directory and its parent).
   * @default {true}
   */
  sync?: boolean;
  /**
   * The host name written into unique names and claims. Every machine sharing
   * a store must use a different one. Giving it spares the lookup (on Deno,
   * the `--allow-sys=hostname` permission).
   * @default {the machine's host name}
   */
  host?: string;
  /**
   * The separator before a name's info part (its flags): `:` as in Maildir,
   * or `;` where `:` cannot be in a file name (Windows; mbsync's
   * `InfoDelimiter` does the same). Every program sharing a store must agree.
   * @default {";" on Windows, ":" elsewhere}
   */
  infoSeparator?: InfoSeparator;
  /**
   * How the async methods run their file-system calls: `"auto"` runs them
   * inline while they prove fast (yielding to the event loop every
   * millisecond) and on the thread pool while they do not (a network file
   * system); `"inline"` and `"pool"` force one way.
   * @default {"auto"}
   */
  io?: IoMode;
}

function hostOf(adapter: FsAdapter): string {
  try {
    return adapter.hostname();
  } catch (error) {
    const name = (error as Error | null)?.name;
    if (name !== "NotCapable" && name !== "PermissionDenied") throw error;
    throw new FileStoreError(
      "PERMISSION_DENIED",
      "Cannot read the host name: Deno needs --allow-sys=hostname, or pass the host option to FileStore",
      { cause: error },
    );
  }
}

/**
 * A store's settings and the operations on its files (prepare, create, list,
 * move, copy, remove, read, put, entries). Use {@linkcode FileStore}, which
 * extends it with claims, flags and the workers.
 *
 * @example
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * await store.put("hello", { name: "greeting" });
 * ```
 */
export class StoreBase implements StoreContext {
  /** The store's directory, absolute. */
  readonly path: string;
  /** All declared areas: `tmp`, `new`, `cur` and the extra ones. */
  readonly areas: readonly string[];
  /** The file-system adapter in use. */
  readonly adapter: FsAdapter;
  /** Runs the operations' file-system calls (see the `io` option). */
  readonly executor: Executor;
  /** Permission bits of new files. */
  readonly fileMode: number;
  /** Permission bits of new directories. */
  readonly dirMode: number;
  /** Whether puts fsync by default. */
  readonly sync: boolean;
  /** The escaped host name used in unique names and claims. */
  readonly host: string;
  /** The separator before the info part of names. */
  readonly infoSeparator: InfoSeparator;
  // The directories of the areas asked for so far.
  readonly #areaPaths = new Map<string, string>();

  /**
   * Describes a store; does no I/O.
   *
   * @param path The store's directory; need not exist until `prepare()`.
   * @param options Extra areas, adapter, modes, durability default, host name, separator, I/O mode.
   */
  constructor(path: string, options: FileStoreOptions = {}) {
    if (typeof path !== "string" || path === "") {
      throw new TypeError(`Cannot create a FileStore at '${String(path)}': the path must be a non-empty string`);
    }
    this.path = resolve(path);
    const extra = options.areas ?? [];
    for (const area of extra) {
      validateName(area);
      if ((STANDARD_AREAS as readonly string[]).includes(area)) {
        throw new FileStoreError("INVALID_AREA", `Invalid area '${area}': it is one of the standard areas`);
      }
    }
    this.areas = [...STANDARD_AREAS, ...new Set(extra)];
    this.adapter = options.adapter ?? defaultAdapter();
    this.executor = new Executor(this.adapter.sync, this.adapter.async, options.io);
    this.fileMode = options.fileMode ?? 0o600;
    this.dirMode = options.dirMode ?? 0o700;
    this.sync = options.sync ?? true;
    this.host = escapeHost(options.host ?? hostOf(this.adapter));
    this.infoSeparator = options.infoSeparator ?? DEFAULT_INFO_SEPARATOR;
    if (this.infoSeparator !== ":" && this.infoSeparator !== ";") {
      throw new TypeError(`Invalid infoSeparator '${printable(String(this.infoSeparator))}': expected ":" or ";"`);
    }
  }

  /**
   * The directory of an area; throws `INVALID_AREA` for an unknown one.
   * `failed` and `delayed` are always known (made on first use).
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * new FileStore("/srv/q").areaPath("new"); // "/srv/q/new"
   * ```
   */
  areaPath(area: string): string {
    // Every call of every operation asks: a path built once is one lookup, not a new string to compare.
    const known = this.#areaPaths.get(area);
    if (known !== undefined) return known;
    if (!usableArea(this, area)) {
      const expected = [...new Set([...this.areas, ...FIRST_USE_AREAS])].map((a) => `'${a}'`).join(", ");
      throw new FileStoreError(
        "INVALID_AREA",
        `Unknown area '${printable(String(area))}': expected one of ${expected}`,
      );
    }
    const path = `${this.path}/${area}`;
    this.#areaPaths.set(area, path);
    return path;
  }

  /**
   * A new unique name by the Maildir rule `TIME.M<usec>P<pid>Q<seq>R<random>.HOST`.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * new FileStore("/srv/q").uniqueName(); // "1764270000.M012345P4242Q1R9f8e7d6c5b4a3921.myhost"
   * ```
   */
  uniqueName(): string {
    return makeUniqueName(this.adapter.pid(), this.host);
  }

  /**
   * Creates the store directory (with parents) and its areas. Calling it
   * again, or from several processes at once, does nothing more. With `sync`
   * on, the store's directory and its parent are fsynced.
   *
   * @throws {FileStoreError} `IN_THE_WAY` when a non-directory, or a symlink, sits where an area must be.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.prepare(); // does nothing
   * ```
   */
  prepare(): Promise<void> {
    return this.executor.run(prepareSteps(this));
  }

  /** Synchronous {@linkcode FileStore.prepare}. */
  prepareSync(): void {
    this.executor.runSync(prepareSteps(this));
  }

  /**
   * Opens `tmp/<name>` for writing and returns a handle; move the file to
   * `new/` when it is complete.
   *
   * @param name The file name.
   * @param mode `"w"` truncates, `"wx"` fails with `ALREADY_EXISTS` if present, `"a"` appends.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await using file = await store.create("a-file");
   * await file.write("hello");
   * ```
   */
  async create(name: string, mode: WriteMode = "w"): Promise<FileWriter> {
    const path = this.#createPath(name, mode);
    try {
      return new FileWriter(name, path, await this.adapter.async.open(path, mode, this.fileMode), this.adapter);
    } catch (error) {
      throw await this.executor.run(explain(this, error, "create", path, ["tmp"]));
    }
  }

  /** Synchronous {@linkcode FileStore.create}. */
  createSync(name: string, mode: WriteMode = "w"): FileWriter {
    const path = this.#createPath(name, mode);
    try {
      return new FileWriter(name, path, this.adapter.sync.open(path, mode, this.fileMode), this.adapter);
    } catch (error) {
      throw this.executor.runSync(explain(this, error, "create", path, ["tmp"]));
    }
  }

  #createPath(name: string, mode: WriteMode): string {
    if (mode !== "w" && mode !== "wx" && mode !== "a") {
      throw new TypeError(`Invalid mode '${String(mode)}': expected "w", "wx" or "a"`);
    }
    return `${this.areaPath("tmp")}/${validateName(name)}`;
  }

  /**
   * The full paths of the files in an area, sorted by name, without names
   * starting with `.`. The same on every runtime.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.list("new"); // [".../new/1764270000.M012345P4242Q1R9f8e7d6c5b4a3921.myhost", ...]
   * ```
   */
  list(area: string): Promise<string[]> {
    return this.executor.run(listSteps(this, area));
  }

  /** Synchronous {@linkcode FileStore.list}. */
  listSync(area: string): string[] {
    return this.executor.runSync(listSteps(this, area));
  }

  /**
   * Moves a file from one area to another in one atomic step. Never replaces
   * a file in the target area unless `overwrite` is set.
   *
   * @param name A file name, or a full path as returned by `list()` (it must lie in `from`).
   * @throws {FileStoreError} `NOT_FOUND`, `ALREADY_EXISTS`, `INVALID_AREA`, `NOT_PREPARED`.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await (await store.create("a-file")).close();
   * await store.move("a-file", "tmp", "new");
   * ```
   */
  move(name: string | StoredFile, from: string, to: string, options: MoveOptions = {}): Promise<void> {
    return this.executor.run(moveSteps(this, name, from, to, options));
  }

  /** Synchronous {@linkcode FileStore.move}. */
  moveSync(name: string | StoredFile, from: string, to: string, options: MoveOptions = {}): void {
    this.executor.runSync(moveSteps(this, name, from, to, options));
  }

  /**
   * Copies a file into another area. The copy is written in `tmp/` and
   * renamed into place, so it is never seen half-written.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool", { areas: ["archive"] });
   * await store.prepare();
   * await store.put("x", { name: "a-file" });
   * await store.copy("a-file", "new", "archive");
   * ```
   */
  copy(name: string | StoredFile, from: string, to: string): Promise<void> {
    return this.executor.run(copySteps(this, name, from, to));
  }

  /** Synchronous {@linkcode FileStore.copy}. */
  copySync(name: string | StoredFile, from: string, to: string): void {
    this.executor.runSync(copySteps(this, name, from, to));
  }

  /**
   * Deletes a file from an area.
   *
   * @throws {FileStoreError} `NOT_FOUND` when it is not there.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.put("x", { name: "b-file" });
   * await store.remove("b-file", "new");
   * ```
   */
  remove(name: string | StoredFile, area: string): Promise<void> {
    return this.executor.run(removeSteps(this, name, area));
  }

  /** Synchronous {@linkcode FileStore.remove}. */
  removeSync(name: string | StoredFile, area: string): void {
    this.executor.runSync(removeSteps(this, name, area));
  }

  /**
   * Reads a regular file. A symlink, FIFO or directory is refused with
   * `NOT_A_FILE`, never followed or opened for long.
   *
   * @param name A name, a key, a full path, or a claim (then `area` defaults to `cur`).
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.put("hello", { name: "greeting" });
   * const bytes = await store.read("greeting", "new");
   * ```
   */
  read(name: string | StoredFile, area = "cur"): Promise<Uint8Array> {
    return this.executor.run(readSteps(this, name, area));
  }

  /** Synchronous {@linkcode FileStore.read}. */
  readSync(name: string | StoredFile, area = "cur"): Uint8Array {
    return this.executor.runSync(readSteps(this, name, area));
  }

  /**
   * Delivers data in one call: writes `tmp/<unique>` exclusively, fsyncs it,
   * renames it into `new/`, fsyncs `new/`. Readers see all of it or nothing.
   * On any failure the tmp file is removed and nothing appears in `new/`.
   *
   * With `delay` (ms) or `at` (a Date or ms since the epoch) the item is
   * renamed into `delayed/` (made on first use) as `NAME,D=<due ms>` instead;
   * a consumer's `next()` moves it to `new/NAME` once it is due, so `new/`
   * always holds what is ready now. With `priority` (an integer, default 0)
   * the name carries `,P=<n>` and `next()` claims higher priorities first.
   *
   * @param data A string, bytes, a `ReadableStream` or an async iterable of bytes.
   * @returns The name and path in `new/` (in `delayed/` for a delayed item).
   * @throws {FileStoreError} `NO_SPACE`, `ALREADY_EXISTS` (with `options.name`), `NOT_PREPARED`.
   * @throws {RangeError} for a priority that is not an integer, or a negative delay.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * const { name } = await store.put("payload");
   * await store.put("fast, not crash-safe", { sync: false });
   * await store.put("in ten minutes", { delay: 10 * 60_000 });
   * await store.put("before the others", { priority: 5 });
   * ```
   */
  async put(data: PutData, options: PutOptions = {}): Promise<StoredFile> {
    if (typeof data === "string" || data instanceof Uint8Array) {
      return await this.executor.run(putSteps(this, toBytes(data), options));
    }
    if (typeof (data as AsyncIterable<Uint8Array> | null)?.[Symbol.asyncIterator] !== "function") {
      const given = Object.prototype.toString.call(data);
      throw new TypeError(
        `Cannot store ${given}: expected a string, a Uint8Array, a ReadableStream or an async iterable`,
      );
    }
    return await putStream(this, data, options);
  }

  /** Synchronous {@linkcode FileStore.put}, for strings and bytes. */
  putSync(data: string | Uint8Array, options: PutOptions = {}): StoredFile {
    return this.executor.runSync(putSteps(this, toBytes(data), options));
  }

  /**
   * Delivers many items with one fsync of `new/` for the whole batch (group
   * commit). Each item still appears atomically. An invalid name anywhere
   * rejects the whole batch before any I/O. If an item fails while being
   * written or published, the ones published before it stay delivered (listed
   * in the error's `published`) and the rest leave nothing behind. `delay`,
   * `at` and `priority` apply to every item; an item's own override them.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * const stored = await store.putMany(["a", "b", { data: "c", name: "third" }]);
   * await store.putMany(["later", { data: "now", delay: 0 }], { delay: 60_000 });
   * ```
   */
  putMany(items: readonly PutItem[], options: Omit<PutOptions, "name"> = {}): Promise<StoredFile[]> {
    return this.executor.run(putManySteps(this, items, options));
  }

  /** Synchronous {@linkcode FileStore.putMany}. */
  putManySync(items: readonly PutItem[], options: Omit<PutOptions, "name"> = {}): StoredFile[] {
    return this.executor.runSync(putManySteps(this, items, options));
  }

  /**
   * Streams the entries of an area (in constant memory on Node; on Deno with
   * `--allow-ffi` and on Bun with `FILESTORE_FFI=1`, while the store's calls
   * run inline; otherwise they read a directory whole), in directory order
   * (not sorted), without names starting with `.`. Symlinks and other
   * non-regular entries are included and marked by `kind`; a name that is
   * not UTF-8 comes with its `bytes` where the runtime can tell them.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * for await (const entry of store.entries("new")) console.log(entry.name, entry.kind);
   * ```
   */
  entries(area: string): AsyncIterableIterator<StoreEntry> {
    return entriesOf(this, area);
  }

  /** Counts the entries of an area (without names starting with `.`), streaming. */
  async count(area: string): Promise<number> {
    let n = 0;
    for await (const _entry of this.entries(area)) n++;
    return n;
  }

  /** Synchronous {@linkcode FileStore.count}. */
  countSync(area: string): number {
    return this.listSync(area).length;
  }
}
