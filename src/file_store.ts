/**
 * The FileStore class: areas, names, and the operations on them.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import type { DirEntry, EntryKind, FsAdapter } from "./adapter.ts";
import { all, call, runAsync, runSync, type Steps } from "./_io.ts";
import { defaultAdapter } from "./adapters/detect.ts";
import { FileStoreError, osCode, wrapOsError } from "./errors.ts";
import { FileWriter, type WriteMode } from "./file_writer.ts";
import { flagChange, type FlagKind, flagsOf, renamedForFlags } from "./flags.ts";
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
import {
  baseOf,
  escapeHost,
  formatName,
  hasReservedField,
  makeUniqueName,
  MAX_NAME_BYTES,
  newClaimToken,
  parseName,
  printable,
  releasedName,
  validateName,
} from "./names.ts";

/** The three Maildir areas every store has. */
export const STANDARD_AREAS = ["tmp", "new", "cur"] as const;

/** Options of {@linkcode FileStore}. */
export interface FileStoreOptions {
  /**
   * Extra areas besides `tmp`, `new` and `cur`, created by `prepare()`.
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
   * Whether `put()` and `putMany()` fsync by default.
   * @default {true}
   */
  sync?: boolean;
  /**
   * The host name written into unique names and claims. Every machine sharing
   * a store must use a different one.
   * @default {the machine's host name}
   */
  host?: string;
}

/** A file in the store. */
export interface StoredFile {
  /** The file name inside its area. */
  name: string;
  /** The full path. */
  path: string;
}

/** A listing entry: a file in an area and what kind of entry it is. */
export interface StoreEntry extends StoredFile {
  /** `"file"` for a regular file; a `"symlink"` is never read through. */
  kind: EntryKind;
}

/** A claimed file in `cur/`, held by the caller until it is acknowledged or released. */
export interface Claim extends StoredFile {
  /** The key: the name without info part and filestore's fields; stable across areas. */
  key: string;
  /** How many times the item was handed back before this claim. */
  attempts: number;
}

/** The data `put()` accepts. */
export type PutData = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Options of `put()` and `putMany()`. */
export interface PutOptions {
  /**
   * The name in `new/`; a taken name fails with `ALREADY_EXISTS`, never replaced.
   * @default {a unique Maildir name}
   */
  name?: string;
  /**
   * fsync the file before publishing it and `new/` after.
   * @default {the store's `sync` option, true}
   */
  sync?: boolean;
}

/** One item of `putMany()`. */
export type PutItem = string | Uint8Array | { data: string | Uint8Array; name?: string };

/** Options of `move()`. */
export interface MoveOptions {
  /**
   * Replace a file of the same name in the target area.
   * @default {false}
   */
  overwrite?: boolean;
}

/** Options of `ack()`. */
export interface AckOptions {
  /**
   * Move the item to this area instead of deleting it.
   * @default {undefined: delete}
   */
  to?: string;
}

const encoder = new TextEncoder();

function toBytes(data: string | Uint8Array): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new TypeError(`Cannot store ${Object.prototype.toString.call(data)}: expected a string or a Uint8Array`);
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function visible(entry: DirEntry): boolean {
  return !entry.name.startsWith(".");
}

function missing(error: unknown): boolean {
  const code = osCode(error);
  return code === "ENOENT" || code === "NOT_FOUND";
}

// Error codes of link() on file systems that have no hard links.
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"]);

/**
 * A Maildir-style store: a directory with `tmp/`, `new/` and `cur/` through
 * which processes hand files to each other without locks.
 *
 * @example The walkthrough of gocept.filestore
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore(await Deno.makeTempDir()); // nothing happens yet
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
 * const store = new FileStore("/var/spool/jobs");
 * await store.prepare();
 * await store.put(JSON.stringify({ job: 1 })); // durable, atomic
 * const claim = await store.next(); // exactly one consumer gets it
 * if (claim) {
 *   const text = new TextDecoder().decode(await store.read(claim));
 *   await store.ack(claim);
 * }
 * ```
 */
export class FileStore {
  /** The store's directory, absolute. */
  readonly path: string;
  /** All areas: `tmp`, `new`, `cur` and the extra ones. */
  readonly areas: readonly string[];
  /** The file-system adapter in use. */
  readonly adapter: FsAdapter;
  /** Permission bits of new files. */
  readonly fileMode: number;
  /** Permission bits of new directories. */
  readonly dirMode: number;
  /** Whether puts fsync by default. */
  readonly sync: boolean;
  /** The escaped host name used in unique names and claims. */
  readonly host: string;

  #pending: DirEntry[] = [];
  #pendingIndex = 0;

