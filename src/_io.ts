// Operations are written once, as generators that yield file-system calls;
// runSync and runAsync execute the same steps with the adapter's sync or
// async primitives. So every method and its *Sync twin share one body.
import type { AsyncFs, SyncFs } from "./adapter.ts";

/** One file-system call, yielded by an operation. */
export interface Call {
  fn: keyof SyncFs;
  args: unknown[];
}

/** An operation: yields calls, receives their results, returns T. */
export type Steps<T> = Generator<Call, T, unknown>;

/** Yields one call and returns its (typed) result. */
export function* call<K extends keyof SyncFs>(
  fn: K,
  ...args: Parameters<SyncFs[K]>
): Generator<Call, ReturnType<SyncFs[K]>, unknown> {
  return (yield { fn, args }) as ReturnType<SyncFs[K]>;
}

// On a shared file system (NFS, GlusterFS) a client that cached a name which
// another client then replaced gets ESTALE until its cache times out (about a
// second on GlusterFS, measured up to 1.1 s); a fresh lookup then succeeds.
// Calls that only read are retried with a growing pause (1.9 s in all); calls
// that change something are not, since they may have taken effect before the
// error came back.
const RETRIED_ON_ESTALE: ReadonlySet<keyof SyncFs> = new Set(["readFile", "stat", "lstat", "readDir"]);
/** The pauses before each retry of a read that failed with ESTALE, in ms. */
export const ESTALE_RETRY_DELAYS: readonly number[] = [10, 20, 40, 80, 160, 320, 640, 640];

function isStale(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "ESTALE";
}

// Marks a failed call's error apart from a result.
class CallFailure {
  constructor(readonly error: unknown) {}
}

let sleeper: Int32Array | undefined;
// Blocks the thread: the synchronous API has no other way to wait.
function sleepSync(ms: number): void {
  try {
    sleeper ??= new Int32Array(new SharedArrayBuffer(4));
    Atomics.wait(sleeper, 0, 0, ms);
  } catch {
    // No SharedArrayBuffer or no Atomics.wait here (a browser's main thread): spin.
    const until = Date.now() + ms;
    while (Date.now() < until) { /* wait */ }
  }
}

/** Runs an operation with synchronous calls. */
export function runSync<T>(steps: Steps<T>, fs: SyncFs): T {
  let step = steps.next();
  while (!step.done) {
    const { fn, args } = step.value;
    let result: unknown;
    for (let attempt = 0;; attempt++) {
      try {
        result = (fs[fn] as (...a: unknown[]) => unknown)(...args);
        break;
      } catch (error) {
        if (isStale(error) && RETRIED_ON_ESTALE.has(fn) && attempt < ESTALE_RETRY_DELAYS.length) {
          sleepSync(ESTALE_RETRY_DELAYS[attempt]);
          continue;
        }
        result = new CallFailure(error);
        break;
      }
    }
    step = result instanceof CallFailure ? steps.throw(result.error) : steps.next(result);
  }
  return step.value;
}

/** Runs an operation with asynchronous calls. */
export async function runAsync<T>(steps: Steps<T>, fs: AsyncFs): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    const { fn, args } = step.value;
    let result: unknown;
    for (let attempt = 0;; attempt++) {
      try {
        result = await (fs[fn] as (...a: unknown[]) => Promise<unknown>)(...args);
        break;
      } catch (error) {
        if (isStale(error) && RETRIED_ON_ESTALE.has(fn) && attempt < ESTALE_RETRY_DELAYS.length) {
          await new Promise((resolve) => setTimeout(resolve, ESTALE_RETRY_DELAYS[attempt]));
          continue;
        }
        result = new CallFailure(error);
        break;
      }
    }
    step = result instanceof CallFailure ? steps.throw(result.error) : steps.next(result);
  }
  return step.value;
}
