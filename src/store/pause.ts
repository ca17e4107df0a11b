/**
 * Pause and resume across processes: a hidden marker `<store>/.paused`.
 * Every consume() loop (and `filestore watch`) that sees it stops claiming,
 * finishes what it holds, and goes on by itself once the marker is gone.
 * `next()` does not look at it: it is the low-level call.
 *
 * @module
 */
import { call, type Steps } from "../_io.ts";
import { osCode, wrapOsError } from "../errors.ts";
import type { StoreContext } from "./context.ts";
import { discard } from "./resolve.ts";

/** The marker's name in the store's directory (hidden: Maildir readers skip names starting with `.`). */
export const PAUSE_MARKER = ".paused";

let localPauses = 0;

/** How many pauses this process made: a loop whose count changed looks at the marker at once. */
export function pausesInThisProcess(): number {
  return localPauses;
}

function markerPath(store: StoreContext): string {
  return `${store.path}/${PAUSE_MARKER}`;
}

/** pause(): writes the marker atomically (tmp/ + rename); pausing a paused store changes nothing. */
export function* pauseSteps(store: StoreContext): Steps<void> {
  const temporary = `${store.areaPath("tmp")}/${store.uniqueName()}`;
  try {
    const since = new TextEncoder().encode(`${JSON.stringify({ pausedAt: new Date().toISOString() })}\n`);
    yield* call("writeFile", temporary, since, { flag: "wx", mode: store.fileMode, sync: store.sync });
    yield* call("rename", temporary, markerPath(store));
    localPauses++;
  } catch (error) {
    yield* discard(temporary);
    throw wrapOsError(error, "pause", store.path);
  }
}

/** resume(): removes the marker; resuming a running store changes nothing. */
export function* resumeSteps(store: StoreContext): Steps<void> {
  try {
    yield* call("unlink", markerPath(store));
  } catch (error) {
    if (osCode(error) !== "ENOENT") throw wrapOsError(error, "resume", store.path);
  }
}

/** paused(): whether the marker is there. */
export function* pausedSteps(store: StoreContext): Steps<boolean> {
  try {
    yield* call("lstat", markerPath(store));
    return true;
  } catch (error) {
    const code = osCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw wrapOsError(error, "check the pause of", store.path);
  }
}
