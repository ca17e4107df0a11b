/**
 * The FileStore class: the public face of a store. It holds the options and
 * hands every call to the module that owns the operation (`src/store/`);
 * the settings and file operations are in {@linkcode StoreBase}.
 *
 * @module
 */
import type { StoredFile } from "./store/resolve.ts";
import type { MoveOptions, StoreEntry } from "./store/files.ts";
import type { PutData, PutItem, PutOptions } from "./store/publish.ts";
import {
  type AckOptions,
  ackSteps,
  type Claim,
  claimSteps,
  type ReleaseOptions,
  releaseSteps,
  touchSteps,
} from "./store/claims.ts";
import { dueTime } from "./store/publish.ts";
import { type ItemError, keyOfItem, lastErrorSteps } from "./store/item_errors.ts";
import { pausedSteps, pauseSteps, resumeSteps } from "./store/pause.ts";
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

import { type FileStoreOptions, StoreBase } from "./store_base.ts";

export type { AckOptions, Claim, ItemError, MoveOptions, PutData, PutItem, PutOptions, ReleaseOptions };
export type { PutItemOptions } from "./store/publish.ts";
export type { StoredFile, StoreEntry };
export type { IoMode } from "./executor.ts";
export type { InfoSeparator } from "./name_parts.ts";
export { DELAYED_AREA, FAILED_AREA } from "./store/context.ts";

export { DEFAULT_INFO_SEPARATOR, type FileStoreOptions, STANDARD_AREAS, StoreBase } from "./store_base.ts";

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
export class FileStore extends StoreBase {
  readonly #queue: ClaimQueue;

  /**
   * Describes a store; does no I/O.
   *
   * @param path The store's directory; need not exist until `prepare()`.
   * @param options Extra areas, adapter, modes, durability default, host name, separator, I/O mode.
   */
  constructor(path: string, options: FileStoreOptions = {}) {
    super(path, options);
    this.#queue = new ClaimQueue(this);
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
   * another consumer (or a later try) to take. With `delay` (ms) it goes to
   * `delayed/` instead (made on first use) and comes back to `new/` when due.
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
   * const again = await store.next();
   * if (again) await store.release(again, { delay: 30_000 }); // back in 30 s
   * ```
   */
  release(claim: Claim | StoredFile | string, options: ReleaseOptions = {}): Promise<StoredFile> {
    const due = this.#releaseDue(options);
    return this.executor.run(releaseSteps(this, claim, due));
  }

  /** Synchronous {@linkcode FileStore.release}. */
  releaseSync(claim: Claim | StoredFile | string, options: ReleaseOptions = {}): StoredFile {
    const due = this.#releaseDue(options);
    return this.executor.runSync(releaseSteps(this, claim, due));
  }

  #releaseDue(options: ReleaseOptions): number | undefined {
    const due = dueTime({ delay: options.delay });
    if (due !== undefined) this.#queue.noteDue(due);
    else this.#queue.stale(); // back in new/: next() sees it in its order (its priority)
    return due;
  }

  /**
   * The earliest due time of a delayed item this store object saw (at its
   * last look at `delayed/`, at most a second ago while `next()` is called),
   * in ms since the epoch, or null when it saw none.
   *
   * @example
   * ```ts
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore("./spool");
   * await store.prepare();
   * await store.next();
   * store.nextDue(); // null, or when the next delayed item is due
   * ```
   */
  nextDue(): number | null {
    return this.#queue.nextDue();
  }

  /**
   * Pauses every `consume()` loop (and `filestore watch`) on this store, in
   * every process: each stops claiming within about one poll interval,
   * finishes the items it holds, and goes on by itself after `resume()`.
   * The pause is a hidden marker file, `<store>/.paused`, written atomically;
   * pausing twice changes nothing. `next()` and `claim()` do not look at it.
   *
   * @example
   * ```ts
   * import { mkdtemp } from "node:fs/promises";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await mkdtemp(join(tmpdir(), "store-")));
   * await store.prepare();
   * await store.pause();
   * await store.paused(); // true
   * await store.resume();
   * ```
   */
  pause(): Promise<void> {
    return this.executor.run(pauseSteps(this));
  }

  /** Synchronous {@linkcode FileStore.pause}. */
  pauseSync(): void {
    this.executor.runSync(pauseSteps(this));
  }

  /** Ends a pause (removes `<store>/.paused`); resuming a running store changes nothing. See {@linkcode FileStore.pause}. */
  resume(): Promise<void> {
    return this.executor.run(resumeSteps(this));
  }

  /** Synchronous {@linkcode FileStore.resume}. */
  resumeSync(): void {
    this.executor.runSync(resumeSteps(this));
  }

  /** Whether the store is paused; see {@linkcode FileStore.pause}. */
  paused(): Promise<boolean> {
    return this.executor.run(pausedSteps(this));
  }

  /** Synchronous {@linkcode FileStore.paused}. */
  pausedSync(): boolean {
    return this.executor.runSync(pausedSteps(this));
  }

  /**
   * Why an item failed last: the error its `consume()` handler threw (message,
   * stack) or how its `filestore watch --exec` command ended (exit code, the
   * end of its stderr), with the try it was (`attempts`, 1 for the first) and
   * when. Kept in `<store>/.errors/<key>.json` (at most 8 KiB) while the item
   * moves between areas; removed when the item is finally acknowledged.
   *
   * @param item A key, a name or path in any area, or a claim.
   * @returns The record, or null when the item has none.
   * @example
   * ```ts
   * import { mkdtemp } from "node:fs/promises";
   * import { tmpdir } from "node:os";
   * import { join } from "node:path";
   * import { FileStore } from "@filestore/filestore";
   *
   * const store = new FileStore(await mkdtemp(join(tmpdir(), "store-")));
   * await store.prepare();
   * const { name } = await store.put("job");
   * await store.consume(() => {
   *   throw new Error("no printer");
   * }, { untilEmpty: true, maxAttempts: 1 });
   * (await store.lastError(name))?.message; // "no printer"
   * ```
   */
  lastError(item: string | StoredFile | Claim): Promise<ItemError | null> {
    return this.executor.run(lastErrorSteps(this, keyOfItem(this, item)));
  }

  /** Synchronous {@linkcode FileStore.lastError}. */
  lastErrorSync(item: string | StoredFile | Claim): ItemError | null {
    return this.executor.runSync(lastErrorSteps(this, keyOfItem(this, item)));
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
