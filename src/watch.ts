/**
 * Watching an area for arriving files: file-system events are hints that
 * trigger a rescan, and polling covers file systems without events.
 *
 * @module
 */
import { Backoff } from "./_backoff.ts";
import { Hints } from "./_hints.ts";
import { type FileStoreError, isTransient } from "./errors.ts";
import type { FileStore, StoreEntry } from "./file_store.ts";
import { orderKey } from "./name_parts.ts";

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
  /**
   * Called with each error the watch survives (`UNAVAILABLE`, `IO`: a network
   * file system lost for now); the next scan waits 50 ms, doubling to 5 s.
   * Other errors end the iteration.
   * @default {a one-line warning on stderr}
   */
  onError?: (error: FileStoreError) => void;
}

// Oldest first, by the numbers in the names (see orderKey()).
function byAge(a: StoreEntry, b: StoreEntry): number {
  const x = orderKey(a.name);
  const y = orderKey(b.name);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Yields each file that arrives in an area, once, oldest first within
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
 * import process from "node:process";
 * import { FileStore, watchStore } from "@filestore/filestore";
 *
 * const store = new FileStore("/var/spool/jobs");
 * const controller = new AbortController();
 * process.on("SIGINT", () => controller.abort());
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
    const onError = options.onError ??
      ((error: FileStoreError) => console.error(`filestore: watch() goes on after ${error.code}: ${error.message}`));
    const backoff = new Backoff();
    // One listing; a transient failure waits and lists again.
    const scan = async (): Promise<StoreEntry[] | undefined> => {
      for (;;) {
        try {
          const found: StoreEntry[] = [];
          for await (const entry of store.entries(area)) found.push(entry);
          backoff.reset();
          return found;
        } catch (error) {
          if (!isTransient(error)) throw error;
          onError(error as FileStoreError);
          await backoff.wait(signal);
          if (signal?.aborted) return undefined;
        }
      }
    };
    let previous = new Set<string>();
    if (!existing) {
      const first = await scan();
      if (first === undefined) return;
      for (const entry of first) previous.add(entry.name);
    }
    for (;;) {
      if (signal?.aborted) return;
      hints.clear();
      const listing = await scan();
      if (listing === undefined) return;
      const current = new Set<string>();
      const fresh: StoreEntry[] = [];
      for (const entry of listing) {
        current.add(entry.name);
        if (!previous.has(entry.name)) fresh.push(entry);
      }
      previous = current;
      fresh.sort(byAge);
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
