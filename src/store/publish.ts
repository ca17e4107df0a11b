/**
 * Publishing: put, putMany and copy write in `tmp/` and rename into place,
 * so that no reader ever sees part of a file.
 *
 * @module
 */
import { all, call, type Steps } from "../_io.ts";
import { FileStoreError, osCode } from "../errors.ts";
import { MAX_NAME_BYTES, printable, validateName } from "../names.ts";
import { hasReservedField } from "../name_parts.ts";
import type { StoreContext } from "./context.ts";
import { moveNoReplace } from "./files.ts";
import { discard, existing, explain, nameIn, resolved, type StoredFile } from "./resolve.ts";

/** The data `put()` accepts. */
export type PutData = string | Uint8Array | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Options of `put()` and `putMany()`. */
export interface PutOptions {
  /**
   * The name in `new/`; a taken name fails with `ALREADY_EXISTS`, never replaced.
   * @default {a unique Maildir name}
   */
  name?: string;
  /**
   * fsync the file before publishing it and `new/` after.
   * @default {the store's `sync` option, true}
   */
  sync?: boolean;
}

/** One item of `putMany()`. */
export type PutItem = string | Uint8Array | { data: string | Uint8Array; name?: string };

const encoder = new TextEncoder();

/** Bytes of a string (UTF-8) or of bytes; a TypeError for anything else. */
export function toBytes(data: string | Uint8Array): Uint8Array {
  if (typeof data === "string") return encoder.encode(data);
  if (data instanceof Uint8Array) return data;
  throw new TypeError(`Cannot store ${Object.prototype.toString.call(data)}: expected a string or a Uint8Array`);
}

/** A target name in `new/`: the caller's (checked) or a fresh unique one. */
export function targetName(store: StoreContext, name: string | undefined): string {
  if (name === undefined) return store.uniqueName();
  validateName(name);
  if (hasReservedField(name, store.infoSeparator)) {
    throw new FileStoreError(
      "INVALID_NAME",
      `Invalid name '${printable(name)}': ',A=', ',C=', ',U=' and ',FMD5=' are fields, not part of a name`,
    );
  }
  const room = MAX_NAME_BYTES - claimRoom(store);
  if (name.length * 3 > room && encoder.encode(name).byteLength > room) {
    throw new FileStoreError(
      "INVALID_NAME",
      `Invalid name '${printable(name)}': it is too long to be claimed (at most ${room} bytes with this host name)`,
    );
  }
  return name;
}

// Bytes a claim adds to a name: ",A=<attempts>,C=P<pid>R<tag>@<host>:2,".
function claimRoom(store: StoreContext): number {
  return encoder.encode(`,A=999999,C=P9999999999Rffffffff@${store.host}:2,`).byteLength;
}

// The tmp/ name of an item: its own unique name (as Maildir does), or a fresh
// unique one for a caller's name, so that two producers never share a tmp file.
function temporaryPath(store: StoreContext, name: string, chosen: boolean): string {
  return `${store.areaPath("tmp")}/${chosen ? store.uniqueName() : name}`;
}

// Writes one file in tmp/ exclusively. On failure nothing is left behind.
function* writeTemporary(store: StoreContext, temporary: string, data: Uint8Array, sync: boolean): Steps<string> {
  try {
    yield* call("writeFile", temporary, data, { flag: "wx", mode: store.fileMode, sync });
  } catch (error) {
    yield* discard(temporary);
    throw yield* explain(store, error, "put", temporary, ["tmp"]);
  }
  return temporary;
}

// Moves a complete tmp file into new/. Unique names are renamed (they cannot
// collide); a caller's name is linked, so a taken name is never replaced.
function* publish(store: StoreContext, temporary: string, name: string, chosen: boolean): Steps<StoredFile> {
  const path = `${store.areaPath("new")}/${name}`;
  try {
    if (chosen) yield* moveNoReplace(store, temporary, path, "put", ["tmp", "new"]);
    else yield* call("rename", temporary, path);
  } catch (error) {
    yield* discard(temporary);
    if (error instanceof FileStoreError && error.code === "ALREADY_EXISTS") {
      throw new FileStoreError("ALREADY_EXISTS", `Cannot put '${name}': it already exists in new/`, {
        cause: error.cause,
        path,
      });
    }
    throw yield* explain(store, error, "put", path, ["tmp", "new"]);
  }
  return { name, path };
}

/** fsync of an area's directory, so that renames into it survive a crash. */
export function* syncArea(store: StoreContext, area: string): Steps<void> {
  const dir = store.areaPath(area);
  try {
    yield* call("syncDir", dir);
  } catch (error) {
    throw yield* explain(store, error, "sync", dir, [area]);
  }
}

