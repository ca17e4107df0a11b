/**
 * The dashboard's sampler: takes `stats()` of a store at a steady interval
 * and keeps the last minutes of samples, with arrivals and completions
 * derived from the names seen in `new/` and `cur/`.
 *
 * @module
 */
import { type FileStore, STANDARD_AREAS } from "../file_store.ts";
import { keyOf, parseName } from "../name_parts.ts";
import type { StoreStats } from "../stats.ts";

/** One point of the history. */
export interface Sample {
  /** When the sample was taken, ms since the epoch. */
  t: number;
  /** Milliseconds since the previous sample: rates are `arrivals / elapsed`. */
  elapsed: number;
  /** Items that entered the store's pipeline (`new/` or `cur/`) since the previous sample. */
  arrivals: number;
  /** Items that left it (acknowledged: deleted or moved to another area) since the previous sample. */
  completions: number;
  /** Entries per area. */
  counts: Record<string, number>;
}

/** A file of an area as the dashboard lists it. */
export interface ItemInfo {
  /** The file name. */
  name: string;
  /** Its key: the name without info part and filestore's fields. */
  key: string;
  /** How many times it was handed back (the `,A=` field). */
  attempts: number;
  /** Its size in bytes. */
  size: number;
  /** Its modification time, ms since the epoch. */
  mtime: number;
  /** `"file"`, `"symlink"`, `"directory"` or `"other"`. */
  kind: string;
}

/** Options of {@linkcode Sampler}. */
export interface SamplerOptions {
  /**
   * Milliseconds between samples (longer when a sample itself takes longer).
   * @default {1000}
   */
  interval?: number;
  /**
   * How much history to keep, in milliseconds.
   * @default {300000}
   */
  history?: number;
  /**
   * A claim older than this (ms) counts as stuck.
   * @default {300000}
   */
  lease?: number;
  /**
   * The area of failed items whose newest entries are listed, if the store has it.
   * @default {"failed"}
   */
  failedArea?: string;
  /**
   * How many of the newest failed items each snapshot lists.
   * @default {10}
   */
  failedLimit?: number;
}

/** The latest state the sampler knows. */
export interface Snapshot {
  /** The latest `stats()`, or null before the first sample. */
  stats: StoreStats | null;
  /** Samples, oldest first. */
  history: Sample[];
  /** The newest items of the failed area, newest first; empty when the store has no such area. */
  failed: ItemInfo[];
  /** The failed area, or null when the store has none. */
  failedArea: string | null;
  /** The message of the last sampling error, or null when the last sample succeeded. */
  error: string | null;
}

/**
 * Lists an area's entries with size and modification time, newest first.
 * Entries that vanish while being listed are left out.
 */
export async function newestItems(store: FileStore, area: string, limit: number): Promise<ItemInfo[]> {
  const items: ItemInfo[] = [];
  for await (const entry of store.entries(area)) {
    const info = await store.adapter.async.lstat(entry.path).catch(() => undefined);
    if (!info) continue;
    const kind = info.isFile ? "file" : info.isSymlink ? "symlink" : info.isDirectory ? "directory" : "other";
    const { key, attempts } = parseName(entry.name);
    items.push({ name: entry.name, key, attempts, size: info.size, mtime: info.mtimeMs, kind });
  }
  items.sort((a, b) => b.mtime - a.mtime || (a.name < b.name ? -1 : 1));
  return items.slice(0, limit);
}

/**
 * Samples a store until stopped. Filestore keeps no counters, so arrivals
 * and completions are derived from what two samples show:
 *
 * - A key in `new/` or `cur/` now that was in neither before has arrived; a
 *   key that was in one of them and is now in neither has completed
 *   (deleted, or moved to another area). Releases and recoveries (`cur/`
 *   back to `new/`) keep their key and count as neither.
 * - An item put, claimed and acknowledged between two samples is never seen
 *   in `new/` or `cur/`. When it was acknowledged into an extra area
 *   (`done/`, `failed/`), that area grew by more items than were seen
 *   leaving: the excess is counted as arrived and completed.
 *
 * What stays unseen are items that pass through between two samples and are
 * deleted (or extra areas that grow and shrink in the same interval), so the
 * figures are a lower bound.
 */
