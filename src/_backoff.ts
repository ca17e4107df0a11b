// Waits that grow while a worker loop keeps failing, so an unreachable file
// system is asked again soon, then less often, and never in a busy loop.

/** 50 ms doubling to 5 s, with jitter; `reset()` after a success. */
export class Backoff {
  #delay: number;
  readonly #first: number;
  readonly #max: number;

  constructor(first = 50, max = 5000) {
    this.#first = first;
    this.#max = max;
    this.#delay = first;
  }

  /** Starts again from the first delay. */
  reset(): void {
    this.#delay = this.#first;
  }

  /** Waits the current delay (or until aborted), then doubles it. */
  wait(signal?: AbortSignal): Promise<void> {
    const ms = this.#delay * (0.75 + Math.random() / 2);
    this.#delay = Math.min(this.#max, this.#delay * 2);
    return sleep(ms, signal);
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
