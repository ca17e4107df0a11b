/**
 * The dashboard's sampler: takes a snapshot of a store at a steady interval
 * and keeps the last minutes of samples, with arrivals and completions
 * derived from the names seen in `new/` and `cur/`.
 *
 * @module
 */
import { type FileStore, STANDARD_AREAS } from "../file_store.ts";
import { keyOf, parseName } from "../name_parts.ts";
import type { AreaStats, StoreStats } from "../stats.ts";
import { type AreaEntry, isLossy, kindOf, lstatEntry } from "../cli/_entries.ts";
import { byNameOrder } from "../cli/_order.ts";
import { escapeName, nameBytes, toHex } from "../cli/_quote.ts";
import { AreaCache, type CachedFile } from "./_area_cache.ts";

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
  /** The file name; one that is not valid UTF-8 has U+FFFD in place of its bad bytes. */
  name: string;
  /** The name for people: control characters and bytes that are not UTF-8 escaped (`caf\xe9`, `a\nb`). */
  display: string;
  /** The name's exact bytes in hex, only for a name that is not valid UTF-8 and a runtime that gives them. */
  bytes?: string;
  /** False for a name that is not valid UTF-8: the actions cannot address it by a string. */
  actionable: boolean;
  /** Its key: the name without info part and filestore's fields. */
  key: string;
  /** How many times it was handed back (the `,A=` field). */
  attempts: number;
  /** Its size in bytes; null when it cannot be reached by its name. */
  size: number | null;
  /** Its modification time, ms since the epoch; null as for `size`. */
  mtime: number | null;
  /** `"file"`, `"symlink"`, `"directory"` or `"other"` (`"unknown"` when it cannot be reached). */
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
  /** Arrivals and completions (as in {@linkcode Sample}) since the sampler started. */
  totals: { arrivals: number; completions: number };
  /** lstat calls the last sample made: only for names not seen before, and claims. */
  lstats: number;
}

/** An item of the page or the API, from what is known of its file. */
function itemInfo(file: Omit<CachedFile, "claim" | "ctime">): ItemInfo {
  const item: ItemInfo = {
    name: file.name,
    display: escapeName(file.name, file.bytes),
    actionable: !isLossy(file.name),
    key: file.key,
    attempts: file.attempts,
    size: file.size,
    mtime: file.mtime,
    kind: file.kind,
  };
  if (file.bytes) item.bytes = toHex(file.bytes);
  return item;
}

/** Keeps the `limit` greatest names (in {@linkcode byNameOrder}) seen, greatest first. */
class NewestNames<T extends { name: string }> {
  readonly items: T[] = [];
  constructor(readonly limit: number, readonly before?: string) {}

  offer(item: T): void {
    if (this.before !== undefined && byNameOrder(item.name, this.before) >= 0) return;
    const items = this.items;
    if (items.length === this.limit && byNameOrder(item.name, items[items.length - 1].name) <= 0) return;
    let lo = 0, hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byNameOrder(items[mid].name, item.name) > 0) lo = mid + 1;
      else hi = mid;
    }
    items.splice(lo, 0, item);
    if (items.length > this.limit) items.pop();
  }
}

/** An area's entries, with the bytes of names that are not UTF-8 where the runtime gives them; unsorted. */
export async function listEntries(store: FileStore, area: string): Promise<AreaEntry[]> {
  const entries: AreaEntry[] = [];
  for await (const listed of store.entries(area)) {
    const bytes = nameBytes(listed);
    entries.push(bytes ? { ...listed, bytes } : listed);
  }
  return entries;
}

/**
 * The newest `limit` items of an area: the last ones in name order (for
 * filestore's names, arrival order), newest first, older than `before` when
 * given. Costs one listing (or none, given `listing`: the area's entries) and
 * `limit` lstats, whatever the area holds.
 */
export async function newestItems(
  store: FileStore,
  area: string,
  limit: number,
  before?: string,
  listing?: readonly AreaEntry[],
): Promise<ItemInfo[]> {
  const page = new NewestNames<AreaEntry>(limit, before);
  for (const entry of listing ?? await listEntries(store, area)) page.offer(entry);
  const infos = await Promise.all(page.items.map((entry) => lstatEntry(store, entry)));
  const items: ItemInfo[] = [];
  infos.forEach((info, i) => {
    const entry = page.items[i];
    // Gone since the listing: left out; a lossy name that cannot be reached: shown, without size and time.
    if (!info && !(isLossy(entry.name) && !entry.bytes)) return;
    const { key, attempts } = parseName(entry.name);
    items.push(itemInfo({
      name: entry.name,
      bytes: entry.bytes,
      key,
      attempts,
      size: info ? info.size : null,
      mtime: info ? info.mtimeMs : null,
      kind: info ? kindOf(info) : entry.kind,
    }));
  });
  return items;
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
 *
 * A sample costs one listing per area, and an lstat only for names the
 * previous sample did not see and for claims in `cur/` (whose ctime is their
 * lease): see {@linkcode AreaCache}. The ages come from what was stat'ed.
 * `cur/` is listed twice, before and after `new/`, so that an item claimed
 * or released during a sample is not taken for a completion.
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
  #totals = { arrivals: 0, completions: 0 };
  #lstats = 0;
  readonly #cache: AreaCache;
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
    this.#cache = new AreaCache(store);
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
      totals: { ...this.#totals },
      lstats: this.#lstats,
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
    this.#totals.arrivals += arrivals + unseen;
    this.#totals.completions += completions + unseen;
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
      const takenAt = Date.now();
      const stats: StoreStats = { path: this.#store.path, takenAt, areas: {}, claims: 0, stuck: 0 };
      const keys = new Set<string>();
      let lstats = 0;
      let failed: ItemInfo[] = [];
      for (const area of this.#store.areas) {
        // cur/ is listed before and after new/: an item claimed or released meanwhile is seen in one of them.
        if (area === "new") { for await (const entry of this.#store.entries("cur")) keys.add(keyOf(entry.name)); }
        const scan = await this.#cache.scan(area);
        lstats += scan.stats;
        const summary: AreaStats = { count: 0, bytes: 0, oldest: null, oldestAgeMs: null };
        const newest = area === this.#failedArea ? new NewestNames<CachedFile>(this.#failedLimit) : undefined;
        for (const file of scan.files) {
          summary.count++;
          summary.bytes += file.size ?? 0;
          if (area === "new" || area === "cur") keys.add(file.key);
          newest?.offer(file);
          if (file.mtime === null) continue;
          // A claim's age runs from its claim or last touch (ctime); anything else from its last write.
          const age = takenAt - (file.claim ? Math.max(file.ctime ?? 0, file.mtime) : file.mtime);
          if (summary.oldestAgeMs === null || age > summary.oldestAgeMs) {
            summary.oldestAgeMs = Math.max(0, age);
            summary.oldest = file.name;
          }
          if (file.claim) {
            stats.claims++;
            if (age > this.#lease) stats.stuck++;
          }
        }
        if (newest) failed = newest.items.map(itemInfo);
        stats.areas[area] = summary;
      }
      // The first sample has nothing to compare with: it starts the history without rates.
      if (this.#keys && this.#stats) this.#record(this.#stats, this.#keys, stats, keys);
      this.#keys = keys;
      this.#stats = stats;
      this.#failed = failed;
      this.#lstats = lstats;
      this.#error = null;
    } catch (error) {
      this.#error = error;
    }
  }
}
