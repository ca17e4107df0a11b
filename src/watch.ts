/**
 * Watching an area for arriving files: file-system events are hints that
 * trigger a rescan, and polling covers file systems without events.
 *
 * @module
 */
import { Hints } from "./_hints.ts";
import type { FileStore, StoreEntry } from "./file_store.ts";

/** Options of `watch()`. */
export interface WatchOptions {
  /**
   * Ends the iteration (cleanly, without an error) when aborted.
   * @default {undefined: runs until the caller breaks out of the loop}
   */
  signal?: AbortSignal;
  /**
   * Milliseconds between rescans when no file-system event arrives. Events do
   * not cross NFS or GlusterFS mounts, and inotify drops them past 16,384
   * queued: the poll is what makes watching complete there.
   * @default {1000}
   */
  pollInterval?: number;
  /**
   * Also yield the files already in the area when watching starts.
   * @default {false}
   */
  existing?: boolean;
}

function byName(a: StoreEntry, b: StoreEntry): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * Yields each file that arrives in an area, once, oldest name first within
 * each scan. A scan compares the listing with the previous one, so only the
 * names of the last listing are kept in memory, however long the watch runs;
 * events are never trusted, so none can be missed by an overflow. A name that
 * leaves and comes back between two scans is not seen again.
 *
 * Ends when `signal` aborts or the caller breaks out of the loop, and then
 * leaves no timer or watcher behind. Throws `NOT_PREPARED` if the area
 * disappears.
 *
 * @param store The store.
 * @param area The area to watch.
 * @param options Abort signal, poll interval, and whether to yield existing files.
 * @returns An async iterator of `{ name, path, kind }`.
 * @example Logging arrivals until Ctrl-C
 * ```ts
 * import { FileStore, watchStore } from "@filestore/filestore";
 *
 * const store = new FileStore("/var/spool/jobs");
 * const controller = new AbortController();
 * Deno.addSignalListener("SIGINT", () => controller.abort());
 * for await (const file of watchStore(store, "new", { signal: controller.signal })) {
 *   console.log("arrived:", file.name);
 * }
 * ```
 */
export async function* watchStore(
  store: FileStore,
  area = "new",
  options: WatchOptions = {},
): AsyncIterableIterator<StoreEntry> {
  const dir = store.areaPath(area);
  const { signal, existing = false } = options;
  const pollInterval = options.pollInterval ?? 1000;
  if (!(pollInterval > 0)) {
    throw new RangeError(`Invalid pollInterval '${pollInterval}': expected a positive number of milliseconds`);
  }
  if (signal?.aborted) return;
  // The watcher is opened before the first scan, so nothing arrives unseen in between.
  const hints = new Hints(store.adapter, dir);
  // An abort while the caller holds the iterator suspended still closes the watcher at once.
  const onAbort = () => hints.close();
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    let previous = new Set<string>();
    if (!existing) {
      for await (const entry of store.entries(area)) previous.add(entry.name);
    }
    for (;;) {
      if (signal?.aborted) return;
      hints.clear();
      const current = new Set<string>();
      const fresh: StoreEntry[] = [];
      for await (const entry of store.entries(area)) {
        current.add(entry.name);
        if (!previous.has(entry.name)) fresh.push(entry);
      }
      previous = current;
      fresh.sort(byName);
      for (const entry of fresh) {
        if (signal?.aborted) return;
        yield entry;
      }
      if (fresh.length === 0) await hints.wait(pollInterval, signal);
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
    hints.close();
  }
}
