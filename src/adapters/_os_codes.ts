/**
 * Gives OS errors their errno name as `code` where the runtime leaves it out:
 * Node's libuv reports ESTALE (a stale handle on NFS or GlusterFS) as
 * "Unknown system error -116", Deno's `node:fs` as "UNKNOWN", and `Deno.*`
 * only in the message ("(os error 116)"). The core retries on and reports by
 * `code`, so the adapters fill it in.
 *
 * @module
 */
import { constants } from "node:os";

let names: Map<number, string> | undefined;

/** The errno name (`ENOENT`...) of an errno number, negative or not. */
export function errnoName(errno: number): string | undefined {
  names ??= new Map(Object.entries(constants.errno).map(([name, value]) => [value, name]));
  return names.get(Math.abs(errno));
}

/** Sets `code` to the errno name on an error that lacks a proper one; returns the error. */
export function withOsCode(error: unknown): unknown {
  if (typeof error !== "object" || error === null) return error;
  const e = error as { code?: unknown; errno?: unknown; message?: unknown };
  if (typeof e.code === "string" && e.code.startsWith("E")) return error;
  let errno = typeof e.errno === "number" ? e.errno : undefined;
  if (errno === undefined && typeof e.message === "string") {
    const match = /\(os error (\d+)\)/.exec(e.message);
    if (match) errno = Number(match[1]);
  }
  const name = errno === undefined ? undefined : errnoName(errno);
  if (name) {
    try {
      e.code = name;
    } catch {
      // A frozen error keeps what it has.
    }
  }
  return error;
}

/** Wraps every function of a primitives object so that its errors carry their errno name. */
export function withOsCodes<T extends object>(primitives: T, kind: "sync" | "async"): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(primitives)) {
    const f = fn as (...args: unknown[]) => unknown;
    wrapped[name] = kind === "sync"
      ? (...args: unknown[]) => {
        try {
          return f(...args);
        } catch (error) {
          throw withOsCode(error);
        }
      }
      : (...args: unknown[]) => (f(...args) as Promise<unknown>).catch((error) => Promise.reject(withOsCode(error)));
  }
  return wrapped as T;
}