export class Sampler {
  readonly #store: FileStore;
  readonly #interval: number;
  readonly #historyMs: number;
  readonly #capacity: number;
  readonly #lease: number;
  readonly #failedArea: string | null;
  readonly #failedLimit: number;
  #history: Sample[] = [];
  #keys: Set<string> | null = null;
  #stats: StoreStats | null = null;
  #failed: ItemInfo[] = [];
  #error: unknown = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  /** Describes a sampler; `start()` takes the first sample. */
  constructor(store: FileStore, options: SamplerOptions = {}) {
    this.#store = store;
    this.#interval = options.interval ?? 1000;
    this.#historyMs = options.history ?? 300_000;
    this.#capacity = Math.max(2, Math.ceil(this.#historyMs / this.#interval) + 1);
    this.#lease = options.lease ?? 300_000;
    const failedArea = options.failedArea ?? "failed";
    this.#failedArea = store.areas.includes(failedArea) ? failedArea : null;
    this.#failedLimit = options.failedLimit ?? 10;
  }

  /** The interval between samples, in milliseconds. */
  get interval(): number {
    return this.#interval;
  }

  /** How much history is kept, in milliseconds. */
  get history(): number {
    return this.#historyMs;
  }

  /** The lease beyond which a claim counts as stuck, in milliseconds. */
  get lease(): number {
    return this.#lease;
  }

  /**
   * Takes the first sample, then keeps sampling in the background until
   * `stop()`. Later errors are kept in the snapshot; the first one is thrown.
   */
  async start(): Promise<void> {
    await this.sample();
    if (this.#error !== null) throw this.#error;
    this.#schedule(this.#interval);
  }

  /** Stops sampling; waits for a sample in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** The latest state: stats, history, newest failed items, last error. */
  snapshot(): Snapshot {
    return {
      stats: this.#stats,
      history: [...this.#history],
      failed: this.#failed,
      failedArea: this.#failedArea,
      error: this.#error === null ? null : this.#error instanceof Error ? this.#error.message : String(this.#error),
    };
  }

  /** Takes a sample now (also after an action, so the page sees its effect at once). */
  sample(): Promise<void> {
    // One sample at a time: a caller arriving during one waits for the next.
    const previous = this.#running ?? Promise.resolve();
    const next = previous.then(() => this.#sampleOnce());
    this.#running = next;
    return next;
  }

  #schedule(delay: number): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(async () => {
      const started = Date.now();
      await this.sample();
      // A store so large that sampling takes longer than the interval is sampled at most half the time.
      this.#schedule(Math.max(this.#interval, Date.now() - started));
    }, delay);
  }

  // Appends the sample that compares `previous` with `stats` (see the class comment).
  #record(previous: StoreStats, before: Set<string>, stats: StoreStats, now: Set<string>): void {
    const counts: Record<string, number> = {};
    for (const [area, summary] of Object.entries(stats.areas)) counts[area] = summary.count;
    let arrivals = 0, completions = 0;
    for (const key of now) if (!before.has(key)) arrivals++;
    for (const key of before) if (!now.has(key)) completions++;
    // Extra areas that grew by more than was seen leaving: items that passed through unseen.
    let intoExtras = 0;
    for (const area of this.#store.areas.slice(STANDARD_AREAS.length)) {
      intoExtras += Math.max(0, counts[area] - previous.areas[area].count);
    }
    const unseen = Math.max(0, intoExtras - completions);
    const elapsed = stats.takenAt - previous.takenAt;
    this.#history.push({
      t: stats.takenAt,
      elapsed,
      arrivals: arrivals + unseen,
      completions: completions + unseen,
      counts,
    });
    if (this.#history.length > this.#capacity) this.#history.splice(0, this.#history.length - this.#capacity);
  }

  async #sampleOnce(): Promise<void> {
    if (this.#stopped) return;
    try {
      const stats = await this.#store.stats({ lease: this.#lease });
      const keys = new Set<string>();
      for (const area of ["new", "cur"]) {
        for await (const entry of this.#store.entries(area)) keys.add(keyOf(entry.name));
      }
      const failed = this.#failedArea ? await newestItems(this.#store, this.#failedArea, this.#failedLimit) : [];
      // The first sample has nothing to compare with: it starts the history without rates.
      if (this.#keys && this.#stats) this.#record(this.#stats, this.#keys, stats, keys);
      this.#keys = keys;
      this.#stats = stats;
      this.#failed = failed;
      this.#error = null;
    } catch (error) {
      this.#error = error;
    }
  }
}
