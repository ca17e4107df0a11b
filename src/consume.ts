/**
 * Worker loops: claim, handle, acknowledge, with retries, a failed area,
 * lease renewal and a graceful stop.
 *
 * @module
 */
import { Hints } from "./_hints.ts";
import { HeldItem, Leases } from "./_leases.ts";
import { FileStoreError, isTransient } from "./errors.ts";
import type { Claim, FileStore } from "./file_store.ts";
import { usableArea } from "./store/context.ts";
import { Backoff, sleep } from "./_backoff.ts";
import { describeError, recordErrorSteps } from "./store/item_errors.ts";
import { pausedSteps, pausesInThisProcess } from "./store/pause.ts";

/** What a `consume()` handler receives: the claim, plus helpers bound to it. */
export interface ConsumeItem extends Claim {
  /** The file's bytes. */
  read(): Promise<Uint8Array>;
  /** The file's content as UTF-8 text. */
  text(): Promise<string>;
  /** Extends the lease now (`consume()` also does it every `lease / 3`). */
  touch(): Promise<void>;
  /** Aborted when the claim is lost (it was recovered) or the loop is stopped. */
  signal: AbortSignal;
}

/** A `consume()` handler: return (or resolve) to acknowledge the item, throw to hand it back. */
export type ConsumeHandler = (item: ConsumeItem) => unknown;

/** Options of `consume()`. */
export interface ConsumeOptions {
  /**
   * Handlers running at once.
   * @default {1}
   */
  concurrency?: number;
  /**
   * Stops claiming when aborted; the loop then waits for the handlers in flight and returns.
   * @default {undefined: runs until the store disappears (or, with `untilEmpty`, until new/ is empty)}
   */
  signal?: AbortSignal;
  /**
   * Move handled items to this area instead of deleting them.
   * @default {undefined: delete}
   */
  doneArea?: string;
  /**
   * Where items go once they failed `maxAttempts` times: an area of the
   * store, or `failed` (made on first use, declared or not).
   * @default {"failed"}
   */
  failedArea?: string;
  /**
   * Tries per item, counting earlier ones (the `,A=` field of its name).
   * @default {3}
   */
  maxAttempts?: number;
  /**
   * Lease length in milliseconds: the claim is touched every `lease / 3` while its handler runs.
   * @default {60000}
   */
  lease?: number;
  /**
   * Milliseconds between looks at an empty new/ when no file-system event arrives.
   * @default {1000}
   */
  pollInterval?: number;
  /**
   * Return once new/ is empty, no handler is running, and no item this loop
   * handed back with a delay is still waiting to be due.
   * @default {false}
   */
  untilEmpty?: boolean;
  /**
   * How long an item whose handler threw waits in `delayed/` before it is
   * due again: milliseconds, or a function of the attempts it has had
   * (1 after the first failure). 0 hands it back to `new/` at once.
   * @default {exponential with jitter: about 1 s after the first failure, doubling to 5 min}
   */
  retryDelay?: number | ((attempts: number) => number);
  /**
   * Called with each error the loop survives: the file system unreachable
   * for now or an I/O error (`UNAVAILABLE`, `IO`; see `isTransient()`). The
   * loop waits (50 ms, doubling to 5 s) and tries again; an item whose
   * acknowledgement failed so stays claimed until `recover()` brings it back.
   * Other errors (`NOT_PREPARED`, `PERMISSION_DENIED`...) end the loop.
   * @default {a one-line warning on stderr}
   */
  onError?: (error: FileStoreError) => void;
}

/** What `consume()` did. */
export interface ConsumeSummary {
  /** Items handled and acknowledged. */
  handled: number;
  /** Items moved to the failed area after their last attempt. */
  failed: number;
  /** Items handed back to new/ after their handler threw. */
  retried: number;
  /** Claims found lost (recovered by someone else) when acknowledging or handing back. */
  lost: number;
}

// How often a loop looks for the pause marker at most.
const PAUSE_CHECK = 250;
const FIRST_RETRY = 1000;
const LAST_RETRY = 300_000;

/** The default retry delay: 1 s doubling to 5 min, each between 75% and 100% of that (jitter). */
export function defaultRetryDelay(attempts: number): number {
  const base = Math.min(LAST_RETRY, FIRST_RETRY * 2 ** Math.max(0, Math.min(attempts - 1, 30)));
  return Math.round(base * (0.75 + Math.random() / 4));
}

