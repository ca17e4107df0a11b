/**
 * The FileStore class: the public face of a store. It holds the options and
 * hands every call to the module that owns the operation (`src/store/`).
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
import { FAILED_AREA, type StoreContext } from "./store/context.ts";
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
import { type AckOptions, ackSteps, type Claim, claimSteps, releaseSteps, touchSteps } from "./store/claims.ts";
import { ClaimQueue } from "./store/claim_queue.ts";
import { flagsSteps, setFlagsSteps } from "./store/flag_ops.ts";
import { type StatsOptions, type StoreStats, storeStats } from "./stats.ts";
import { type WatchOptions, watchStore } from "./watch.ts";
import { type ConsumeHandler, type ConsumeOptions, consumeStore, type ConsumeSummary } from "./consume.ts";
import {
  type CleanOptions,
  cleanTmp,
  cleanTmpSync,
  recoverClaims,
  recoverClaimsSync,
  type RecoverOptions,
} from "./recover.ts";

export type { AckOptions, Claim, MoveOptions, PutData, PutItem, PutOptions, StoredFile, StoreEntry };
export type { IoMode } from "./executor.ts";
export type { InfoSeparator } from "./name_parts.ts";
export { FAILED_AREA } from "./store/context.ts";

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
 * A Maildir-style store: a directory with `tmp/`, `new/` and `cur/` through
 * which processes hand files to each other without locks.
 *
 * @example The walkthrough of gocept.filestore
 * ```ts
 * import { mkdtemp } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore(await mkdtemp(join(tmpdir(), "store-"))); // nothing happens yet
 * await store.prepare(); // creates cur/ new/ tmp/
 * const file = await store.create("a-file"); // open for writing in tmp/
 * await file.write("Die Ente bleibt draussen!");
 * await file.close();
 * await store.move("a-file", "tmp", "new"); // now other processes see it
 * await store.move("a-file", "new", "cur"); // and one of them takes it
 * console.log(await store.list("cur")); // [".../cur/a-file"]
 * ```
 *
 * @example Handing work to other processes
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * await store.put(JSON.stringify({ job: 1 })); // durable, atomic
 * const claim = await store.next(); // exactly one consumer gets it
 * if (claim) {
 *   const text = new TextDecoder().decode(await store.read(claim));
 *   await store.ack(claim);
 * }
 * ```
 */
