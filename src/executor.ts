/**
 * The async runner the store uses. Each awaited `node:fs` call is a round
 * trip through the thread pool (tens of microseconds), several times the
 * cost of the call itself on a local disk. So where calls prove fast, the
 * executor runs an operation's steps inline with the synchronous primitives
 * and yields to the event loop about every millisecond, so that timers and
 * I/O keep running; where they prove slow (a network file system, a disk
 * under load), it runs them on the thread pool and the process never waits.
 * Calls that wait for the disk by nature (fsync) go to the pool, the open,
 * write and close around them inline when the rest runs inline; and while
 * fsyncs prove fast (under 2 ms) they run inline too, back to the pool when
 * they turn slow (see `_fsync_gate.ts`). Copies always go to the pool.
 * A store's first call runs inline as a probe, and when it is slow the next
 * call probes too; while on the pool, a call now and then (10 ms apart,
 * backing off to a second) probes again, so a store that went to the pool
 * when the machine was busy comes back when it is not.
 *
 * @module
 */
import { setImmediate } from "node:timers";
import type { AsyncFs, SyncFs, WriteFileOptions } from "./adapter.ts";
import { FsyncGate } from "./_fsync_gate.ts";
import { SlowShare } from "./_slow_score.ts";
import { type Call, callAsync, callOnce, driveAsync, retryOnStale, runSync, type Steps } from "./_io.ts";

/**
 * How the store's async methods run their file-system calls: `"auto"`
 * measures and picks, `"inline"` always runs them inline (yielding to the
 * event loop every millisecond; fsyncs only while they prove fast), `"pool"`
 * always uses the thread pool.
 */
export type IoMode = "auto" | "inline" | "pool";

// A pool call at least this fast counts towards running inline.
const FAST_POOL_MS = 1;
// This many fast pool calls in a row, and the store's calls run inline.
const FAST_STREAK = 32;
// An inline call slower than this counts as slow; half of the last 16 slow
// send the store's calls back to the pool (see SlowShare). A few slow ones
// close together do not: with four processes on two cores, 0.3% of the
// calls took 2-20 ms here (the scheduler), and a decaying score of three
// sent busy consumers to the pool for up to a second.
const SLOW_INLINE_MS = 2;
// Inline work runs at most this long before the event loop gets a turn.
const YIELD_MS = 1;
// On the pool, a call now and then runs inline as a probe: pool round trips
// are slow on a busy machine whatever the file system, while the probe
// measures the file system itself. A fast probe brings the store's calls
// inline. The probes start 10 ms apart and back off to one a second, so that
// a probe that lost its core (a new store's first call sometimes does) costs
// milliseconds on the pool, not a second.
const FIRST_PROBE_GAP_MS = 10;
const LAST_PROBE_GAP_MS = 1000;
const FAST_PROBE_MS = 0.5;

// When the event loop last had a turn, across every store of the process.
let lastTurn = performance.now();
// A check callback that notes the next turn: work that starts after an idle
// wait (a consumer woken by an event) then gets a fresh budget instead of
// yielding before its first call.
let turnNoted = false;

function noteTurn(): void {
  if (turnNoted) return;
  turnNoted = true;
  setImmediate(() => {
    turnNoted = false;
    lastTurn = performance.now();
  });
}

// The event loop's next turn when inline work has had its YIELD_MS, else
// undefined: the work goes on now, and the next turn is noted.
function turnDue(): Promise<void> | undefined {
  if (performance.now() - lastTurn < YIELD_MS) {
    noteTurn();
    return undefined;
  }
  return new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
    lastTurn = performance.now();
  });
}

// Calls that wait for the disk whatever the file system: inline only while fsyncs prove fast.
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

