/**
 * From what a caller gives (a name, a key, a path, a claim) to a file in an
 * area, and from an operating-system error to an error that says what to do.
 *
 * @module
 */
import { resolve as resolvePath } from "node:path";
import type { DirEntry } from "../adapter.ts";
import { call, type Steps } from "../_io.ts";
import { FileStoreError, osCode, wrapOsError } from "../errors.ts";
import { printable, validateEntryName } from "../names.ts";
import { parseName, sameClaim } from "../name_parts.ts";
import type { StoreContext } from "./context.ts";

/** A file in the store. */
export interface StoredFile {
  /** The file name inside its area. */
  name: string;
  /** The full path. */
  path: string;
}

/** Whether an error says the file is not there. */
export function missing(error: unknown): boolean {
  const code = osCode(error);
  return code === "ENOENT" || code === "NOT_FOUND";
}

/** Whether a listing entry is visible: names starting with `.` are hidden, as in every Maildir reader. */
export function visible(entry: DirEntry): boolean {
  return !entry.name.startsWith(".");
}

/** A file name in an area: a plain name, or a full path that must lie in that area. */
export function nameIn(store: StoreContext, area: string, nameOrPath: string | StoredFile): string {
  const dir = store.areaPath(area);
  const given = typeof nameOrPath === "object" && nameOrPath !== null ? nameOrPath.path : nameOrPath;
  if (typeof given === "string" && given.includes("/")) {
    // The common case, a path this store made (a claim's): `<dir>/<name>`, nothing to normalise.
    if (given.length > dir.length + 1 && given.startsWith(dir) && given[dir.length] === "/") {
      const name = given.slice(dir.length + 1);
      if (!name.includes("/")) return validateEntryName(name);
    }
    const full = resolvePath(given);
    const slash = full.lastIndexOf("/");
    if (full.slice(0, slash) !== dir) {
      throw new FileStoreError("INVALID_NAME", `Invalid name '${printable(given)}': it is not in ${area}/`);
    }
    return validateEntryName(full.slice(slash + 1));
  }
  return validateEntryName(given as string);
}

/**
 * Runs `step` on a name in an area. Only if that name is not there does it
 * look the file up and run `step` once more on the name found: by key, or,
 * for a claim, by key and claim token. So a key, a name whose flags or
 * fields changed meanwhile (a mail reader, mbsync), or a full path all work,
 * the hot path pays nothing, and a lookup never lands on another holder's claim.
 */
export function* resolved<T>(
  store: StoreContext,
  area: string,
  name: string,
  step: (name: string) => Steps<T>,
): Steps<T> {
  try {
    return yield* step(name);
  } catch (error) {
    if (!missing(error)) throw error;
    let entries: DirEntry[];
    try {
      entries = yield* call("readDir", store.areaPath(area));
    } catch {
      throw error;
    }
    const separator = store.infoSeparator;
    const parts = parseName(name, separator);
    const found = entries.find((entry) => {
      if (entry.name === name || !visible(entry)) return false;
      const other = parseName(entry.name, separator);
      return parts.claim ? sameClaim(parts, other) : other.key === parts.key && other.claim === undefined;
    }) ?? (parts.claim
      ? undefined
      : entries.find((entry) =>
        entry.name !== name && visible(entry) && parseName(entry.name, separator).key === parts.key
      ));
    if (!found) throw error;
    return yield* step(found.name);
  }
}

/** The name of a regular file in an area (lstat: symlinks are never followed). */
export function* existing(store: StoreContext, area: string, name: string, action: string): Steps<string> {
  const path = `${store.areaPath(area)}/${name}`;
  if (!(yield* call("lstat", path)).isFile) {
    throw new FileStoreError("NOT_A_FILE", `Cannot ${action} '${path}': it is not a regular file`, { path });
  }
  return name;
}

/** Explains an OS error: ENOENT on a missing area directory is NOT_PREPARED, a file there IN_THE_WAY. */
export function* explain(
  store: StoreContext,
  error: unknown,
  action: string,
  path: string,
  areas: string[],
): Steps<FileStoreError> {
  if (error instanceof FileStoreError) return error;
  const code = osCode(error);
  if (code === "ENOENT" || code === "ENOTDIR") {
    for (const area of areas) {
      const dir = store.areaPath(area);
      try {
        const info = yield* call("stat", dir);
        if (!info.isDirectory) {
          return new FileStoreError("IN_THE_WAY", `Cannot ${action} '${path}': '${dir}' is not a directory`, {
            cause: error,
            path: dir,
          });
        }
      } catch (statError) {
        if (osCode(statError) !== "ENOENT" && osCode(statError) !== "ENOTDIR") throw statError;
        return new FileStoreError(
          "NOT_PREPARED",
          `Cannot ${action} '${path}': the store is not prepared ('${dir}' is missing); call prepare() first`,
          { cause: error, path: dir },
        );
      }
    }
  }
  return wrapOsError(error, action, path);
}

/** Closes a listing opened with `openDir`; closing cannot lose anything, so errors are dropped. */
export function* closeListing(handle: unknown): Steps<void> {
  try {
    yield* call("closeDir", handle);
  } catch {
    // Closing a listing cannot lose anything.
  }
}

/** Deletes a file if it is there; for cleaning up after a failure. */
export function* discard(path: string): Steps<void> {
  try {
    yield* call("unlink", path);
  } catch {
    // Already gone, or never created.
  }
}
