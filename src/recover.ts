/**
 * Recovery after crashes: claims whose holder is gone go back to `new/`, and
 * files left in `tmp/` by interrupted writers are deleted.
 *
 * @module
 */
import type { DirEntry, FileInfo } from "./adapter.ts";
import { call, type Steps } from "./_io.ts";
import { FileStoreError, osCode, wrapOsError } from "./errors.ts";
import type { FileStore, StoredFile } from "./file_store.ts";
import { formatName, newClaimToken, parseName, releasedName } from "./name_parts.ts";
import { otherNamesOf } from "./store/handed_on.ts";
import { discard } from "./store/resolve.ts";

/** Options of `recover()`. */
export interface RecoverOptions {
  /**
   * Only claims whose lease (last claim or touch) is older than this many milliseconds.
   * @default {300000}
   */
  olderThan?: number;
}

/** Options of `clean()`. */
export interface CleanOptions {
  /**
   * Only files in `tmp/` unchanged for this many milliseconds (by the later of mtime and ctime).
   * @default {129600000 (36 hours, as qmail and Courier)}
   */
  tmpOlderThan?: number;
}

function checkAge(value: number, option: string): number {
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`Invalid ${option} '${String(value)}': expected a number of milliseconds`);
  }
  return value;
}

function* listArea(store: FileStore, area: string, action: string): Steps<DirEntry[]> {
  const dir = store.areaPath(area);
  try {
    return yield* call("readDir", dir);
  } catch (error) {
    const code = osCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") {
      throw new FileStoreError(
        "NOT_PREPARED",
        `Cannot ${action} '${dir}': the store is not prepared ('${dir}' is missing); call prepare() first`,
        { cause: error, path: dir },
      );
    }
    throw wrapOsError(error, action, dir);
  }
}

function* recoverSteps(store: FileStore, options: RecoverOptions): Steps<StoredFile[]> {
  const olderThan = checkAge(options.olderThan ?? 300_000, "olderThan");
  const cur = store.areaPath("cur");
  const fresh = store.areaPath("new");
  const recovered: StoredFile[] = [];
  for (const entry of yield* listArea(store, "cur", "recover from")) {
    if (entry.name.startsWith(".")) continue;
    // Files without a claim token (moved by move(), or by a mail reader) are not claims.
    const claim = parseName(entry.name, store.infoSeparator).claim;
    if (!claim) continue;
    const source = `${cur}/${entry.name}`;
    let info: FileInfo;
    try {
      info = yield* call("lstat", source);
    } catch (error) {
      if (osCode(error) === "ENOENT") continue; // acknowledged or recovered meanwhile
      throw wrapOsError(error, "recover", source);
    }
    // Whole milliseconds, as Date.now() counts them.
    const lease = Math.floor(Math.max(info.ctimeMs, info.mtimeMs));
    if (Date.now() - lease < olderThan) continue;
    // On this machine a live holder keeps its claim; elsewhere only the lease tells.
    if (claim.host === store.host && store.adapter.processExists(claim.pid)) continue;
    const others = yield* otherNamesOf(store, entry.name, info);
    if (others && "handedOn" in others) {
      // A second name of an item handed on already (see handed_on.ts):
      // handing it out again would repeat the item, which lives on under its other name.
      yield* discard(source);
      continue;
    }
    // Several claims of one file, all past the lease (one file, one lease): the first by name
    // goes back to new/, and the others, released as the same name, are dropped after it.
    // Names without a claim token (another program's) never hold a claim back.
    const firstClaim = (name: string) => name < entry.name && parseName(name, store.infoSeparator).claim !== undefined;
    if (others?.heldAs.some(firstClaim)) continue;
    // First take the claim over under a name unique to this recovery: on a
    // shared file system two clients renaming one file to the SAME name can both
    // be told they won (GlusterFS: a client with stale entries sees source and
    // target as one file, and its rename "succeeds" as a no-op), but only one
    // can rename it to a name of its own; a stale client gets ENOENT.
    const parts = parseName(entry.name, store.infoSeparator);
    const token = newClaimToken(store.adapter.pid(), store.host);
    const taken = `${cur}/${
      formatName(parts.kept, { attempts: parts.attempts, claim: token, info: parts.info }, store.infoSeparator)
    }`;
    try {
      yield* call("rename", source, taken);
    } catch (error) {
      if (osCode(error) === "ENOENT") continue; // another recoverer, or the holder, got there first
      throw wrapOsError(error, "recover", source);
    }
    // Now this process holds it, and nobody races for the name in new/.
    const name = releasedName(entry.name, store.infoSeparator);
    const target = `${fresh}/${name}`;
    try {
      yield* call("rename", taken, target);
    } catch (error) {
      // Put the claim back as it was, so that the next recover() finds it again.
      try {
        yield* call("rename", taken, source);
      } catch {
        // It stays under `taken`: a claim of this process, recovered once its lease runs out.
      }
      if (osCode(error) === "ENOENT") {
        throw new FileStoreError(
          "NOT_PREPARED",
          `Cannot recover '${source}': the store is not prepared ('${fresh}' is missing); call prepare() first`,
          { cause: error, path: fresh },
        );
      }
      throw wrapOsError(error, "recover", source);
    }
    recovered.push({ name, path: target });
  }
  return recovered;
}

