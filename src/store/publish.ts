/**
 * Publishing: put, putMany and copy write in `tmp/` and rename into place,
 * so that no reader ever sees part of a file.
 *
 * @module
 */
import { all, call, type Steps } from "../_io.ts";
import { FileStoreError, osCode } from "../errors.ts";
import { MAX_NAME_BYTES, printable, validateName } from "../names.ts";
import { formatName, hasReservedField } from "../name_parts.ts";
import { DELAYED_AREA, type StoreContext } from "./context.ts";
import { makeAreaOnFirstUse } from "./set_aside.ts";
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
  /**
   * Milliseconds until the item is due: until then it waits in `delayed/`
   * (made on first use), and a consumer's `next()` moves it into `new/`.
   * @default {undefined: ready now}
   */
  delay?: number;
  /**
   * When the item is due (a Date or ms since the epoch); see `delay`.
   * @default {undefined: ready now}
   */
  at?: Date | number;
  /**
   * An integer: items of higher priority are claimed first, oldest first
   * within one priority. Carried in the name as `,P=<n>` when not 0.
   * @default {0}
   */
  priority?: number;
}

/** The options of one item of `putMany()`: they override the batch's. */
export type PutItemOptions = Pick<PutOptions, "name" | "delay" | "at" | "priority">;

/** One item of `putMany()`. */
export type PutItem = string | Uint8Array | ({ data: string | Uint8Array } & PutItemOptions);

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
      `Invalid name '${
        printable(name)
      }': ',A=', ',C=', ',D=', ',P=', ',U=' and ',FMD5=' are fields, not part of a name`,
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

// Bytes a claim adds to a name: ",A=<attempts>,C=P<pid>R<tag>@<host>:2,", and room for ",P=" and ",D=".
function claimRoom(store: StoreContext): number {
  return encoder.encode(`,A=999999,C=P9999999999Rffffffff@${store.host}:2,,P=-9999999999999999,D=99999999999999`)
    .byteLength;
}

/** Where and under what name an item is published: new/NAME, or delayed/NAME,D=<due>. */
export interface Placement {
  /** The name it will have in `new/`. */
  name: string;
  /** The area it is published in: `new`, or `delayed` until it is due. */
  area: string;
  /** The name in that area. */
  stored: string;
  /** Its due time, ms since the epoch, when delayed. */
  due?: number;
}

/** The due time of `delay`/`at` options, or undefined when the item is ready now. */
export function dueTime(options: { delay?: number; at?: Date | number }, now = Date.now()): number | undefined {
  const { delay, at } = options;
  if (delay !== undefined && at !== undefined) {
    throw new TypeError("Cannot put with both 'delay' and 'at': give one of them");
  }
  if (delay !== undefined) {
    if (typeof delay !== "number" || !(delay >= 0) || !Number.isFinite(delay)) {
      throw new RangeError(`Invalid delay '${String(delay)}': expected a number of milliseconds, 0 or more`);
    }
    return delay === 0 ? undefined : Math.ceil(now + delay);
  }
  if (at !== undefined) {
    const time = at instanceof Date ? at.getTime() : at;
    if (typeof time !== "number" || !Number.isFinite(time) || time < 0) {
      throw new RangeError(`Invalid at '${String(at)}': expected a Date or ms since the epoch`);
    }
    return time <= now ? undefined : Math.ceil(time);
  }
  return undefined;
}

/** Checks a priority: an integer (refused with a RangeError naming the value otherwise). */
export function checkPriority(priority: unknown): number {
  if (priority === undefined) return 0;
  if (typeof priority !== "number" || !Number.isSafeInteger(priority) || Math.abs(priority) > 1e15) {
    throw new RangeError(`Invalid priority '${String(priority)}': expected an integer`);
  }
  return priority;
}

