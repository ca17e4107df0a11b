// Operations are written once, as generators that yield file-system calls;
// runSync and runAsync execute the same steps with the adapter's sync or
// async primitives. So every method and its *Sync twin share one body.
import type { AsyncFs, SyncFs } from "./adapter.ts";

/** One file-system call, yielded by an operation. */
export interface Call {
  fn: keyof SyncFs;
  args: unknown[];
}

/** Several operations whose order does not matter, yielded by {@linkcode all}. */
export interface Group {
  fn: "all";
  steps: Steps<unknown>[];
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
        result = (fs[request.fn] as (...a: unknown[]) => unknown)(...request.args);
      }
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

/** Runs an operation with asynchronous calls. */
export async function runAsync<T>(steps: Steps<T>, fs: AsyncFs): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    const request = step.value;
    let result: unknown;
    try {
      if (request.fn === "all") {
        result = await settleAll(request.steps, request.limit, fs);
      } else {
        result = await (fs[request.fn] as (...a: unknown[]) => Promise<unknown>)(...request.args);
      }
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

// Runs operations with at most `limit` in flight, so a big batch cannot run out of file descriptors.
async function settleAll(list: Steps<unknown>[], limit: number, fs: AsyncFs): Promise<PromiseSettledResult<unknown>[]> {
  const results = new Array<PromiseSettledResult<unknown>>(list.length);
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const i = next++;
      try {
        results[i] = { status: "fulfilled", value: await runAsync(list[i], fs) };
      } catch (reason) {
        results[i] = { status: "rejected", reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, list.length)) }, worker));
  return results;
}
