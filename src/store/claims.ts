/**
 * Claims: taking a file from `new/` into `cur/` under a name unique to the
 * claim, and finishing it (ack), handing it back (release) or extending its
 * lease (touch). The claim loop of next() is in `claim_queue.ts`.
 *
 * @module
 */
import type { FileInfo } from "../adapter.ts";
import { call, type Steps } from "../_io.ts";
import { FileStoreError, osCode } from "../errors.ts";
import { MAX_NAME_BYTES } from "../names.ts";
import { formatName, newClaimToken, parseName, releasedName } from "../name_parts.ts";
import { DELAYED_AREA, FAILED_AREA, type StoreContext } from "./context.ts";
import { forgetErrorSteps } from "./item_errors.ts";
import { acknowledgedName, otherNamesOf } from "./handed_on.ts";
import { discard, existing, explain, nameIn, resolved, type StoredFile } from "./resolve.ts";
import { makeAreaOnFirstUse, makeFailedArea, setAside } from "./set_aside.ts";

/** A claimed file in `cur/`, held by the caller until it is acknowledged or released. */
export interface Claim extends StoredFile {
  /** The key: the name without info part and transient fields; stable across areas. */
  key: string;
  /** How many times the item was handed back before this claim. */
  attempts: number;
}

/** Options of `ack()`. */
export interface AckOptions {
  /**
   * Move the item to this area instead of deleting it.
   * @default {undefined: delete}
   */
  to?: string;
  /**
   * Keep the item's last error record (see `lastError()`). By default it is
   * removed when the item is acknowledged, unless it goes to `failed`.
   * @default {false}
   */
  keepError?: boolean;
}

/** Options of `release()`. */
export interface ReleaseOptions {
  /**
   * Milliseconds until the item is due again: it waits in `delayed/` until
   * then, instead of going back to `new/` at once.
   * @default {0: back to new/ now}
   */
  delay?: number;
}

const encoder = new TextEncoder();

/** How a claim attempt ended. */
export type ClaimAttempt =
  | { claim: Claim }
  /** Someone else renamed it first (or cur/ is gone: the caller checks once per batch). */
  | { lost: true }
  /** It could not be handed out (not a regular file, name too long) and was set aside in failed/. */
  | { setAside: true };

/**
 * Renames new/<name> to a name unique to this claim: on file systems where a
 * stale client's rename of a vanished name "succeeds", two claimants still
 * cannot both end up holding one file (each holds only its own name). Then
 * checks what it holds: a file swapped in after the listing (a symlink, a
 * FIFO, a directory) is set aside, never handed out.
 */
export function* tryClaim(store: StoreContext, name: string, setAsideTooLong: boolean): Steps<ClaimAttempt> {
  const separator = store.infoSeparator;
  const parts = parseName(name, separator);
  const claimed = formatName(parts.kept, {
    attempts: parts.attempts,
    claim: newClaimToken(store.adapter.pid(), store.host),
    info: parts.info ?? "2,",
  }, separator);
  const source = `${store.path}/new/${name}`;
  const path = `${store.path}/cur/${claimed}`;
  if (claimed.length * 3 > MAX_NAME_BYTES && encoder.encode(claimed).byteLength > MAX_NAME_BYTES) {
    // No room in the name for a claim: it cannot be handed out.
    if (!setAsideTooLong) {
      throw new FileStoreError(
        "INVALID_NAME",
        `Cannot claim '${source}': the name is too long to carry a claim (over ${MAX_NAME_BYTES} bytes)`,
        { path: source },
      );
    }
    return (yield* setAside(store, "new", name)) ? { setAside: true } : { lost: true };
  }
  try {
    yield* call("rename", source, path);
  } catch (error) {
    if (osCode(error) === "ENOENT") return { lost: true };
    throw yield* explain(store, error, "claim", source, ["new", "cur"]);
  }
  let info: FileInfo;
  try {
    info = yield* call("lstat", path);
  } catch (error) {
    if (osCode(error) !== "ENOENT") throw yield* explain(store, error, "claim", path, ["cur"]);
    return { lost: true }; // recovered from under us already: not ours
  }
  if (!info.isFile) {
    yield* setAside(store, "cur", claimed, name);
    return { setAside: true };
  }
  const others = yield* otherNamesOf(store, claimed, info);
  if (others) {
    // A second name of one file (see handed_on.ts): not an item of its own. Beside the item's
    // later name it goes; beside another claim it stays in cur/, for recover() after the lease.
    if ("handedOn" in others) yield* discard(path);
    return { lost: true };
  }
  return { claim: { name: claimed, path, key: parts.key, attempts: parts.attempts } };
}

/** After claims failed with ENOENT: lost races, unless cur/ itself is gone. */
export function* requireCur(store: StoreContext, source: string): Steps<void> {
  try {
    yield* call("stat", store.areaPath("cur"));
  } catch (error) {
    throw yield* explain(store, error, "claim", source, ["cur"]);
  }
}