export class FileStore implements StoreContext {
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
  readonly #queue: ClaimQueue;

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
    this.#queue = new ClaimQueue(this);
  }

  /**
   * The directory of an area; throws `INVALID_AREA` for an unknown one.
   * `failed` is always known (made on first use).
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * new FileStore("/srv/q").areaPath("new"); // "/srv/q/new"
   * ```
   */
  areaPath(area: string): string {
    if (!this.areas.includes(area) && area !== FAILED_AREA) {
      const known = [...this.areas, FAILED_AREA].map((a) => `'${a}'`).join(", ");
      throw new FileStoreError("INVALID_AREA", `Unknown area '${printable(String(area))}': expected one of ${known}`);
    }
    return `${this.path}/${area}`;
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
   * @param data A string, bytes, a `ReadableStream` or an async iterable of bytes.
   * @returns The name and path in `new/`.
   * @throws {FileStoreError} `NO_SPACE`, `ALREADY_EXISTS` (with `options.name`), `NOT_PREPARED`.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * const { name } = await store.put("payload");
   * await store.put("fast, not crash-safe", { sync: false });
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
   * in the error's `published`) and the rest leave nothing behind.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * const stored = await store.putMany(["a", "b", { data: "c", name: "third" }]);
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
   * Claims a file in `new/` by moving it to `cur/` under a name unique to this
   * claim. Returns `null` when another process got it first: a lost race is
   * never an exception.
   *
   * @param name The name in `new/`, its key, or its full path.
   * @throws {FileStoreError} `NOT_A_FILE` for a symlink, FIFO or directory.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * const { name } = await store.put("job");
   * const claim = await store.claim(name); // null if someone else won
   * ```
   */
  claim(name: string | StoredFile): Promise<Claim | null> {
    return this.executor.run(claimSteps(this, name));
  }

  /** Synchronous {@linkcode FileStore.claim}. */
  claimSync(name: string | StoredFile): Claim | null {
    return this.executor.runSync(claimSteps(this, name));
  }

  /**
   * Claims the oldest available item in `new/` (by the time, microseconds and
   * sequence numbers in its name, then by name), or returns `null` when
   * `new/` has nothing to hand out. What it cannot hand out (a symlink, FIFO
   * or directory, a name that is not UTF-8 or too long to carry a claim) is
   * set aside in `failed/`, never returned and never retried in a loop.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.put("job");
   * for (let claim; (claim = await store.next()); ) {
   *   await store.ack(claim);
   * }
   * ```
   */
  next(): Promise<Claim | null> {
    return this.executor.run(this.#queue.next());
  }

  /** Synchronous {@linkcode FileStore.next}. */
  nextSync(): Claim | null {
    return this.executor.runSync(this.#queue.next());
  }

  /**
   * Finishes a claim: deletes the file, or moves it to the area `to`.
   *
   * @throws {FileStoreError} `LOST_CLAIM` when the claim was recovered meanwhile
   * (and perhaps claimed by another process, whose claim is left alone).
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool", { areas: ["done"] });
   * await store.prepare();
   * await store.put("job");
   * const claim = await store.next();
   * if (claim) await store.ack(claim, { to: "done" });
   * ```
   */
  ack(claim: Claim | StoredFile | string, options: AckOptions = {}): Promise<void> {
    return this.executor.run(ackSteps(this, claim, options));
  }

  /** Synchronous {@linkcode FileStore.ack}. */
  ackSync(claim: Claim | StoredFile | string, options: AckOptions = {}): void {
    this.executor.runSync(ackSteps(this, claim, options));
  }

  /**
   * Hands a claim back to `new/` with its attempt count raised by one, for
   * another consumer (or a later try) to take.
   *
   * @throws {FileStoreError} `LOST_CLAIM` when the claim is no longer held.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.put("job");
   * const claim = await store.next();
   * if (claim) await store.release(claim); // attempts is 1 when claimed again
   * ```
   */
  release(claim: Claim | StoredFile | string): Promise<StoredFile> {
    return this.executor.run(releaseSteps(this, claim));
  }

  /** Synchronous {@linkcode FileStore.release}. */
  releaseSync(claim: Claim | StoredFile | string): StoredFile {
    return this.executor.runSync(releaseSteps(this, claim));
  }

  /**
   * Extends the lease of a claim, so that `recover()` leaves it alone for
   * another `olderThan` period.
   *
   * @throws {FileStoreError} `LOST_CLAIM` when the claim is no longer held.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.put("long job");
   * const claim = await store.next();
   * if (claim) await store.touch(claim);
   * ```
   */
  touch(claim: Claim | StoredFile | string): Promise<void> {
    return this.executor.run(touchSteps(this, claim));
  }

  /** Synchronous {@linkcode FileStore.touch}. */
  touchSync(claim: Claim | StoredFile | string): void {
    this.executor.runSync(touchSteps(this, claim));
  }

  /**
   * The flags of a file (the letters after `:2,` in its name, ASCII order), or
   * "" when it has none. Without `area`, looks in the area of a full path, or
   * in `cur/` and then `new/`.
   *
   * @param name Its key, its name (with or without info part) or full path, or a claim.
   * @throws {FileStoreError} `NOT_FOUND` when the file is not there.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * const { name } = await store.put("mail");
   * await store.addFlags(name, "S");
   * await store.flags(name); // "S"
   * ```
   */
  flags(name: string | StoredFile, area?: string): Promise<string> {
    return this.executor.run(flagsSteps(this, name, area));
  }

  /** Synchronous {@linkcode FileStore.flags}. */
  flagsSync(name: string | StoredFile, area?: string): string {
    return this.executor.runSync(flagsSteps(this, name, area));
  }

  /**
   * Gives a file exactly these flags, by an atomic rename within its area
   * (to `KEY:2,FLAGS`). Letters `A-Z` are flags, `a-z` keywords. A claim
   * stays valid: ack(), release() and touch() find it under its new name.
   *
   * @returns The file's new name and path.
   * @throws {FileStoreError} `INVALID_NAME` for a flag that is not a letter; `NOT_FOUND`.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * const { name } = await store.put("mail");
   * await store.setFlags(name, "SF", "new"); // new/<name>:2,FS
   * ```
   */
  setFlags(name: string | StoredFile, flags: string, area?: string): Promise<StoredFile> {
    return this.executor.run(setFlagsSteps(this, name, "set", flags, area));
  }

  /** Synchronous {@linkcode FileStore.setFlags}. */
  setFlagsSync(name: string | StoredFile, flags: string, area?: string): StoredFile {
    return this.executor.runSync(setFlagsSteps(this, name, "set", flags, area));
  }

  /** Adds flags to a file, keeping the ones it has; see {@linkcode FileStore.setFlags}. */
  addFlags(name: string | StoredFile, flags: string, area?: string): Promise<StoredFile> {
    return this.executor.run(setFlagsSteps(this, name, "add", flags, area));
  }

  /** Synchronous {@linkcode FileStore.addFlags}. */
  addFlagsSync(name: string | StoredFile, flags: string, area?: string): StoredFile {
    return this.executor.runSync(setFlagsSteps(this, name, "add", flags, area));
  }

  /** Removes flags from a file, keeping the others; see {@linkcode FileStore.setFlags}. */
  removeFlags(name: string | StoredFile, flags: string, area?: string): Promise<StoredFile> {
    return this.executor.run(setFlagsSteps(this, name, "remove", flags, area));
  }

  /** Synchronous {@linkcode FileStore.removeFlags}. */
  removeFlagsSync(name: string | StoredFile, flags: string, area?: string): StoredFile {
    return this.executor.runSync(setFlagsSteps(this, name, "remove", flags, area));
  }

  /**
   * Streams the entries of an area with constant memory, in directory order
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

  /** A snapshot of counts, bytes and ages per area, and stuck claims; see {@linkcode storeStats}. */
  stats(options: StatsOptions = {}): Promise<StoreStats> {
    return storeStats(this, options);
  }

  /** Yields each file that arrives in an area, once; see {@linkcode watchStore}. */
  watch(area = "new", options: WatchOptions = {}): AsyncIterableIterator<StoreEntry> {
    return watchStore(this, area, options);
  }

  /**
   * Runs a worker loop over new/; see {@linkcode consumeStore}.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.put("job");
   * await store.consume(async (item) => console.log(await item.text()), { untilEmpty: true });
   * ```
   */
  consume(handler: ConsumeHandler, options: ConsumeOptions = {}): Promise<ConsumeSummary> {
    return consumeStore(this, handler, options);
  }

  /** Hands claims of crashed holders back to new/; see {@linkcode recoverClaims}. */
  recover(options: RecoverOptions = {}): Promise<StoredFile[]> {
    return recoverClaims(this, options);
  }

  /** Synchronous {@linkcode FileStore.recover}. */
  recoverSync(options: RecoverOptions = {}): StoredFile[] {
    return recoverClaimsSync(this, options);
  }

  /** Deletes abandoned files in tmp/; see {@linkcode cleanTmp}. */
  clean(options: CleanOptions = {}): Promise<StoredFile[]> {
    return cleanTmp(this, options);
  }

  /** Synchronous {@linkcode FileStore.clean}. */
  cleanSync(options: CleanOptions = {}): StoredFile[] {
    return cleanTmpSync(this, options);
  }
}
