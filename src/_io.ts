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

/** Runs an operation with synchronous calls. */
export function runSync<T>(steps: Steps<T>, fs: SyncFs): T {
  let step = steps.next();
  while (!step.done) {
    const { fn, args } = step.value;
    let result: unknown;
    try {
      result = (fs[fn] as (...a: unknown[]) => unknown)(...args);
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
    const { fn, args } = step.value;
    let result: unknown;
    try {
      result = await (fs[fn] as (...a: unknown[]) => Promise<unknown>)(...args);
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}
