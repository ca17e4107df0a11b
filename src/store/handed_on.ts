/**
 * Finds out whether a claimed file is a leftover second name of an item that
 * was already handed on. Seen on GlusterFS after a server outage: a second
 * name of an item's file appeared in new/ (one inode, two links), a second
 * consumer claimed it, and its ack() was a rename onto the item's first
 * done/ name, which POSIX turns into a no-op that reports success, leaving
 * the claim in cur/ for recover() to hand out a third time. Such a name has
 * more than one link, so the common path pays nothing: only then are the
 * names the item has after ack() (in each area) or release() (in new/)
 * looked up, and the other claims of its key in cur/.
 *
 * Only a name whose file lives on under the item's later name is dropped.
 * Two claims of one file in cur/ are never dropped for each other: two
 * holders, each seeing the other, would drop both names and lose the item.
 * A new claim then stays unhanded in cur/; once the lease is up, recover()
 * hands back the first of them by name and drops the rest as released.
 *
 * @module
 */
import type { FileInfo } from "../adapter.ts";
import { call, type Steps } from "../_io.ts";
import { formatName, parseName, releasedName } from "../name_parts.ts";
import { FAILED_AREA, type StoreContext } from "./context.ts";

// Never the item's own areas of a claim in flight.
const SKIPPED_AREAS = new Set(["tmp", "cur"]);

/** The name ack() gives a claimed file in its target area: the claim left out. */
export function acknowledgedName(store: StoreContext, claimed: string): string {
  const parts = parseName(claimed, store.infoSeparator);
  return formatName(parts.kept, { attempts: parts.attempts, info: parts.info }, store.infoSeparator);
}

/** Where else a claimed file with more than one name lives (see the module doc). */
export type OtherNames =
  /** The item lives on under its later name (ack()'s in any area, release()'s in new/): this name may go. */
  | { handedOn: string }
  /** Other names of the item in cur/ (claims, or another program's) hold the same file: those names. */
  | { heldAs: string[] };

/**
 * Where else the file `info` (claimed as `claimed`) lives in the store, or
 * null: a name of the same item (by its key) with the same inode, device and
 * size (inode numbers above 2^53, as GlusterFS gives, lose digits in a JS
 * number; times are not compared, as replicas may differ).
 */
export function* otherNamesOf(store: StoreContext, claimed: string, info: FileInfo): Steps<OtherNames | null> {
  if ((info.nlink ?? 1) < 2 || info.ino === undefined) return null;
  const acknowledged = acknowledgedName(store, claimed);
  // failed/ too, declared or not: consume() acknowledges there what keeps failing.
  const areas = new Set([...store.areas, FAILED_AREA]);
  const candidates = [...areas].filter((area) => !SKIPPED_AREAS.has(area))
    .map((area) => `${store.areaPath(area)}/${acknowledged}`);
  candidates.push(`${store.areaPath("new")}/${releasedName(claimed, store.infoSeparator)}`);
  for (const path of candidates) {
    if (yield* sameFile(path, info)) return { handedOn: path };
  }
  // Or held under other claims: their names are not known, but they are in cur/ with the same key.
  const key = parseName(claimed, store.infoSeparator).key;
  const cur = store.areaPath("cur");
  let names: string[];
  try {
    names = (yield* call("readDir", cur)).map((entry) => entry.name);
  } catch {
    return null;
  }
  const heldAs: string[] = [];
  for (const name of names) {
    if (name === claimed || !name.startsWith(key) || parseName(name, store.infoSeparator).key !== key) continue;
    if (yield* sameFile(`${cur}/${name}`, info)) heldAs.push(name);
  }
  return heldAs.length > 0 ? { heldAs } : null;
}

function* sameFile(path: string, info: FileInfo): Steps<boolean> {
  let other: FileInfo;
  try {
    other = yield* call("lstat", path);
  } catch {
    return false; // not there (or unreadable): not this one
  }
  return other.ino === info.ino && other.dev === info.dev && other.size === info.size;
}
