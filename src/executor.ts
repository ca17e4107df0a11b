/**
 * The async runner the store uses. Each awaited `node:fs` call is a round
 * trip through the thread pool (tens of microseconds), several times the
 * cost of the call itself on a local disk. So where calls prove fast, the
 * executor runs an operation's steps inline with the synchronous primitives
 * and yields to the event loop about every millisecond, so that timers and
 * I/O keep running; where they prove slow (a network file system, a disk
 * under load), it runs them on the thread pool and the process never waits.
 * Calls that wait for the disk by nature (fsync) always go to the pool.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { AsyncFs, SyncFs, WriteFileOptions } from "./adapter.ts";
import { type Call, callAsync, callOnce, retryOnStale, runSync, settleAll, type Steps } from "./_io.ts";

/**
 * How the store's async methods run their file-system calls: `"auto"`
 * measures and picks, `"inline"` always runs them inline (yielding to the
 * event loop every millisecond), `"pool"` always uses the thread pool.
 */
export type IoMode = "auto" | "inline" | "pool";

// A pool call at least this fast counts towards running inline.
const FAST_POOL_MS = 1;
// This many fast pool calls in a row, and the store's calls run inline.
const FAST_STREAK = 32;
// An inline call slower than this counts as slow; a few of them close together
// send the store's calls back to the pool (one alone may be the scheduler).
const SLOW_INLINE_MS = 2;
const SLOW_SCORE_LIMIT = 3;
const SLOW_SCORE_DECAY = 0.95;
// Inline work runs at most this long before the event loop gets a turn.
const YIELD_MS = 1;

// When the event loop last had a turn, across every store of the process.
let lastTurn = performance.now();

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// Calls that wait for the disk whatever the file system: never inline.
function waitsForDisk(request: Call): boolean {
  switch (request.fn) {
    case "fsync":
    case "syncDir":
    case "copyFile":
      return true;
    case "writeFile":
      return (request.args[2] as WriteFileOptions).sync;
    default:
      return false;
  }
}

/** Runs operations (generators of file-system calls) for one store; see the module documentation. */
export class Executor {
  /** The synchronous primitives. */
  readonly sync: SyncFs;
  /** The asynchronous primitives. */
  readonly async: AsyncFs;
  /** The mode chosen at construction. */
  readonly mode: IoMode;
  #inline: boolean;
  #fastStreak = 0;
  #slowScore = 0;

  /** Creates an executor over an adapter's primitives. */
  constructor(sync: SyncFs, async: AsyncFs, mode: IoMode = "auto") {
    if (mode !== "auto" && mode !== "inline" && mode !== "pool") {
      throw new TypeError(`Invalid io mode '${String(mode)}': expected "auto", "inline" or "pool"`);
    }
    this.sync = sync;
    this.async = async;
    this.mode = mode;
    this.#inline = mode === "inline";
  }

  /** Whether calls currently run inline. */
  get inline(): boolean {
    return this.#inline;
  }

  /** Runs an operation with the synchronous primitives (the *Sync methods). */
  runSync<T>(steps: Steps<T>): T {
    return runSync(steps, this.sync);
  }

  /** Runs an operation for an async method: inline or on the pool, call by call. */
  async run<T>(steps: Steps<T>): Promise<T> {
    let step = steps.next();
    while (!step.done) {
      const request = step.value;
      let result: unknown;
      try {
        if (request.fn === "all") {
          result = await settleAll(request.steps, request.limit, (sub) => this.run(sub));
        } else if (this.#inline && !waitsForDisk(request)) {
          result = await this.#callInline(request);
        } else {
          result = await this.#callOnPool(request);
        }
      } catch (error) {
        step = steps.throw(error);
        continue;
      }
      step = steps.next(result);
    }
    return step.value;
  }

  // Returns a value, or a promise only when the event loop is due a turn or a retry waits.
  #callInline(request: Call): unknown {
    const started = performance.now();
    if (started - lastTurn >= YIELD_MS) {
      return nextTurn().then(() => {
        lastTurn = performance.now();
        return this.#callInline(request);
      });
    }
    let result: unknown;
    try {
      result = callOnce(this.sync, request);
    } catch (error) {
      // A retry waits: on the pool, with timers, never by blocking the thread.
      if (retryOnStale(error, request.fn, 0)) return callAsync(this.async, request);
      throw error;
    } finally {
      if (this.mode === "auto") {
        this.#slowScore = this.#slowScore * SLOW_SCORE_DECAY + (performance.now() - started > SLOW_INLINE_MS ? 1 : 0);
        if (this.#slowScore >= SLOW_SCORE_LIMIT) {
          this.#inline = false;
          this.#fastStreak = 0;
          this.#slowScore = 0;
        }
      }
    }
    return result;
  }

  async #callOnPool(request: Call): Promise<unknown> {
    const started = performance.now();
    try {
      return await callAsync(this.async, request);
    } finally {
      lastTurn = performance.now();
      if (this.mode === "auto" && !waitsForDisk(request)) {
        this.#fastStreak = lastTurn - started < FAST_POOL_MS ? this.#fastStreak + 1 : 0;
        if (this.#fastStreak >= FAST_STREAK) this.#inline = true;
      }
    }
  }
}