/** claim(name): one named file, or null when someone else has it. */
export function* claimSteps(store: StoreContext, nameOrPath: string | StoredFile): Steps<Claim | null> {
  let name = nameIn(store, "new", nameOrPath);
  try {
    name = yield* resolved(store, "new", name, (found) => existing(store, "new", found, "claim"));
  } catch (error) {
    const explained = yield* explain(store, error, "claim", `${store.path}/new/${name}`, ["new"]);
    if (explained.code === "NOT_FOUND") return null; // taken by someone else, or never there
    throw explained;
  }
  const attempt = yield* tryClaim(store, name, false);
  if ("claim" in attempt) return attempt.claim;
  if ("setAside" in attempt) {
    throw new FileStoreError(
      "NOT_A_FILE",
      `Cannot claim '${store.path}/new/${name}': it was replaced by something that is not a regular file, now set aside in ${FAILED_AREA}/`,
      { path: `${store.path}/new/${name}` },
    );
  }
  yield* requireCur(store, `${store.path}/new/${name}`);
  return null;
}

function claimedName(store: StoreContext, claim: Claim | StoredFile | string): { name: string; path: string } {
  const name = nameIn(store, "cur", claim);
  return { name, path: `${store.path}/cur/${name}` };
}

function lost(error: unknown, action: string, path: string): FileStoreError {
  return new FileStoreError(
    "LOST_CLAIM",
    `Cannot ${action} '${path}': the claim is no longer held (it was recovered or acknowledged)`,
    { cause: error, path },
  );
}

// ENOENT means the claim is gone when cur/ and the target area are there: a
// missing target area (new/, done/...) is NOT_PREPARED, and the claim still
// held. The areas are asked, not the claim's name: on a shared file system a
// client can still stat a name another client renamed away (GlusterFS: for
// about a second), while directories are never replaced.
function* isLost(store: StoreContext, error: unknown, target?: string): Steps<boolean> {
  if (osCode(error) !== "ENOENT" || !(yield* areaExists(store, "cur"))) return false;
  return target === undefined || (yield* areaExists(store, target));
}

function* areaExists(store: StoreContext, area: string): Steps<boolean> {
  try {
    return (yield* call("stat", store.areaPath(area))).isDirectory;
  } catch {
    return false;
  }
}

/** ack(): deletes the claimed file, or moves it to the area `to` (failed/ is made on first use). */
export function* ackSteps(store: StoreContext, claim: Claim | StoredFile | string, options: AckOptions): Steps<void> {
  const { name, path } = claimedName(store, claim);
  const to = options.to;
  try {
    yield* resolved(store, "cur", name, (found) => ackOne(store, found, to));
  } catch (error) {
    if (to === FAILED_AREA && osCode(error) === "ENOENT" && (yield* makeFailedArea(store))) {
      return yield* ackSteps(store, claim, options);
    }
    if (yield* isLost(store, error, to)) throw lost(error, "acknowledge", path);
    throw yield* explain(store, error, "acknowledge", path, to ? ["cur", to] : ["cur"]);
  }
  // Only an item that was handed back before (an `,A=` field) can have an error record: the first try pays nothing.
  if (!name.includes(",A=") || to === FAILED_AREA || options.keepError) return;
  const parts = parseName(name, store.infoSeparator);
  if (parts.attempts > 0) yield* forgetErrorSteps(store, parts.key);
}

function* ackOne(store: StoreContext, name: string, to: string | undefined): Steps<void> {
  const path = `${store.path}/cur/${name}`;
  if (to === undefined) return yield* call("unlink", path);
  yield* call("rename", path, `${store.areaPath(to)}/${acknowledgedName(store, name)}`);
}

/** release(): back to new/ with one more attempt, or with `due` to delayed/ (made on first use) until then. */
export function* releaseSteps(
  store: StoreContext,
  claim: Claim | StoredFile | string,
  due?: number,
): Steps<StoredFile> {
  const { name, path } = claimedName(store, claim);
  const area = due === undefined ? "new" : DELAYED_AREA;
  try {
    return yield* resolved(store, "cur", name, (found) => releaseOne(store, found, area, due));
  } catch (error) {
    if (area === DELAYED_AREA && osCode(error) === "ENOENT" && (yield* makeAreaOnFirstUse(store, area))) {
      return yield* releaseSteps(store, claim, due);
    }
    if (yield* isLost(store, error, area)) throw lost(error, "release", path);
    throw yield* explain(store, error, "release", path, ["cur", area]);
  }
}

function* releaseOne(store: StoreContext, name: string, area: string, due?: number): Steps<StoredFile> {
  const released = releasedName(name, store.infoSeparator, due);
  const target = `${store.path}/${area}/${released}`;
  yield* call("rename", `${store.path}/cur/${name}`, target);
  return { name: released, path: target };
}

function* touchOne(path: string, now: number): Steps<void> {
  // utimes follows symlinks: check first, so a planted link's target is never touched.
  if (!(yield* call("lstat", path)).isFile) {
    throw new FileStoreError("NOT_A_FILE", `Cannot touch '${path}': it is not a regular file`, { path });
  }
  yield* call("utimes", path, now, now);
}

/** touch(): extends a claim's lease. */
export function* touchSteps(store: StoreContext, claim: Claim | StoredFile | string): Steps<void> {
  const { name, path } = claimedName(store, claim);
  const now = Date.now() / 1000;
  try {
    yield* resolved(store, "cur", name, (found) => touchOne(`${store.path}/cur/${found}`, now));
  } catch (error) {
    if (yield* isLost(store, error)) throw lost(error, "touch", path);
    throw yield* explain(store, error, "touch", path, ["cur"]);
  }
}