function retryDelayOf(option: ConsumeOptions["retryDelay"]): (attempts: number) => number {
  if (option === undefined) return defaultRetryDelay;
  if (typeof option === "function") return option;
  if (typeof option !== "number" || !(option >= 0) || !Number.isFinite(option)) {
    throw new RangeError(`Invalid retryDelay '${String(option)}': expected milliseconds (0 or more) or a function`);
  }
  return () => option;
}

function warn(error: FileStoreError): void {
  console.error(`filestore: consume() goes on after ${error.code}: ${error.message}`);
}

function checkArea(store: FileStore, area: string | undefined, option: string): void {
  if (area === undefined || usableArea(store, area)) return;
  throw new FileStoreError(
    "INVALID_AREA",
    `Unknown area '${area}' given as ${option}: add it to the store, as in new FileStore(path, { areas: ["${area}"] })`,
  );
}

function positive(value: number, option: string, integer: boolean): number {
  if (typeof value !== "number" || !(value > 0) || (integer && !Number.isInteger(value))) {
    throw new RangeError(`Invalid ${option} '${value}': expected a positive ${integer ? "integer" : "number"}`);
  }
  return value;
}

function isLost(error: unknown): boolean {
  return error instanceof FileStoreError && error.code === "LOST_CLAIM";
}

/**
 * Runs a worker loop: claims items from new/ with `next()`, at most
 * `concurrency` at a time, and calls `handler` for each. When the handler
 * returns, the item is acknowledged (deleted, or moved to `doneArea`); when
 * it throws, the error is recorded (see `lastError()`) and the item waits
 * `retryDelay` in `delayed/` with one more attempt, or goes to `failedArea`
 * once it has had `maxAttempts`; an item that already had them
 * (it came back through `recover()`, perhaps because it crashes its worker)
 * goes to `failedArea` without being handled. No item is ever dropped: one
 * whose acknowledgement fails stays claimed in cur/, where `recover()` finds
 * it once its lease runs out.
 *
 * When new/ is empty the loop waits for a file-system event, `pollInterval`,
 * or the next delayed item's due time; it never spins. While the store is
 * paused (`pause()`, from any process) it claims nothing, finishes what it
 * holds, and goes on by itself after `resume()`. Any number of loops, in any
 * number of processes, may share one store: each item is handled by one of them.
 *
 * @param store The store.
 * @param handler Called with each item; throw to hand the item back.
 * @param options Concurrency, stop signal, areas, attempts, lease, polling.
 * @returns Counts of what was handled, failed, retried and lost.
 * @throws {FileStoreError} `INVALID_AREA` at the start when `failedArea` or
 * `doneArea` is not an area of the store; `NOT_PREPARED` (after the handlers
 * in flight finished) when the store or an area disappears.
 * @example Working until new/ is empty
 * ```ts
 * import { consumeStore, FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool", { areas: ["failed"] });
 * await store.prepare();
 * await store.putMany(["a", "b", "c"]);
 * const summary = await consumeStore(store, async (item) => {
 *   console.log(item.key, await item.text());
 * }, { concurrency: 4, untilEmpty: true });
 * console.log(summary); // { handled: 3, failed: 0, retried: 0, lost: 0 }
 * ```
 */