/**
 * Hands claims whose holder is gone back to `new/`, with one more attempt
 * (named as `release()` names them). A claim is taken back when its lease
 * (the time of its claim or last touch) is older than `olderThan` and its
 * holder is gone: on this machine (the claim's host is the store's host)
 * when its process no longer exists; for a claim from another machine,
 * when the lease alone has run out. Files in `cur/` without a claim token
 * are never touched. Safe to run from several processes at once: each
 * claim is returned by exactly one of them. A holder that comes back later
 * gets `LOST_CLAIM` and cannot touch whoever claimed the item next.
 *
 * @param store The store.
 * @param options The lease age beyond which a claim may be taken back.
 * @returns The files put back in `new/`.
 * @example Run at start-up and every few minutes
 * ```ts
 * import { FileStore, recoverClaims } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * const returned = await recoverClaims(store, { olderThan: 5 * 60_000 });
 * console.log(`${returned.length} items returned to new/`);
 * ```
 */
export function recoverClaims(store: FileStore, options: RecoverOptions = {}): Promise<StoredFile[]> {
  return store.executor.run(recoverSteps(store, options));
}

/**
 * Synchronous {@linkcode recoverClaims}.
 *
 * @example
 * ```ts
 * import { FileStore, recoverClaimsSync } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * store.prepareSync();
 * recoverClaimsSync(store); // []
 * ```
 */
export function recoverClaimsSync(store: FileStore, options: RecoverOptions = {}): StoredFile[] {
  return store.executor.runSync(recoverSteps(store, options));
}

function* cleanSteps(store: FileStore, options: CleanOptions): Steps<StoredFile[]> {
  const tmpOlderThan = checkAge(options.tmpOlderThan ?? 36 * 3600_000, "tmpOlderThan");
  const tmp = store.areaPath("tmp");
  const removed: StoredFile[] = [];
  for (const entry of yield* listArea(store, "tmp", "clean")) {
    if (entry.name.startsWith(".")) continue;
    const path = `${tmp}/${entry.name}`;
    try {
      const info = yield* call("lstat", path);
      if (info.isDirectory) continue;
      // ctime too: a writer may set an old mtime on a file it is still writing.
      if (Date.now() - Math.floor(Math.max(info.mtimeMs, info.ctimeMs)) < tmpOlderThan) continue;
      yield* call("unlink", path);
    } catch (error) {
      if (osCode(error) === "ENOENT") continue; // published or removed meanwhile
      throw wrapOsError(error, "clean", path);
    }
    removed.push({ name: entry.name, path });
  }
  return removed;
}

/**
 * Deletes files in `tmp/` left by writers that crashed: those unchanged for
 * `tmpOlderThan` (by the later of mtime and ctime, so a file whose writer set
 * an old mtime is not taken for abandoned).
 *
 * @param store The store.
 * @param options The age beyond which a file in `tmp/` is abandoned.
 * @returns The files removed.
 * @example
 * ```ts
 * import { cleanTmp, FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * const removed = await cleanTmp(store); // files older than 36 hours
 * ```
 */
export function cleanTmp(store: FileStore, options: CleanOptions = {}): Promise<StoredFile[]> {
  return store.executor.run(cleanSteps(store, options));
}

/**
 * Synchronous {@linkcode cleanTmp}.
 *
 * @example
 * ```ts
 * import { cleanTmpSync, FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * store.prepareSync();
 * cleanTmpSync(store, { tmpOlderThan: 3600_000 }); // []
 * ```
 */
export function cleanTmpSync(store: FileStore, options: CleanOptions = {}): StoredFile[] {
  return store.executor.runSync(cleanSteps(store, options));
}
