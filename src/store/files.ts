/**
 * The seed's operations on files in areas: list, move, remove, read, and the
 * streaming listings entries() and count().
 *
 * @module
 */
import type { DirEntry, EntryKind } from "../adapter.ts";
import { call, type Steps } from "../_io.ts";
import { FileStoreError, osCode, wrapOsError } from "../errors.ts";
import type { StoreContext } from "./context.ts";
import { closeListing, explain, nameIn, resolved, type StoredFile, visible } from "./resolve.ts";

/** A listing entry: a file in an area and what kind of entry it is. */
export interface StoreEntry extends StoredFile {
  /** `"file"` for a regular file; a `"symlink"` is never read through. */
  kind: EntryKind;
  /**
   * The exact bytes of the name, present only when the name is not valid
   * UTF-8 (then `name` holds U+FFFD in their place) and the runtime can tell
   * (Node and Bun; Deno gives no bytes).
   */
  bytes?: Uint8Array;
}

/** Options of `move()`. */
export interface MoveOptions {
  /**
   * Replace a file of the same name in the target area.
   * @default {false}
   */
  overwrite?: boolean;
}

// Error codes of link() on file systems that have no hard links.
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS", "EMLINK"]);

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** list(): full paths, sorted by name, without hidden names. */
export function* listSteps(store: StoreContext, area: string): Steps<string[]> {
  const dir = store.areaPath(area);
  let entries: DirEntry[];
  try {
    entries = yield* call("readDir", dir);
  } catch (error) {
    throw yield* explain(store, error, "list", dir, [area]);
  }
  const names = entries.filter(visible).map((entry) => entry.name).sort(byName);
  return names.map((name) => `${dir}/${name}`);
}

/** Moves without replacing: link() fails if the target exists; then unlink the source. */
export function* moveNoReplace(
  store: StoreContext,
  from: string,
  to: string,
  action: string,
  areas: string[],
): Steps<void> {
  try {
    yield* call("link", from, to);
  } catch (error) {
    const code = osCode(error);
    if (code === "EEXIST") {
      throw new FileStoreError("ALREADY_EXISTS", `Cannot ${action} '${from}': '${to}' already exists`, {
        cause: error,
        path: to,
      });
    }
    if (!NO_HARD_LINKS.has(code ?? "")) throw yield* explain(store, error, action, from, areas);
    // No hard links here (or a directory): check, then rename.
    yield* refuseExisting(to, from, action);
    try {
      yield* call("rename", from, to);
    } catch (renameError) {
      throw yield* explain(store, renameError, action, from, areas);
    }
    return;
  }
  try {
    yield* call("unlink", from);
  } catch (error) {
    if (osCode(error) !== "ENOENT") throw wrapOsError(error, action, from);
  }
}

function* refuseExisting(path: string, source: string, action: string): Steps<void> {
  try {
    yield* call("lstat", path);
  } catch {
    return;
  }
  throw new FileStoreError("ALREADY_EXISTS", `Cannot ${action} '${source}': '${path}' already exists`, { path });
}

/** move(): one atomic step between areas; never replaces unless `overwrite`. */
export function* moveSteps(
  store: StoreContext,
  name: string | StoredFile,
  from: string,
  to: string,
  options: MoveOptions,
): Steps<void> {
  yield* resolved(store, from, nameIn(store, from, name), (file) => moveOne(store, file, from, to, options));
}

function* moveOne(store: StoreContext, file: string, from: string, to: string, options: MoveOptions): Steps<void> {
  const source = `${store.areaPath(from)}/${file}`;
  const target = `${store.areaPath(to)}/${file}`;
  if (source === target) return;
  if (!options.overwrite) return yield* moveNoReplace(store, source, target, "move", [from, to]);
  try {
    yield* call("rename", source, target);
  } catch (error) {
    throw yield* explain(store, error, "move", source, [from, to]);
  }
}

/** remove(): deletes a file from an area. */
export function* removeSteps(store: StoreContext, name: string | StoredFile, area: string): Steps<void> {
  const dir = store.areaPath(area);
  const file = nameIn(store, area, name);
  try {
    yield* resolved(store, area, file, (found) => call("unlink", `${dir}/${found}`));
  } catch (error) {
    throw yield* explain(store, error, "remove", `${dir}/${file}`, [area]);
  }
}

/** read(): a regular file's bytes; a symlink is refused, never followed. */
export function* readSteps(store: StoreContext, name: string | StoredFile, area: string): Steps<Uint8Array> {
  const dir = store.areaPath(area);
  const file = nameIn(store, area, name);
  const path = `${dir}/${file}`;
  try {
    return yield* resolved(store, area, file, (found) => call("readFile", `${dir}/${found}`));
  } catch (error) {
    if (osCode(error) === "ELOOP") {
      throw new FileStoreError("NOT_A_FILE", `Cannot read '${path}': it is a symlink, which the store never follows`, {
        cause: error,
        path,
      });
    }
    throw yield* explain(store, error, "read", path, [area]);
  }
}

const lossy = new TextDecoder("utf-8", { ignoreBOM: true });

// The bytes of names shown with U+FFFD, by the shown name (in listing order when two look alike).
function bytesByShownName(store: StoreContext, dir: string): Map<string, Uint8Array[]> {
  const byName = new Map<string, Uint8Array[]>();
  let raw: Uint8Array[] | null = null;
  try {
    raw = store.adapter.sync.readDirBytes(dir);
  } catch {
    // The directory went away: the listing itself reports that.
  }
  for (const bytes of raw ?? []) {
    const shown = lossy.decode(bytes);
    if (!shown.includes("\uFFFD")) continue;
    byName.set(shown, [...(byName.get(shown) ?? []), bytes]);
  }
  return byName;
}

// Entries read per call: a listing holds this many at a time.
const ENTRIES_BATCH = 512;

/**
 * entries(): streams an area's entries in directory order, a batch per call
 * through the executor: inline where calls prove fast (a constant-memory
 * stream on every runtime), on the pool where they do not.
 */
export async function* entriesOf(store: StoreContext, area: string): AsyncIterableIterator<StoreEntry> {
  const dir = store.areaPath(area);
  let unreadable: Map<string, Uint8Array[]> | undefined;
  let handle: unknown;
  try {
    handle = await store.executor.run(call("openDir", dir));
    for (;;) {
      const batch = await store.executor.run(call("readDirBatch", handle, ENTRIES_BATCH));
      if (batch.length === 0) break;
      for (const entry of batch) {
        if (!visible(entry)) continue;
        const found: StoreEntry = { name: entry.name, path: `${dir}/${entry.name}`, kind: entry.kind };
        if (entry.name.includes("\uFFFD")) {
          // Rare: one listing by bytes, only when a name that is not UTF-8 shows up.
          unreadable ??= bytesByShownName(store, dir);
          const bytes = unreadable.get(entry.name)?.shift();
          if (bytes) found.bytes = bytes;
        }
        yield found;
      }
    }
  } catch (error) {
    throw await store.executor.run(explain(store, error, "list", dir, [area]));
  } finally {
    if (handle !== undefined) await store.executor.run(closeListing(handle));
  }
}
