/**
 * prepare(): the store's directory and its areas.
 *
 * @module
 */
import { dirname } from "node:path";
import { call, type Steps } from "../_io.ts";
import { FileStoreError, osCode, wrapOsError } from "../errors.ts";
import type { StoreContext } from "./context.ts";

/** Makes one directory (and missing parents); a symlink in place of an area is refused. */
export function* makeArea(store: StoreContext, dir: string): Steps<void> {
  try {
    yield* call("mkdir", dir, store.dirMode);
  } catch (error) {
    const code = osCode(error);
    if (code === "EEXIST" || code === "ENOTDIR") {
      throw new FileStoreError(
        "IN_THE_WAY",
        `Cannot prepare '${dir}': something that is not a directory is in the way`,
        {
          cause: error,
          path: dir,
        },
      );
    }
    throw wrapOsError(error, "prepare", dir);
  }
  // mkdir -p accepts a symlink to a directory; an area must be the store's
  // own directory, or claims would move files out of wherever it points.
  if (dir === store.path) return;
  let info;
  try {
    info = yield* call("lstat", dir);
  } catch (error) {
    throw wrapOsError(error, "prepare", dir);
  }
  if (info.isSymlink) {
    throw new FileStoreError("IN_THE_WAY", `Cannot prepare '${dir}': it is a symlink, not the store's own directory`, {
      path: dir,
    });
  }
}

/**
 * Creates the store's directory and its areas. With `sync` on (the default),
 * fsyncs the store's directory and its parent, so that a store made just
 * before a power loss is still there after it.
 */
export function* prepareSteps(store: StoreContext): Steps<void> {
  yield* makeArea(store, store.path);
  for (const area of store.areas) yield* makeArea(store, `${store.path}/${area}`);
  if (!store.sync) return;
  for (const dir of [store.path, dirname(store.path)]) {
    try {
      yield* call("syncDir", dir);
    } catch (error) {
      // A parent we may not open (no read permission) cannot be synced: the store itself still is.
      if (dir === store.path || (osCode(error) !== "EACCES" && osCode(error) !== "EPERM")) {
        throw wrapOsError(error, "sync", dir);
      }
    }
  }
}