/** put() of a string or bytes. */
export function* putSteps(store: StoreContext, data: Uint8Array, options: PutOptions): Steps<StoredFile> {
  const sync = options.sync ?? store.sync;
  const name = targetName(store, options.name);
  const chosen = options.name !== undefined;
  const temporary = yield* writeTemporary(store, temporaryPath(store, name, chosen), data, sync);
  const stored = yield* publish(store, temporary, name, chosen);
  if (sync) yield* syncArea(store, "new");
  return stored;
}

/** put() of a stream or async iterable: written chunk by chunk in tmp/, then published. */
export async function putStream(
  store: StoreContext,
  data: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: PutOptions,
): Promise<StoredFile> {
  const sync = options.sync ?? store.sync;
  const name = targetName(store, options.name);
  const chosen = options.name !== undefined;
  const temporary = temporaryPath(store, name, chosen);
  const fs = store.adapter.async;
  const run = <T>(steps: Steps<T>) => store.executor.run(steps);
  let handle: unknown;
  try {
    handle = await fs.open(temporary, "wx", store.fileMode);
  } catch (error) {
    throw await run(explain(store, error, "put", temporary, ["tmp"]));
  }
  try {
    try {
      for await (const chunk of data as AsyncIterable<Uint8Array>) await fs.write(handle, toBytes(chunk));
      if (sync) await fs.fsync(handle);
    } finally {
      await fs.close(handle);
    }
  } catch (error) {
    await run(discard(temporary));
    // The caller's own stream failing (or yielding something not bytes) is theirs to see as is.
    if (osCode(error) === undefined) throw error;
    throw await run(explain(store, error, "put", temporary, ["tmp"]));
  }
  const stored = await run(publish(store, temporary, name, chosen));
  if (sync) await run(syncArea(store, "new"));
  return stored;
}

/** putMany(): every item written (overlapping, on the async path), published, then one fsync of new/. */
export function* putManySteps(
  store: StoreContext,
  items: readonly PutItem[],
  options: Omit<PutOptions, "name">,
): Steps<StoredFile[]> {
  const sync = options.sync ?? store.sync;
  const published: StoredFile[] = [];
  const temporaries: string[] = [];
  try {
    const targets: { name: string; chosen: boolean; data: Uint8Array }[] = [];
    for (const item of items) {
      const described = typeof item === "object" && !(item instanceof Uint8Array);
      const chosen = described && item.name !== undefined;
      const name = targetName(store, described ? item.name : undefined);
      targets.push({ name, chosen, data: toBytes(described ? item.data : item) });
    }
    // The writes are independent: the async runner overlaps them (and their fsyncs).
    const written = yield* all(
      targets.map(({ name, chosen, data }) => writeTemporary(store, temporaryPath(store, name, chosen), data, sync)),
    );
    for (const result of written) if (result.status === "fulfilled") temporaries.push(result.value);
    const failed = written.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    for (const [i, { name, chosen }] of targets.entries()) {
      published.push(yield* publish(store, temporaries[i], name, chosen));
    }
  } catch (error) {
    for (const temporary of temporaries.slice(published.length)) yield* discard(temporary);
    if (error instanceof FileStoreError && published.length > 0) {
      (error as FileStoreError & { published?: StoredFile[] }).published = published;
    }
    throw error;
  }
  // Group commit: one fsync of new/ makes every rename of the batch durable.
  if (sync) yield* syncArea(store, "new");
  return published;
}

/** copy(): written under a fresh name in tmp/ and linked into place. */
export function* copySteps(store: StoreContext, name: string | StoredFile, from: string, to: string): Steps<void> {
  let file = nameIn(store, from, name);
  try {
    file = yield* resolved(store, from, file, (found) => existing(store, from, found, "copy"));
  } catch (error) {
    throw yield* explain(store, error, "copy", `${store.areaPath(from)}/${file}`, [from]);
  }
  const source = `${store.areaPath(from)}/${file}`;
  const target = `${store.areaPath(to)}/${file}`;
  const temporary = `${store.areaPath("tmp")}/${store.uniqueName()}`;
  try {
    yield* call("copyFile", source, temporary);
  } catch (error) {
    yield* discard(temporary);
    throw yield* explain(store, error, "copy", source, [from, "tmp"]);
  }
  try {
    yield* moveNoReplace(store, temporary, target, "copy", [to]);
  } catch (error) {
    yield* discard(temporary);
    throw error instanceof FileStoreError && error.code === "ALREADY_EXISTS"
      ? new FileStoreError("ALREADY_EXISTS", `Cannot copy '${source}': '${target}' already exists`, {
        cause: error.cause,
        path: target,
      })
      : error;
  }
}