/** The placement of one item: its name (with `,P=` when not 0), area and stored name. */
export function placement(store: StoreContext, options: PutItemOptions): Placement {
  const priority = checkPriority(options.priority);
  const due = dueTime(options);
  let name = targetName(store, options.name);
  if (priority !== 0) name = `${name},P=${priority}`;
  if (due === undefined) return { name, area: "new", stored: name };
  return { name, area: DELAYED_AREA, stored: formatName(name, { due }, store.infoSeparator), due };
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
// A delayed item goes to delayed/ (made on first use) under its name and due time.
function* publish(store: StoreContext, temporary: string, place: Placement, chosen: boolean): Steps<StoredFile> {
  const { area, stored: name } = place;
  const path = `${store.areaPath(area)}/${name}`;
  for (let attempt = 0;; attempt++) {
    try {
      if (chosen) yield* moveNoReplace(store, temporary, path, "put", ["tmp", area]);
      else yield* call("rename", temporary, path);
      return { name, path };
    } catch (error) {
      if (area === DELAYED_AREA && attempt === 0 && (yield* missingArea(store, error, area))) continue;
      yield* discard(temporary);
      if (error instanceof FileStoreError && error.code === "ALREADY_EXISTS") {
        throw new FileStoreError("ALREADY_EXISTS", `Cannot put '${name}': it already exists in ${area}/`, {
          cause: error.cause,
          path,
        });
      }
      throw yield* explain(store, error, "put", path, ["tmp", area]);
    }
  }
}

// After a failed move into an area made on first use: true when it was missing and is made now.
function* missingArea(store: StoreContext, error: unknown, area: string): Steps<boolean> {
  const code = error instanceof FileStoreError ? osCode(error.cause) ?? error.code : osCode(error);
  if (code !== "ENOENT" && code !== "NOT_PREPARED") return false;
  try {
    return yield* makeAreaOnFirstUse(store, area);
  } catch {
    return false;
  }
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
  const place = placement(store, options);
  const chosen = options.name !== undefined;
  const temporary = yield* writeTemporary(store, temporaryPath(store, place.name, chosen), data, sync);
  const stored = yield* publish(store, temporary, place, chosen);
  if (sync) yield* syncArea(store, place.area);
  return stored;
}

/** put() of a stream or async iterable: written chunk by chunk in tmp/, then published. */
export async function putStream(
  store: StoreContext,
  data: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  options: PutOptions,
): Promise<StoredFile> {
  const sync = options.sync ?? store.sync;
  const place = placement(store, options);
  const chosen = options.name !== undefined;
  const temporary = temporaryPath(store, place.name, chosen);
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
  const stored = await run(publish(store, temporary, place, chosen));
  if (sync) await run(syncArea(store, place.area));
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
    const targets: { place: Placement; chosen: boolean; data: Uint8Array }[] = [];
    for (const item of items) {
      const described = typeof item === "object" && !(item instanceof Uint8Array);
      const own: PutItemOptions = described ? item : {};
      const timed = own.delay !== undefined || own.at !== undefined;
      const place = placement(store, {
        name: own.name,
        priority: own.priority ?? options.priority,
        delay: timed ? own.delay : options.delay,
        at: timed ? own.at : options.at,
      });
      targets.push({ place, chosen: own.name !== undefined, data: toBytes(described ? item.data : item) });
    }
    // The writes are independent: the async runner overlaps them (and their fsyncs).
    const written = yield* all(
      targets.map(({ place, chosen, data }) =>
        writeTemporary(store, temporaryPath(store, place.name, chosen), data, sync)
      ),
    );
    for (const result of written) if (result.status === "fulfilled") temporaries.push(result.value);
    const failed = written.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    for (const [i, { place, chosen }] of targets.entries()) {
      published.push(yield* publish(store, temporaries[i], place, chosen));
    }
  } catch (error) {
    for (const temporary of temporaries.slice(published.length)) yield* discard(temporary);
    if (error instanceof FileStoreError && published.length > 0) {
      (error as FileStoreError & { published?: StoredFile[] }).published = published;
    }
    throw error;
  }
  // Group commit: one fsync of new/ (and of delayed/) makes every rename of the batch durable.
  if (sync) {
    yield* syncArea(store, "new");
    if (published.some((file) => file.path.startsWith(`${store.path}/${DELAYED_AREA}/`))) {
      yield* syncArea(store, DELAYED_AREA);
    }
  }
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