  /**
   * Describes a store; does no I/O.
   *
   * @param path The store's directory; need not exist until `prepare()`.
   * @param options Extra areas, adapter, modes, durability default, host name.
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
    this.fileMode = options.fileMode ?? 0o600;
    this.dirMode = options.dirMode ?? 0o700;
    this.sync = options.sync ?? true;
    this.host = escapeHost(options.host ?? this.adapter.hostname());
  }

  // ---- paths and names -------------------------------------------------

  /**
   * The directory of an area; throws `INVALID_AREA` for an unknown one.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * new FileStore("/srv/q").areaPath("new"); // "/srv/q/new"
   * ```
   */
  areaPath(area: string): string {
    if (!this.areas.includes(area)) {
      const known = this.areas.map((a) => `'${a}'`).join(", ");
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
   * new FileStore("/srv/q").uniqueName(); // "1764270000.M123456P4242Q1R9f8e7d6c5b4a3921.myhost"
   * ```
   */
  uniqueName(): string {
    return makeUniqueName(this.adapter.pid(), this.host);
  }

  /** A file name in an area: a plain name, or a full path that must lie in that area. */
  #nameIn(area: string, nameOrPath: string | StoredFile): string {
    const dir = this.areaPath(area);
    const given = typeof nameOrPath === "object" && nameOrPath !== null ? nameOrPath.path : nameOrPath;
    if (typeof given === "string" && given.includes("/")) {
      // The common case, a path this store made (a claim's): `<dir>/<name>`, nothing to normalise.
      if (given.length > dir.length + 1 && given.startsWith(dir) && given[dir.length] === "/") {
        const name = given.slice(dir.length + 1);
        if (!name.includes("/")) return validateName(name);
      }
      const full = resolve(given);
      const slash = full.lastIndexOf("/");
      if (full.slice(0, slash) !== dir) {
        throw new FileStoreError("INVALID_NAME", `Invalid name '${printable(given)}': it is not in ${area}/`);
      }
      return validateName(full.slice(slash + 1));
    }
    return validateName(given as string);
  }

  // Runs `step` on a name in an area. Only if that name is not there does it
  // look the file up by key and run `step` once more on the name found, so a
  // key, a name whose flags changed meanwhile, or a full path all work, and
  // the hot path pays nothing. A claim's name matches on its whole base (key
  // and claim token): the lookup never lands on another holder's claim.
  *#resolved<T>(area: string, name: string, step: (name: string) => Steps<T>): Steps<T> {
    try {
      return yield* step(name);
    } catch (error) {
      if (!missing(error)) throw error;
      let entries: DirEntry[];
      try {
        entries = yield* call("readDir", this.areaPath(area));
      } catch {
        throw error;
      }
      const parts = parseName(name);
      const base = baseOf(name);
      const found = entries.find((entry) =>
        entry.name !== name && visible(entry) &&
        (parts.claim ? baseOf(entry.name) === base : parseName(entry.name).key === parts.key)
      );
      if (!found) throw error;
      return yield* step(found.name);
    }
  }

  // The name of a regular file in an area (lstat: symlinks are never followed).
  *#existing(area: string, name: string, action: string): Steps<string> {
    const path = `${this.areaPath(area)}/${name}`;
    if (!(yield* call("lstat", path)).isFile) {
      throw new FileStoreError("NOT_A_FILE", `Cannot ${action} '${path}': it is not a regular file`, { path });
    }
    return name;
  }

  // Explains an OS error: ENOENT on a missing area directory is NOT_PREPARED.
  *#explain(error: unknown, action: string, path: string, areas: string[]): Steps<FileStoreError> {
    if (error instanceof FileStoreError) return error;
    const code = osCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") {
      for (const area of areas) {
        const dir = this.areaPath(area);
        try {
          const info = yield* call("stat", dir);
          if (!info.isDirectory) {
            return new FileStoreError("IN_THE_WAY", `Cannot ${action} '${path}': '${dir}' is not a directory`, {
              cause: error,
              path: dir,
            });
          }
        } catch (statError) {
          if (osCode(statError) !== "ENOENT" && osCode(statError) !== "ENOTDIR") throw statError;
          return new FileStoreError(
            "NOT_PREPARED",
            `Cannot ${action} '${path}': the store is not prepared ('${dir}' is missing); call prepare() first`,
            { cause: error, path: dir },
          );
        }
      }
    }
    return wrapOsError(error, action, path);
  }

  // ---- prepare ----------------------------------------------------------

  *#prepareSteps(): Steps<void> {
    for (const dir of [this.path, ...this.areas.map((area) => `${this.path}/${area}`)]) {
      try {
        yield* call("mkdir", dir, this.dirMode);
      } catch (error) {
        const code = osCode(error);
        if (code === "EEXIST" || code === "ENOTDIR") {
          throw new FileStoreError(
            "IN_THE_WAY",
            `Cannot prepare '${dir}': something that is not a directory is in the way`,
            {
              cause: error,
              path: dir,
            },
          );
        }
        throw wrapOsError(error, "prepare", dir);
      }
      // mkdir -p accepts a symlink to a directory; an area must be the store's
      // own directory, or claims would move files out of wherever it points.
      if (dir === this.path) continue;
      let info;
      try {
        info = yield* call("lstat", dir);
      } catch (error) {
        throw wrapOsError(error, "prepare", dir);
      }
      if (info.isSymlink) {
        throw new FileStoreError(
          "IN_THE_WAY",
          `Cannot prepare '${dir}': it is a symlink, not the store's own directory`,
          {
            path: dir,
          },
        );
      }
    }
  }

  /**
   * Creates the store directory (with parents) and its areas. Calling it
   * again, or from several processes at once, does nothing more.
   *
   * @throws {FileStoreError} `IN_THE_WAY` when a non-directory, or a symlink, sits where an area must be.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.prepare(); // does nothing
   * ```
   */
  prepare(): Promise<void> {
    return runAsync(this.#prepareSteps(), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.prepare}. */
  prepareSync(): void {
    runSync(this.#prepareSteps(), this.adapter.sync);
  }

  // ---- create / list / move / copy / remove (the seed's API) -------------

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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await using file = await store.create("a-file");
   * await file.write("hello");
   * ```
   */
  async create(name: string, mode: WriteMode = "w"): Promise<FileWriter> {
    const path = this.#createPath(name, mode);
    try {
      const handle = await this.adapter.async.open(path, mode, this.fileMode);
      return new FileWriter(name, path, handle, this.adapter);
    } catch (error) {
      throw await runAsync(this.#explain(error, "create", path, ["tmp"]), this.adapter.async);
    }
  }

  /** Synchronous {@linkcode FileStore.create}. */
  createSync(name: string, mode: WriteMode = "w"): FileWriter {
    const path = this.#createPath(name, mode);
    try {
      const handle = this.adapter.sync.open(path, mode, this.fileMode);
      return new FileWriter(name, path, handle, this.adapter);
    } catch (error) {
      throw runSync(this.#explain(error, "create", path, ["tmp"]), this.adapter.sync);
    }
  }

  #createPath(name: string, mode: WriteMode): string {
    if (mode !== "w" && mode !== "wx" && mode !== "a") {
      throw new TypeError(`Invalid mode '${String(mode)}': expected "w", "wx" or "a"`);
    }
    return `${this.areaPath("tmp")}/${validateName(name)}`;
  }

  *#listSteps(area: string): Steps<string[]> {
    const dir = this.areaPath(area);
    let entries: DirEntry[];
    try {
      entries = yield* call("readDir", dir);
    } catch (error) {
      throw yield* this.#explain(error, "list", dir, [area]);
    }
    const names = entries.filter(visible).map((entry) => entry.name).sort(byName);
    return names.map((name) => `${dir}/${name}`);
  }

  /**
   * The full paths of the files in an area, sorted by name, without names
   * starting with `.`. The same on every runtime.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.list("tmp"); // []
   * ```
   */
  list(area: string): Promise<string[]> {
    return runAsync(this.#listSteps(area), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.list}. */
  listSync(area: string): string[] {
    return runSync(this.#listSteps(area), this.adapter.sync);
  }

  // Moves without replacing: link() fails if the target exists; then unlink the source.
  *#moveNoReplace(from: string, to: string, action: string, areas: string[]): Steps<void> {
    try {
      yield* call("link", from, to);
    } catch (error) {
      const code = osCode(error);
      if (code === "EEXIST") {
        throw new FileStoreError("ALREADY_EXISTS", `Cannot ${action} '${from}': '${to}' already exists`, {
          cause: error,
          path: to,
        });
      }
      if (!NO_HARD_LINKS.has(code ?? "")) throw yield* this.#explain(error, action, from, areas);
      // No hard links here (or a directory): check, then rename.
      yield* this.#refuseExisting(to, from, action);
      try {
        yield* call("rename", from, to);
      } catch (renameError) {
        throw yield* this.#explain(renameError, action, from, areas);
      }
      return;
    }
    try {
      yield* call("unlink", from);
    } catch (error) {
      if (osCode(error) !== "ENOENT") throw wrapOsError(error, action, from);
    }
  }

  *#refuseExisting(path: string, source: string, action: string): Steps<void> {
    try {
      yield* call("lstat", path);
    } catch {
      return;
    }
    throw new FileStoreError("ALREADY_EXISTS", `Cannot ${action} '${source}': '${path}' already exists`, { path });
  }

  *#moveSteps(name: string | StoredFile, from: string, to: string, options: MoveOptions): Steps<void> {
    yield* this.#resolved(from, this.#nameIn(from, name), (file) => this.#moveOne(file, from, to, options));
  }

  *#moveOne(file: string, from: string, to: string, options: MoveOptions): Steps<void> {
    const source = `${this.areaPath(from)}/${file}`;
    const target = `${this.areaPath(to)}/${file}`;
    if (source === target) return;
    if (!options.overwrite) return yield* this.#moveNoReplace(source, target, "move", [from, to]);
    try {
      yield* call("rename", source, target);
    } catch (error) {
      throw yield* this.#explain(error, "move", source, [from, to]);
    }
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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await (await store.create("a-file")).close();
   * await store.move("a-file", "tmp", "new");
   * ```
   */
  move(name: string | StoredFile, from: string, to: string, options: MoveOptions = {}): Promise<void> {
    return runAsync(this.#moveSteps(name, from, to, options), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.move}. */
  moveSync(name: string | StoredFile, from: string, to: string, options: MoveOptions = {}): void {
    runSync(this.#moveSteps(name, from, to, options), this.adapter.sync);
  }

  *#copySteps(name: string | StoredFile, from: string, to: string): Steps<void> {
    let file = this.#nameIn(from, name);
    try {
      file = yield* this.#resolved(from, file, (found) => this.#existing(from, found, "copy"));
    } catch (error) {
      throw yield* this.#explain(error, "copy", `${this.areaPath(from)}/${file}`, [from]);
    }
    const source = `${this.areaPath(from)}/${file}`;
    const target = `${this.areaPath(to)}/${file}`;
    // Copy under a fresh name in tmp/, so no reader ever sees a partial copy.
    const temporary = `${this.areaPath("tmp")}/${this.uniqueName()}`;
    try {
      yield* call("copyFile", source, temporary);
    } catch (error) {
      yield* this.#discard(temporary);
      throw yield* this.#explain(error, "copy", source, [from, "tmp"]);
    }
    try {
      yield* this.#moveNoReplace(temporary, target, "copy", [to]);
    } catch (error) {
      yield* this.#discard(temporary);
      throw error instanceof FileStoreError && error.code === "ALREADY_EXISTS"
        ? new FileStoreError("ALREADY_EXISTS", `Cannot copy '${source}': '${target}' already exists`, {
          cause: error.cause,
          path: target,
        })
        : error;
    }
  }

  /**
   * Copies a file into another area. The copy is written in `tmp/` and
   * renamed into place, so it is never seen half-written.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir(), { areas: ["archive"] });
   * await store.prepare();
   * await store.put("x", { name: "a-file" });
   * await store.copy("a-file", "new", "archive");
   * ```
   */
  copy(name: string | StoredFile, from: string, to: string): Promise<void> {
    return runAsync(this.#copySteps(name, from, to), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.copy}. */
  copySync(name: string | StoredFile, from: string, to: string): void {
    runSync(this.#copySteps(name, from, to), this.adapter.sync);
  }

  *#removeSteps(name: string | StoredFile, area: string): Steps<void> {
    const dir = this.areaPath(area);
    const file = this.#nameIn(area, name);
    try {
      yield* this.#resolved(area, file, (found) => call("unlink", `${dir}/${found}`));
    } catch (error) {
      throw yield* this.#explain(error, "remove", `${dir}/${file}`, [area]);
    }
  }

  /**
   * Deletes a file from an area.
   *
   * @throws {FileStoreError} `NOT_FOUND` when it is not there.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.put("x", { name: "a-file" });
   * await store.remove("a-file", "new");
   * ```
   */
  remove(name: string | StoredFile, area: string): Promise<void> {
    return runAsync(this.#removeSteps(name, area), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.remove}. */
  removeSync(name: string | StoredFile, area: string): void {
    runSync(this.#removeSteps(name, area), this.adapter.sync);
  }

  *#readSteps(name: string | StoredFile, area: string): Steps<Uint8Array> {
    const dir = this.areaPath(area);
    const file = this.#nameIn(area, name);
    const path = `${dir}/${file}`;
    try {
      return yield* this.#resolved(area, file, (found) => call("readFile", `${dir}/${found}`));
    } catch (error) {
      if (osCode(error) === "ELOOP") {
        throw new FileStoreError(
          "NOT_A_FILE",
          `Cannot read '${path}': it is a symlink, which the store never follows`,
          {
            cause: error,
            path,
          },
        );
      }
      throw yield* this.#explain(error, "read", path, [area]);
    }
  }

  /**
   * Reads a file. A symlink is refused with `NOT_A_FILE`, never followed.
   *
   * @param name A name, a full path, or a claim (then `area` defaults to `cur`).
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.put("hello", { name: "greeting" });
   * const bytes = await store.read("greeting", "new");
   * ```
   */
  read(name: string | StoredFile, area = "cur"): Promise<Uint8Array> {
    return runAsync(this.#readSteps(name, area), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.read}. */
  readSync(name: string | StoredFile, area = "cur"): Uint8Array {
    return runSync(this.#readSteps(name, area), this.adapter.sync);
  }

  // ---- put --------------------------------------------------------------

  #targetName(options: PutOptions): string {
    if (options.name === undefined) return this.uniqueName();
    const name = validateName(options.name);
    if (hasReservedField(name)) {
      throw new FileStoreError("INVALID_NAME", `Invalid name '${printable(name)}': ',A=' and ',C=' are reserved`);
    }
    const room = MAX_NAME_BYTES - this.#claimRoom();
    if (encoder.encode(name).byteLength > room) {
      throw new FileStoreError(
        "INVALID_NAME",
        `Invalid name '${printable(name)}': it is too long to be claimed (at most ${room} bytes with this host name)`,
      );
    }
    return name;
  }

  // Bytes a claim adds to a name: ",A=<attempts>,C=P<pid>R<tag>@<host>:2,".
  #claimRoom(): number {
    return encoder.encode(`,A=999999,C=P9999999999Rffffffff@${this.host}:2,`).byteLength;
  }

  // The tmp/ name of an item: its own unique name (as Maildir does), or a fresh
  // unique one for a caller's name, so that two producers never share a tmp file.
  #temporaryPath(name: string, chosen: boolean): string {
    return `${this.areaPath("tmp")}/${chosen ? this.uniqueName() : name}`;
  }

  // Writes one file in tmp/ exclusively. On failure nothing is left behind.
  *#writeTemporary(temporary: string, data: Uint8Array, sync: boolean): Steps<string> {
    try {
      yield* call("writeFile", temporary, data, { flag: "wx", mode: this.fileMode, sync });
    } catch (error) {
      yield* this.#discard(temporary);
      throw yield* this.#explain(error, "put", temporary, ["tmp"]);
    }
    return temporary;
  }

  // Moves a complete tmp file into new/. Unique names are renamed (they cannot
  // collide); a caller's name is linked, so a taken name is never replaced.
  *#publish(temporary: string, name: string, chosen: boolean): Steps<StoredFile> {
    const path = `${this.areaPath("new")}/${name}`;
    try {
      if (chosen) yield* this.#moveNoReplace(temporary, path, "put", ["tmp", "new"]);
      else yield* call("rename", temporary, path);
    } catch (error) {
      yield* this.#discard(temporary);
      if (error instanceof FileStoreError && error.code === "ALREADY_EXISTS") {
        throw new FileStoreError("ALREADY_EXISTS", `Cannot put '${name}': it already exists in new/`, {
          cause: error.cause,
          path,
        });
      }
      throw yield* this.#explain(error, "put", path, ["tmp", "new"]);
    }
    return { name, path };
  }

  *#discard(path: string): Steps<void> {
    try {
      yield* call("unlink", path);
    } catch {
      // Already gone, or never created.
    }
  }

  *#syncDir(area: string): Steps<void> {
    const dir = this.areaPath(area);
    try {
      yield* call("syncDir", dir);
    } catch (error) {
      throw yield* this.#explain(error, "sync", dir, [area]);
    }
  }

  *#putSteps(data: Uint8Array, options: PutOptions): Steps<StoredFile> {
    const sync = options.sync ?? this.sync;
    const name = this.#targetName(options);
    const chosen = options.name !== undefined;
    const temporary = yield* this.#writeTemporary(this.#temporaryPath(name, chosen), data, sync);
    const stored = yield* this.#publish(temporary, name, chosen);
    if (sync) yield* this.#syncDir("new");
    return stored;
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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const { name } = await store.put("payload");
   * await store.put("fast, not crash-safe", { sync: false });
   * ```
   */
  async put(data: PutData, options: PutOptions = {}): Promise<StoredFile> {
    if (typeof data === "string" || data instanceof Uint8Array) {
      return runAsync(this.#putSteps(toBytes(data), options), this.adapter.async);
    }
    if (typeof (data as AsyncIterable<Uint8Array> | null)?.[Symbol.asyncIterator] !== "function") {
      const given = Object.prototype.toString.call(data);
      throw new TypeError(
        `Cannot store ${given}: expected a string, a Uint8Array, a ReadableStream or an async iterable`,
      );
    }
    return await this.#putStream(data, options);
  }

  /** Synchronous {@linkcode FileStore.put}, for strings and bytes. */
  putSync(data: string | Uint8Array, options: PutOptions = {}): StoredFile {
    return runSync(this.#putSteps(toBytes(data), options), this.adapter.sync);
  }

  async #putStream(data: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, options: PutOptions) {
    const sync = options.sync ?? this.sync;
    const name = this.#targetName(options);
    const chosen = options.name !== undefined;
    const temporary = this.#temporaryPath(name, chosen);
    const fs = this.adapter.async;
    let handle: unknown;
    try {
      handle = await fs.open(temporary, "wx", this.fileMode);
    } catch (error) {
      throw await runAsync(this.#explain(error, "put", temporary, ["tmp"]), fs);
    }
    try {
      try {
        for await (const chunk of data as AsyncIterable<Uint8Array>) await fs.write(handle, toBytes(chunk));
        if (sync) await fs.fsync(handle);
      } finally {
        await fs.close(handle);
      }
    } catch (error) {
      await runAsync(this.#discard(temporary), fs);
      // The caller's own stream failing (or yielding something not bytes) is theirs to see as is.
      if (osCode(error) === undefined) throw error;
      throw await runAsync(this.#explain(error, "put", temporary, ["tmp"]), fs);
    }
    const stored = await runAsync(this.#publish(temporary, name, chosen), fs);
    if (sync) await runAsync(this.#syncDir("new"), fs);
    return stored;
  }

  *#putManySteps(items: readonly PutItem[], options: PutOptions, temporaries: string[]): Steps<StoredFile[]> {
    const sync = options.sync ?? this.sync;
    const published: StoredFile[] = [];
    try {
      const targets: { name: string; chosen: boolean; data: Uint8Array }[] = [];
      for (const item of items) {
        const described = typeof item === "object" && !(item instanceof Uint8Array);
        const chosen = described && item.name !== undefined;
        const name = this.#targetName({ name: described ? item.name : undefined });
        targets.push({ name, chosen, data: toBytes(described ? item.data : item) });
      }
      // The writes are independent: the async runner overlaps them (and their fsyncs).
      const written = yield* all(
        targets.map(({ name, chosen, data }) => this.#writeTemporary(this.#temporaryPath(name, chosen), data, sync)),
      );
      for (const result of written) if (result.status === "fulfilled") temporaries.push(result.value);
      const failed = written.find((result) => result.status === "rejected");
      if (failed) throw failed.reason;
      for (const [i, { name, chosen }] of targets.entries()) {
        published.push(yield* this.#publish(temporaries[i], name, chosen));
      }
    } catch (error) {
      for (const temporary of temporaries.slice(published.length)) yield* this.#discard(temporary);
      if (error instanceof FileStoreError && published.length > 0) {
        (error as FileStoreError & { published?: StoredFile[] }).published = published;
      }
      throw error;
    }
    // Group commit: one fsync of new/ makes every rename of the batch durable.
    if (sync) yield* this.#syncDir("new");
    return published;
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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const stored = await store.putMany(["a", "b", { data: "c", name: "third" }]);
   * ```
   */
  putMany(items: readonly PutItem[], options: Omit<PutOptions, "name"> = {}): Promise<StoredFile[]> {
    return runAsync(this.#putManySteps(items, options, []), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.putMany}. */
  putManySync(items: readonly PutItem[], options: Omit<PutOptions, "name"> = {}): StoredFile[] {
    return runSync(this.#putManySteps(items, options, []), this.adapter.sync);
  }

  // ---- claims -----------------------------------------------------------

  // Renames new/<name> to a name unique to this claim: on file systems where a
  // stale client's rename of a vanished name "succeeds", two claimants still
  // cannot both end up holding one file (each holds only its own name).
  *#tryClaim(name: string): Steps<Claim | null> {
    const parts = parseName(name);
    const claimed = formatName(parts.key, {
      attempts: parts.attempts,
      claim: newClaimToken(this.adapter.pid(), this.host),
      info: parts.info ?? "2,",
    });
    const source = `${this.path}/new/${name}`;
    const path = `${this.path}/cur/${claimed}`;
    if (claimed.length > MAX_NAME_BYTES / 3 && encoder.encode(claimed).byteLength > MAX_NAME_BYTES) {
      throw new FileStoreError(
        "INVALID_NAME",
        `Cannot claim '${source}': the name is too long to carry a claim (over ${MAX_NAME_BYTES} bytes)`,
        { path: source },
      );
    }
    try {
      yield* call("rename", source, path);
    } catch (error) {
      // ENOENT is a lost race, or cur/ is gone: callers tell the two apart once
      // per batch (#nextSteps) or per call (#claimSteps), not once per lost race.
      if (osCode(error) === "ENOENT") return null;
      throw yield* this.#explain(error, "claim", source, ["new", "cur"]);
    }
    return { name: claimed, path, key: parts.key, attempts: parts.attempts };
  }

  // After claims failed with ENOENT: lost races, unless cur/ itself is gone.
  *#requireCur(source: string): Steps<void> {
    try {
      yield* call("stat", this.areaPath("cur"));
    } catch (error) {
      throw yield* this.#explain(error, "claim", source, ["cur"]);
    }
  }

  *#claimSteps(nameOrPath: string | StoredFile): Steps<Claim | null> {
    let name = this.#nameIn("new", nameOrPath);
    try {
      name = yield* this.#resolved("new", name, (found) => this.#existing("new", found, "claim"));
    } catch (error) {
      const explained = yield* this.#explain(error, "claim", `${this.path}/new/${name}`, ["new"]);
      if (explained.code === "NOT_FOUND") return null; // taken by someone else, or never there
      throw explained;
    }
    const claim = yield* this.#tryClaim(name);
    if (claim === null) yield* this.#requireCur(`${this.path}/new/${name}`);
    return claim;
  }

  /**
   * Claims a file in `new/` by moving it to `cur/` under a name unique to this
   * claim. Returns `null` when another process got it first: a lost race is
   * never an exception.
   *
   * @param name The name in `new/`, its key, or its full path.
   * @throws {FileStoreError} `NOT_A_FILE` for a symlink or directory.
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const { name } = await store.put("job");
   * const claim = await store.claim(name); // null if someone else won
   * ```
   */
  claim(name: string | StoredFile): Promise<Claim | null> {
    return runAsync(this.#claimSteps(name), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.claim}. */
  claimSync(name: string | StoredFile): Claim | null {
    return runSync(this.#claimSteps(name), this.adapter.sync);
  }

  // Claims from a cached listing, refilled only when exhausted: draining N
  // items reads the directory O(1) times per batch, not once per item.
  *#nextSteps(): Steps<Claim | null> {
    for (;;) {
      const tried = this.#pending.length - this.#pendingIndex;
      while (this.#pendingIndex < this.#pending.length) {
        const entry = this.#pending[this.#pendingIndex++];
        if (entry.kind === "unknown" && !(yield* this.#isRegular(`${this.path}/new/${entry.name}`))) continue;
        let claim: Claim | null;
        try {
          claim = yield* this.#tryClaim(entry.name);
        } catch (error) {
          // Left alone: a name from another tool too long to carry a claim.
          if (error instanceof FileStoreError && error.code === "INVALID_NAME") continue;
          throw error;
        }
        if (claim) return claim;
      }
      // Every rename failed with ENOENT: lost races, or cur/ is gone (then stop, not spin).
      if (tried > 0) yield* this.#requireCur(this.areaPath("new"));
      const dir = this.areaPath("new");
      let entries: DirEntry[];
      try {
        entries = yield* call("readDir", dir);
      } catch (error) {
        throw yield* this.#explain(error, "claim from", dir, ["new"]);
      }
      // Symlinks, directories and dot files are never claimed; listings show them.
      this.#pending = entries.filter((entry) => visible(entry) && (entry.kind === "file" || entry.kind === "unknown"));
      this.#pending.sort((a, b) => byName(a.name, b.name));
      this.#pendingIndex = 0;
      if (this.#pending.length === 0) return null;
    }
  }

  // For listings that do not say what an entry is (DT_UNKNOWN): one lstat.
  *#isRegular(path: string): Steps<boolean> {
    try {
      return (yield* call("lstat", path)).isFile;
    } catch {
      return false;
    }
  }

  /**
   * Claims the oldest available item in `new/` (by name order, which for
   * unique names is arrival order), or returns `null` when `new/` is empty.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.put("job");
   * for (let claim; (claim = await store.next()); ) {
   *   await store.ack(claim);
   * }
   * ```
   */
  next(): Promise<Claim | null> {
    return runAsync(this.#nextSteps(), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.next}. */
  nextSync(): Claim | null {
    return runSync(this.#nextSteps(), this.adapter.sync);
  }

  #claimedPath(claim: Claim | StoredFile | string): { name: string; path: string } {
    const name = this.#nameIn("cur", claim);
    return { name, path: `${this.path}/cur/${name}` };
  }

  #lost(error: unknown, action: string, path: string): FileStoreError {
    return new FileStoreError(
      "LOST_CLAIM",
      `Cannot ${action} '${path}': the claim is no longer held (it was recovered or acknowledged)`,
      { cause: error, path },
    );
  }

  *#ackSteps(claim: Claim | StoredFile | string, options: AckOptions): Steps<void> {
    const { name, path } = this.#claimedPath(claim);
    try {
      yield* this.#resolved("cur", name, (found) => this.#ackOne(found, options));
    } catch (error) {
      if (yield* this.#isLost(error, options.to)) throw this.#lost(error, "acknowledge", path);
      throw yield* this.#explain(error, "acknowledge", path, options.to ? ["cur", options.to] : ["cur"]);
    }
  }

  *#ackOne(name: string, options: AckOptions): Steps<void> {
    const path = `${this.path}/cur/${name}`;
    if (options.to === undefined) return yield* call("unlink", path);
    const parts = parseName(name);
    const kept = formatName(parts.key, { attempts: parts.attempts, info: parts.info });
    yield* call("rename", path, `${this.areaPath(options.to)}/${kept}`);
  }

  // ENOENT means the claim is gone when cur/ and the target area are there: a
  // missing target area (new/, done/...) is NOT_PREPARED, and the claim still
  // held. The areas are asked, not the claim's name: on a shared file system a
  // client can still stat a name another client renamed away (GlusterFS: for
  // about a second), while directories are never replaced.
  *#isLost(error: unknown, target?: string): Steps<boolean> {
    if (osCode(error) !== "ENOENT" || !(yield* this.#areaExists("cur"))) return false;
    return target === undefined || (yield* this.#areaExists(target));
  }

  *#areaExists(area: string): Steps<boolean> {
    try {
      return (yield* call("stat", this.areaPath(area))).isDirectory;
    } catch {
      return false;
    }
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
   * const store = new FileStore(await Deno.makeTempDir(), { areas: ["done"] });
   * await store.prepare();
   * await store.put("job");
   * const claim = await store.next();
   * if (claim) await store.ack(claim, { to: "done" });
   * ```
   */
  ack(claim: Claim | StoredFile | string, options: AckOptions = {}): Promise<void> {
    return runAsync(this.#ackSteps(claim, options), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.ack}. */
  ackSync(claim: Claim | StoredFile | string, options: AckOptions = {}): void {
    runSync(this.#ackSteps(claim, options), this.adapter.sync);
  }

  *#releaseSteps(claim: Claim | StoredFile | string): Steps<StoredFile> {
    const { name, path } = this.#claimedPath(claim);
    try {
      return yield* this.#resolved("cur", name, (found) => this.#releaseOne(found));
    } catch (error) {
      if (yield* this.#isLost(error, "new")) throw this.#lost(error, "release", path);
      throw yield* this.#explain(error, "release", path, ["cur", "new"]);
    }
  }

  *#releaseOne(name: string): Steps<StoredFile> {
    const released = releasedName(name);
    const target = `${this.path}/new/${released}`;
    yield* call("rename", `${this.path}/cur/${name}`, target);
    return { name: released, path: target };
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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.put("job");
   * const claim = await store.next();
   * if (claim) await store.release(claim); // attempts is 1 when claimed again
   * ```
   */
  release(claim: Claim | StoredFile | string): Promise<StoredFile> {
    return runAsync(this.#releaseSteps(claim), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.release}. */
  releaseSync(claim: Claim | StoredFile | string): StoredFile {
    return runSync(this.#releaseSteps(claim), this.adapter.sync);
  }

  *#touchOne(path: string, now: number): Steps<void> {
    // utimes follows symlinks: check first, so a planted link's target is never touched.
    if (!(yield* call("lstat", path)).isFile) {
      throw new FileStoreError("NOT_A_FILE", `Cannot touch '${path}': it is not a regular file`, { path });
    }
    yield* call("utimes", path, now, now);
  }

  *#touchSteps(claim: Claim | StoredFile | string): Steps<void> {
    const { name, path } = this.#claimedPath(claim);
    const now = Date.now() / 1000;
    try {
      yield* this.#resolved("cur", name, (found) => this.#touchOne(`${this.path}/cur/${found}`, now));
    } catch (error) {
      if (yield* this.#isLost(error)) throw this.#lost(error, "touch", path);
      throw yield* this.#explain(error, "touch", path, ["cur"]);
    }
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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.put("long job");
   * const claim = await store.next();
   * if (claim) await store.touch(claim);
   * ```
   */
  touch(claim: Claim | StoredFile | string): Promise<void> {
    return runAsync(this.#touchSteps(claim), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.touch}. */
  touchSync(claim: Claim | StoredFile | string): void {
    runSync(this.#touchSteps(claim), this.adapter.sync);
  }

  // ---- flags (see src/flags.ts) ------------------------------------------

  // Where flags() looks: in `area` if given, else in the area of a full path,
  // else in cur/ (where mail readers keep read mail) and then in new/.
  #flagAreas(nameOrPath: string | StoredFile, area: string | undefined): string[] {
    if (area !== undefined) return [area];
    const given = typeof nameOrPath === "object" && nameOrPath !== null ? nameOrPath.path : nameOrPath;
    if (typeof given !== "string" || !given.includes("/")) return ["cur", "new"];
    const dir = dirname(resolve(given));
    return [this.areas.find((a) => `${this.path}/${a}` === dir) ?? "cur"];
  }

  *#locate(nameOrPath: string | StoredFile, areas: string[]): Steps<{ area: string; name: string }> {
    const [area, ...rest] = areas;
    const name = this.#nameIn(area, nameOrPath);
    try {
      return { area, name: yield* this.#resolved(area, name, (found) => this.#existing(area, found, "flag")) };
    } catch (error) {
      if (missing(error) && rest.length > 0) return yield* this.#locate(nameOrPath, rest);
      throw yield* this.#explain(error, "find the flags of", `${this.areaPath(area)}/${name}`, [area]);
    }
  }

  *#flagsSteps(nameOrPath: string | StoredFile, area?: string): Steps<string> {
    return flagsOf((yield* this.#locate(nameOrPath, this.#flagAreas(nameOrPath, area))).name);
  }

  // Renames the file within its area to carry the new flags. If another
  // process renamed it meanwhile (a mail reader flagging it), looks again.
  *#setFlagsSteps(nameOrPath: string | StoredFile, kind: FlagKind, flags: string, area?: string): Steps<StoredFile> {
    const change = flagChange(kind, flags);
    for (let attempt = 1;; attempt++) {
      const found = yield* this.#locate(nameOrPath, this.#flagAreas(nameOrPath, area));
      const dir = this.areaPath(found.area);
      const renamed = renamedForFlags(found.name, change);
      if (renamed === undefined) return { name: found.name, path: `${dir}/${found.name}` };
      try {
        yield* call("rename", `${dir}/${found.name}`, `${dir}/${renamed}`);
        return { name: renamed, path: `${dir}/${renamed}` };
      } catch (error) {
        if (osCode(error) !== "ENOENT" || attempt === 3) {
          throw yield* this.#explain(error, "flag", `${dir}/${found.name}`, [found.area]);
        }
      }
    }
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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const { name } = await store.put("mail");
   * await store.addFlags(name, "S");
   * await store.flags(name); // "S"
   * ```
   */
  flags(name: string | StoredFile, area?: string): Promise<string> {
    return runAsync(this.#flagsSteps(name, area), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.flags}. */
  flagsSync(name: string | StoredFile, area?: string): string {
    return runSync(this.#flagsSteps(name, area), this.adapter.sync);
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
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const { name } = await store.put("mail");
   * await store.setFlags(name, "SF", "new"); // new/<name>:2,FS
   * ```
   */
  setFlags(name: string | StoredFile, flags: string, area?: string): Promise<StoredFile> {
    return runAsync(this.#setFlagsSteps(name, "set", flags, area), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.setFlags}. */
  setFlagsSync(name: string | StoredFile, flags: string, area?: string): StoredFile {
    return runSync(this.#setFlagsSteps(name, "set", flags, area), this.adapter.sync);
  }

  /**
   * Adds flags to a file, keeping the ones it has; see {@linkcode FileStore.setFlags}.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const { name } = await store.put("mail");
   * await store.addFlags(name, "R");
   * ```
   */
  addFlags(name: string | StoredFile, flags: string, area?: string): Promise<StoredFile> {
    return runAsync(this.#setFlagsSteps(name, "add", flags, area), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.addFlags}. */
  addFlagsSync(name: string | StoredFile, flags: string, area?: string): StoredFile {
    return runSync(this.#setFlagsSteps(name, "add", flags, area), this.adapter.sync);
  }

  /**
   * Removes flags from a file, keeping the others; see {@linkcode FileStore.setFlags}.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const { name } = await store.put("mail");
   * await store.setFlags(name, "FS");
   * await store.removeFlags(name, "F"); // ":2,S"
   * ```
   */
  removeFlags(name: string | StoredFile, flags: string, area?: string): Promise<StoredFile> {
    return runAsync(this.#setFlagsSteps(name, "remove", flags, area), this.adapter.async);
  }

  /** Synchronous {@linkcode FileStore.removeFlags}. */
  removeFlagsSync(name: string | StoredFile, flags: string, area?: string): StoredFile {
    return runSync(this.#setFlagsSteps(name, "remove", flags, area), this.adapter.sync);
  }

  // ---- streaming listings --------------------------------------------------

  /**
   * Streams the entries of an area with constant memory, in directory order
   * (not sorted), without names starting with `.`. Symlinks and other
   * non-regular entries are included and marked by `kind`.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * for await (const entry of store.entries("new")) console.log(entry.name, entry.kind);
   * ```
   */
  async *entries(area: string): AsyncIterableIterator<StoreEntry> {
    const dir = this.areaPath(area);
    let iterator: AsyncIterator<DirEntry>;
    try {
      iterator = this.adapter.dirEntries(dir)[Symbol.asyncIterator]();
      for (;;) {
        const step = await iterator.next();
        if (step.done) return;
        const entry = step.value;
        if (visible(entry)) yield { name: entry.name, path: `${dir}/${entry.name}`, kind: entry.kind };
      }
    } catch (error) {
      throw await runAsync(this.#explain(error, "list", dir, [area]), this.adapter.async);
    }
  }

  /**
   * Counts the entries of an area (without names starting with `.`), streaming.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.count("new"); // 0
   * ```
   */
  async count(area: string): Promise<number> {
    let n = 0;
    for await (const _entry of this.entries(area)) n++;
    return n;
  }

  /** Synchronous {@linkcode FileStore.count}. */
  countSync(area: string): number {
    return this.listSync(area).length;
  }

  /**
   * A snapshot: count, bytes and oldest entry per area, claims, and claims
   * whose lease ran out. One lstat per entry: for monitoring, not hot paths.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * const { areas, stuck } = await store.stats();
   * ```
   */
  stats(options: StatsOptions = {}): Promise<StoreStats> {
    return storeStats(this, options);
  }

  // ---- workers (src/watch.ts, src/consume.ts, src/recover.ts) -------------

  /**
   * Yields each file that arrives in an area, once; see {@linkcode watchStore}.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("/var/spool/jobs");
   * const signal = AbortSignal.timeout(60_000);
   * for await (const file of store.watch("new", { signal })) console.log(file.name);
   * ```
   */
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
   * const store = new FileStore(await Deno.makeTempDir(), { areas: ["failed"] });
   * await store.prepare();
   * await store.put("job");
   * await store.consume(async (item) => console.log(await item.text()), { untilEmpty: true });
   * ```
   */
  consume(handler: ConsumeHandler, options: ConsumeOptions = {}): Promise<ConsumeSummary> {
    return consumeStore(this, handler, options);
  }

  /**
   * Hands claims of crashed holders back to new/; see {@linkcode recoverClaims}.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.recover({ olderThan: 60_000 }); // []
   * ```
   */
  recover(options: RecoverOptions = {}): Promise<StoredFile[]> {
    return recoverClaims(this, options);
  }

  /** Synchronous {@linkcode FileStore.recover}. */
  recoverSync(options: RecoverOptions = {}): StoredFile[] {
    return recoverClaimsSync(this, options);
  }

  /**
   * Deletes abandoned files in tmp/; see {@linkcode cleanTmp}.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await Deno.makeTempDir());
   * await store.prepare();
   * await store.clean(); // files in tmp/ older than 36 hours
   * ```
   */
  clean(options: CleanOptions = {}): Promise<StoredFile[]> {
    return cleanTmp(this, options);
  }

  /** Synchronous {@linkcode FileStore.clean}. */
  cleanSync(options: CleanOptions = {}): StoredFile[] {
    return cleanTmpSync(this, options);
  }
}