// While calls run inline, a durable write or a directory fsync opens (and
// writes, and closes) inline too: only the fsync waits on the pool, one round
// trip instead of four (or three).
function openingInline(request: Call): Call {
  if (request.fn === "writeFile") {
    const [path, data, options] = request.args;
    return { fn: "writeFile", args: [path, data, { ...(options as WriteFileOptions), openInline: true }] };
  }
  if (request.fn === "syncDir") return { fn: "syncDir", args: [request.args[0], true] };
  return request;
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
  readonly #slow = new SlowShare();
  #lastProbe = 0;
  #probeGap = FIRST_PROBE_GAP_MS;
  #judged: boolean;
  readonly #fsyncs = new FsyncGate();

  /** Creates an executor over an adapter's primitives. */
  constructor(sync: SyncFs, async: AsyncFs, mode: IoMode = "auto") {
    if (mode !== "auto" && mode !== "inline" && mode !== "pool") {
      throw new TypeError(`Invalid io mode '${String(mode)}': expected "auto", "inline" or "pool"`);
    }
    this.sync = sync;
    this.async = async;
    this.mode = mode;
    // "auto" starts inline with its first call judged as a probe: the same
    // verdict as a first probe from the pool, yet two Node pairs whose stores
    // started on the pool ran 8-10% slower throughout, every later call
    // inline all the same (the cause is not pinned down).
    this.#inline = mode !== "pool";
    this.#judged = mode !== "auto";
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
  run<T>(steps: Steps<T>): Promise<T> {
    return driveAsync(
      steps,
      (request) => {
        if (!this.#inline) return this.#callOnPool(request);
        if (!waitsForDisk(request)) return this.#callInline(request);
        if (request.fn === "copyFile") return this.#callOnPool(request);
        return this.#fsyncs.inline ? this.#fsyncInline(request) : this.#fsyncOnPool(openingInline(request));
      },
      (sub) => this.run(sub),
    );
  }

  // Returns a value, or a promise only when the event loop is due a turn or a retry waits.
  #callInline(request: Call): unknown {
    const turn = turnDue();
    if (turn) return turn.then(() => this.#callInline(request));
    const started = performance.now();
    let result: unknown;
    try {
      result = callOnce(this.sync, request);
    } catch (error) {
      // A retry waits: on the pool, with timers, never by blocking the thread.
      if (retryOnStale(error, request.fn, 0)) return callAsync(this.async, request);
      throw error;
    } finally {
      if (this.mode === "auto") this.#judge(performance.now() - started);
    }
    return result;
  }

  // Sends the calls to the pool when the first one, as a probe, or half of
  // the recent ones were slow. After a slow first call the next call probes
  // at once: a cold process's first call alone often takes a millisecond
  // (Bun, with a million items waiting: every time), and a store sent to the
  // pool by it ran its first listing there.
  #judge(ms: number): void {
    const first = !this.#judged;
    const slow = first ? ms >= FAST_PROBE_MS : this.#slow.add(ms > SLOW_INLINE_MS);
    this.#judged = true;
    if (!slow) return;
    this.#inline = false;
    this.#fastStreak = 0;
    this.#slow.reset();
    this.#lastProbe = first ? Number.NEGATIVE_INFINITY : performance.now();
  }

  // A durable write or an fsync, inline: timed, so that a slow one sends the next ones to the pool.
  #fsyncInline(request: Call): unknown {
    const turn = turnDue();
    if (turn) return turn.then(() => this.#fsyncInline(request));
    const started = performance.now();
    try {
      return callOnce(this.sync, request);
    } finally {
      this.#fsyncs.ranInline(performance.now() - started);
    }
  }

  async #fsyncOnPool(request: Call): Promise<unknown> {
    const started = performance.now();
    try {
      return await callAsync(this.async, request);
    } finally {
      lastTurn = performance.now();
      this.#fsyncs.ranOnPool(lastTurn - started);
    }
  }

  async #callOnPool(request: Call): Promise<unknown> {
    const started = performance.now();
    if (this.mode === "auto" && !waitsForDisk(request) && started - this.#lastProbe >= this.#probeGap) {
      this.#lastProbe = started;
      return this.#probe(request, started);
    }
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

  // One call inline, timed; errors as from the pool.
  #probe(request: Call, started: number): unknown {
    try {
      return callOnce(this.sync, request);
    } catch (error) {
      if (retryOnStale(error, request.fn, 0)) return callAsync(this.async, request);
      throw error;
    } finally {
      if (performance.now() - started < FAST_PROBE_MS) {
        this.#inline = true;
        this.#slow.reset();
        this.#probeGap = FIRST_PROBE_GAP_MS;
      } else {
        this.#probeGap = Math.min(LAST_PROBE_GAP_MS, this.#probeGap * 2);
      }
    }
  }
}
