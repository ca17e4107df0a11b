// Operations are written once, as generators that yield file-system calls;
// runSync and runAsync execute the same steps with the adapter's sync or
// async primitives, so every method and its *Sync twin share one body. The
// Executor (executor.ts) is the async runner the store uses.
import type { AsyncFs, SyncFs } from "./adapter.ts";

/** One file-system call, yielded by an operation. */
export interface Call {
  /** The primitive. */
  fn: keyof SyncFs;
  /** Its arguments. */
  args: unknown[];
}

/** Several operations whose order does not matter, yielded by {@linkcode all}. */
export interface Group {
  /** Marks a group. */
  fn: "all";
  /** The operations. */
  steps: Steps<unknown>[];
  /** How many may be in flight at once on the async path. */
  limit: number;
}

/** An operation: yields calls, receives their results, returns T. */
export type Steps<T> = Generator<Call | Group, T, unknown>;

/** Yields one call and returns its (typed) result. */
export function* call<K extends keyof SyncFs>(
  fn: K,
  ...args: Parameters<SyncFs[K]>
): Generator<Call, ReturnType<SyncFs[K]>, unknown> {
  return (yield { fn, args }) as ReturnType<SyncFs[K]>;
}

/**
 * Runs independent operations and returns how each ended, in order. The
 * async runner keeps up to `limit` of them in flight (their waits on the
 * disk overlap); the sync runner runs them one after the other.
 */
export function* all<T>(steps: Steps<T>[], limit = 16): Generator<Group, PromiseSettledResult<T>[], unknown> {
  return (yield { fn: "all", steps, limit }) as PromiseSettledResult<T>[];
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

/** Whether a call that failed may be retried after a pause. */
export function retryOnStale(error: unknown, fn: keyof SyncFs, attempt: number): boolean {
  return (error as { code?: unknown } | null)?.code === "ESTALE" && RETRIED_ON_ESTALE.has(fn) &&
    attempt < ESTALE_RETRY_DELAYS.length;
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

/** Calls a synchronous primitive once. */
export function callOnce(fs: SyncFs, { fn, args }: Call): unknown {
  return (fs[fn] as (...a: unknown[]) => unknown)(...args);
}

/** Calls a synchronous primitive, retrying reads that fail with ESTALE (the thread sleeps). */
export function callSync(fs: SyncFs, request: Call): unknown {
  for (let attempt = 0;; attempt++) {
    try {
      return callOnce(fs, request);
    } catch (error) {
      if (!retryOnStale(error, request.fn, attempt)) throw error;
      sleepSync(ESTALE_RETRY_DELAYS[attempt]);
    }
  }
}

/** Calls an asynchronous primitive, retrying reads that fail with ESTALE. */
export async function callAsync(fs: AsyncFs, { fn, args }: Call): Promise<unknown> {
  for (let attempt = 0;; attempt++) {
    try {
      return await (fs[fn] as (...a: unknown[]) => Promise<unknown>)(...args);
    } catch (error) {
      if (!retryOnStale(error, fn, attempt)) throw error;
      await new Promise((resolve) => setTimeout(resolve, ESTALE_RETRY_DELAYS[attempt]));
    }
  }
}

/** Runs an operation with synchronous calls. */
export function runSync<T>(steps: Steps<T>, fs: SyncFs): T {
  let step = steps.next();
  while (!step.done) {
    const request = step.value;
    let result: unknown;
    try {
      if (request.fn === "all") {
        result = request.steps.map((sub): PromiseSettledResult<unknown> => {
          try {
            return { status: "fulfilled", value: runSync(sub, fs) };
          } catch (reason) {
            return { status: "rejected", reason };
          }
        });
      } else {
        result = callSync(fs, request);
      }
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

/**
 * Drives an operation asynchronously: `call` runs each call (returning a value
 * or a promise) and `run` each operation of a group.
 */
export async function driveAsync<T>(
  steps: Steps<T>,
  call: (request: Call) => unknown,
  run: (sub: Steps<unknown>) => Promise<unknown>,
): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    const request = step.value;
    let result: unknown;
    try {
      // An inline call returns its value: awaiting it would cost a microtask hop per call for nothing.
      result = request.fn === "all" ? await settleAll(request.steps, request.limit, run) : call(request);
      if (result instanceof Promise) result = await result;
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

/** Runs an operation with asynchronous calls, each on the adapter's thread pool. */
export function runAsync<T>(steps: Steps<T>, fs: AsyncFs): Promise<T> {
  return driveAsync(steps, (request) => callAsync(fs, request), (sub) => runAsync(sub, fs));
}

// Runs operations with at most `limit` in flight, so a big batch cannot run out of file descriptors.
export async function settleAll(
  list: Steps<unknown>[],
  limit: number,
  run: (steps: Steps<unknown>) => Promise<unknown>,
): Promise<PromiseSettledResult<unknown>[]> {
  const results = new Array<PromiseSettledResult<unknown>>(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await run(list[i]) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, list.length)) }, worker));
  return results;
}
