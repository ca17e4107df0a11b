// Wake-ups for loops that wait for files: a directory watcher gives hints,
// a timer covers file systems without events (NFS, GlusterFS across mounts)
// and dropped events (inotify overflow). Nothing is left running after close().
import type { FsAdapter } from "./adapter.ts";

// A loop that has found work this many times, or for this long, without
// waiting stops watching until it next waits: it needs no hints, and every
// event costs its process CPU. Each claim out of new/ is an event for every
// watcher of new/, and so is each put: on Deno a watcher thread wakes per
// event (two Deno consumers fed by two producers ran at half speed with their
// watchers open), and on Bun a consume() draining a tmpfs spent 54 µs an item
// while its watcher was open against 39 µs closed. A loop woken for one item
// at a time keeps its watcher.
const BUSY_FINDS = 16;
const BUSY_MS = 100;

/** Waits for a change in one directory, a timeout, or an abort, whichever comes first. */
export class Hints {
  readonly #adapter: FsAdapter;
  readonly #dir: string;
  #dirty = false;
  #wake: (() => void) | undefined;
  #closeWatcher: (() => void) | undefined;
  #closed = false;
  // The watcher is closed while the loop is busy (see busy()).
  #dormant = false;
  // When the loop last came to wait(), and how often it found work since.
  #lastWait = Date.now();
  #finds = 0;

  constructor(adapter: FsAdapter, dir: string) {
    this.#adapter = adapter;
    this.#dir = dir;
    this.#open();
  }

  #open(): void {
    this.#closeWatcher = this.#adapter.watchDir(this.#dir, () => {
      this.#dirty = true;
      this.#wake?.();
    });
  }

  /** Forgets hints received so far: call before a scan, so changes during the scan count. */
  clear(): void {
    this.#dirty = false;
  }

  /**
   * Says the loop found work. Once it has not waited for a while, the
   * watcher is closed; the next wait() opens it again and returns at once,
   * so that the loop looks once more (what came meanwhile sent no hint).
   */
  busy(): void {
    if (this.#dormant || this.#closed) return;
    if (++this.#finds < BUSY_FINDS && Date.now() - this.#lastWait < BUSY_MS) return;
    this.#dormant = true;
    const close = this.#closeWatcher;
    this.#closeWatcher = undefined;
    close?.();
  }

  /** Resolves on a hint received since the last clear(), after `ms`, or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    this.#lastWait = Date.now();
    this.#finds = 0;
    if (this.#dormant && !this.#closed) {
      this.#dormant = false;
      this.#open();
      return Promise.resolve();
    }
    if (this.#dirty || signal?.aborted || this.#closed) {
      this.#dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        this.#dirty = false;
        this.#lastWait = Date.now();
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  /** Closes the watcher and ends a pending wait. Idempotent. */
  close(): void {
    this.#closed = true;
    const close = this.#closeWatcher;
    this.#closeWatcher = undefined;
    this.#wake?.();
    close?.();
  }
}
