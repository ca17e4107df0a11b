/**
 * A snapshot of a store: counts, sizes and ages per area, and claims whose
 * lease ran out.
 *
 * @module
 */
import type { FileInfo } from "./adapter.ts";
import type { FileStore } from "./file_store.ts";
import { FAILED_AREA } from "./store/context.ts";
import { parseName } from "./name_parts.ts";

/** What `stats()` reports of one area. */
export interface AreaStats {
  /** Entries, without names starting with `.`. */
  count: number;
  /** Total size of the regular files, in bytes. */
  bytes: number;
  /** The oldest entry (by modification time, for claims by lease start), or null when empty. */
  oldest: string | null;
  /** Its age in milliseconds, or null when empty. */
  oldestAgeMs: number | null;
}

/** What `stats()` reports of a store. */
export interface StoreStats {
  /** The store's directory. */
  path: string;
  /** When the snapshot was taken, ms since the epoch. */
  takenAt: number;
  /** Per area, in the store's order. */
  areas: Record<string, AreaStats>;
  /** Claims in `cur/` (files carrying a claim token). */
  claims: number;
  /** Claims whose lease is older than `lease`: their holder may be gone (see `recover()`). */
  stuck: number;
}

/** Options of `stats()`. */
export interface StatsOptions {
  /**
   * A claim older than this (ms since its claim or last touch) counts as stuck.
   * @default {300000}
   */
  lease?: number;
}

// Stats run against live stores: an entry may vanish between listing and lstat.
const STAT_BATCH = 32;

/**
 * Takes a snapshot of a store. Costs one listing per area and one lstat per
 * entry, so it is for monitoring, not for hot paths.
 *
 * @example
 * ```ts
 * import { FileStore, storeStats } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * const stats = await storeStats(store);
 * console.log(stats.areas.new.count, stats.stuck);
 * ```
 */
export async function storeStats(store: FileStore, options: StatsOptions = {}): Promise<StoreStats> {
  const lease = options.lease ?? 300_000;
  const takenAt = Date.now();
  const stats: StoreStats = { path: store.path, takenAt, areas: {}, claims: 0, stuck: 0 };
  const areas = [...store.areas];
  // failed/ is made on first use: shown once it exists.
  if (!areas.includes(FAILED_AREA) && await isDirectory(store, store.areaPath(FAILED_AREA))) areas.push(FAILED_AREA);
  for (const area of areas) {
    const summary: AreaStats = { count: 0, bytes: 0, oldest: null, oldestAgeMs: null };
    let batch: { name: string; path: string }[] = [];
    const flush = async () => {
      const infos = await Promise.all(
        batch.map((entry) => store.adapter.async.lstat(entry.path).catch(() => undefined)),
      );
      infos.forEach((info, i) => info && account(store, summary, stats, area, batch[i].name, info, takenAt, lease));
      batch = [];
    };
    for await (const entry of store.entries(area)) {
      // Counted from the listing: a name this runtime cannot stat (not UTF-8, on Deno) is still there.
      summary.count++;
      batch.push(entry);
      if (batch.length === STAT_BATCH) await flush();
    }
    await flush();
    stats.areas[area] = summary;
  }
  return stats;
}

async function isDirectory(store: FileStore, path: string): Promise<boolean> {
  try {
    return (await store.adapter.async.lstat(path)).isDirectory;
  } catch {
    return false;
  }
}

function account(
  store: FileStore,
  summary: AreaStats,
  stats: StoreStats,
  area: string,
  name: string,
  info: FileInfo,
  now: number,
  lease: number,
): void {
  if (info.isFile) summary.bytes += info.size;
  const claimed = area === "cur" && parseName(name, store.infoSeparator).claim !== undefined;
  // A claim's age runs from its claim or last touch (ctime); anything else from its last write.
  const age = now - (claimed ? Math.max(info.ctimeMs, info.mtimeMs) : info.mtimeMs);
  if (summary.oldestAgeMs === null || age > summary.oldestAgeMs) {
    summary.oldestAgeMs = Math.max(0, age);
    summary.oldest = name;
  }
  if (claimed) {
    stats.claims++;
    if (age > lease) stats.stuck++;
  }
}
