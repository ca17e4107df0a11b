// Wake-ups for loops that wait for files: a directory watcher gives hints,
// a timer covers file systems without events (NFS, GlusterFS across mounts)
// and dropped events (inotify overflow). Nothing is left running after close().
import type { FsAdapter } from "./adapter.ts";

/** Waits for a change in one directory, a timeout, or an abort, whichever comes first. */
export class Hints {
  #dirty = false;
  #wake: (() => void) | undefined;
  #closeWatcher: (() => void) | undefined;

  constructor(adapter: FsAdapter, dir: string) {
    this.#closeWatcher = adapter.watchDir(dir, () => {
      this.#dirty = true;
      this.#wake?.();
    });
  }

  /** Forgets hints received so far: call before a scan, so changes during the scan count. */
  clear(): void {
    this.#dirty = false;
  }

  /** Resolves on a hint received since the last clear(), after `ms`, or on abort. */
  wait(ms: number, signal?: AbortSignal): Promise<void> {
    if (this.#dirty || signal?.aborted || this.#closeWatcher === undefined) {
      this.#dirty = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        this.#wake = undefined;
        this.#dirty = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.#wake = done;
    });
  }

  /** Closes the watcher and ends a pending wait. Idempotent. */
  close(): void {
    const close = this.#closeWatcher;
    this.#closeWatcher = undefined;
    this.#wake?.();
    close?.();
  }
}