export async function consumeStore(
  store: FileStore,
  handler: ConsumeHandler,
  options: ConsumeOptions = {},
): Promise<ConsumeSummary> {
  if (typeof handler !== "function") throw new TypeError(`Invalid handler '${String(handler)}': expected a function`);
  const concurrency = positive(options.concurrency ?? 1, "concurrency", true);
  const maxAttempts = positive(options.maxAttempts ?? 3, "maxAttempts", true);
  const lease = positive(options.lease ?? 60_000, "lease", false);
  const pollInterval = positive(options.pollInterval ?? 1000, "pollInterval", false);
  const { signal, doneArea, untilEmpty = false } = options;
  const onError = options.onError ?? warn;
  const backoff = new Backoff();
  const failedArea = options.failedArea ?? "failed";
  const retryDelay = retryDelayOf(options.retryDelay);
  // The latest due time of a retry this loop delayed: untilEmpty waits for it.
  let ownRetriesDue = 0;
  let pausedUntilCheck = 0;
  let pausedNow = false;
  let pausesSeen = pausesInThisProcess();
  // A boolean while the last look is fresh (no promise per item), else a promise.
  const isPaused = (): boolean | Promise<boolean> => {
    const now = Date.now();
    if (now < pausedUntilCheck && pausesSeen === pausesInThisProcess()) return pausedNow;
    return lookForPause(now);
  };
  const lookForPause = async (now: number): Promise<boolean> => {
    pausedUntilCheck = now + PAUSE_CHECK;
    pausesSeen = pausesInThisProcess();
    try {
      pausedNow = await store.executor.run(pausedSteps(store));
    } catch {
      pausedNow = false; // a store we cannot stat is reported by next()
    }
    return pausedNow;
  };
  checkArea(store, failedArea, "failedArea");
  checkArea(store, doneArea, "doneArea");

  const summary: ConsumeSummary = { handled: 0, failed: 0, retried: 0, lost: 0 };
  // Handlers in flight, and the wake-up of a loop waiting for one to end:
  // a counter, not a set of promises raced per item (less work per fast item).
  let inFlight = 0;
  let slotFreed: (() => void) | undefined;
  const aSlotFrees = () => new Promise<void>((resolve) => slotFreed = resolve);
  const ended = () => {
    inFlight--;
    const wake = slotFreed;
    slotFreed = undefined;
    wake?.();
  };
  let fatal: unknown;
  const hints = new Hints(store.adapter, store.areaPath("new"));
  // Made last before the loop's try: its timer is cleared in the finally.
  const leases = new Leases(lease / 3, (claim) => store.touch(claim), isLost);
  const stopAll = () => leases.abortAll(signal?.reason);
  if (signal?.aborted) stopAll();
  signal?.addEventListener("abort", stopAll, { once: true });

  // A failed acknowledgement or hand-back: lost, survived, or the end of the loop.
  const settle = (error: unknown) => {
    if (isLost(error)) summary.lost++;
    else if (isTransient(error)) onError(error as FileStoreError);
    else fatal ??= error;
  };

  // Handles one claim to its end; never rejects (errors that must stop the loop go to `fatal`).
  const run = async (claim: Claim): Promise<void> => {
    if (claim.attempts >= maxAttempts) {
      // Already tried often enough: it came back by recover(), perhaps because it crashes its worker.
      try {
        await store.ack(claim, { to: failedArea });
        summary.failed++;
      } catch (error) {
        settle(error);
      }
      return;
    }
    const running = leases.start(claim);
    const item = new HeldItem(running, store);
    let ok = true;
    let failure: unknown;
    try {
      await handler(item);
    } catch (error) {
      ok = false;
      failure = error;
    } finally {
      leases.end(running);
    }
    try {
      if (!ok) {
        const record = describeError(claim.key, claim.attempts + 1, failure);
        await store.executor.run(recordErrorSteps(store, record)).catch(settle);
      }
      if (ok) {
        await store.ack(claim, { to: doneArea });
        summary.handled++;
      } else if (claim.attempts + 1 >= maxAttempts) {
        await store.ack(claim, { to: failedArea, keepError: true });
        summary.failed++;
      } else {
        const delay = retryDelay(claim.attempts + 1);
        await store.release(claim, { delay: Number.isFinite(delay) && delay > 0 ? delay : 0 });
        if (delay > 0) ownRetriesDue = Math.max(ownRetriesDue, Date.now() + delay);
        summary.retried++;
      }
    } catch (error) {
      settle(error); // the item stays claimed in cur/: recover() brings it back
    }
  };

  try {
    while (!signal?.aborted && fatal === undefined) {
      if (inFlight >= concurrency) {
        await aSlotFrees();
        continue;
      }
      const paused = isPaused();
      if (paused === true || (paused !== false && await paused)) {
        // Claims nothing while paused; what is in flight finishes meanwhile.
        await sleep(Math.min(pollInterval, PAUSE_CHECK), signal);
        continue;
      }
      let claim: Claim | null;
      hints.clear(); // events from here on wake the wait below
      const asked = Date.now(); // a retry due by now is promoted by this next()
      try {
        claim = await store.next();
        backoff.reset();
      } catch (error) {
        if (!isTransient(error)) {
          fatal = error;
          break;
        }
        onError(error as FileStoreError);
        await backoff.wait(signal);
        continue;
      }
      if (claim) {
        hints.busy();
        inFlight++;
        run(claim).then(ended, (error) => {
          fatal ??= error;
          ended();
        });
        continue;
      }
      const now = Date.now();
      if (untilEmpty) {
        if (inFlight > 0) {
          await aSlotFrees();
          continue;
        }
        if (ownRetriesDue <= asked) break;
      }
      // Wake for the next delayed item as well (a due time seen by this store object).
      const due = store.nextDue();
      const wait = due === null ? pollInterval : Math.max(1, Math.min(pollInterval, due - now));
      await hints.wait(wait, signal);
    }
    while (inFlight > 0) await aSlotFrees();
  } finally {
    hints.close();
    leases.close();
    signal?.removeEventListener("abort", stopAll);
  }
  if (fatal !== undefined) throw fatal;
  return summary;
}
