/**
 * Why an item failed: the last error of a handler (or of a `watch --exec`
 * command), kept the Maildir way in a hidden file `<store>/.errors/<key>.json`.
 * The key is stable across areas and claims, so the record follows the item
 * without a rename of its own; it is written atomically (tmp/ + rename).
 *
 * @module
 */
import { call, type Steps } from "../_io.ts";
import { osCode, wrapOsError } from "../errors.ts";
import { keyOf } from "../name_parts.ts";
import type { StoreContext } from "./context.ts";
import { makeArea } from "./prepare.ts";
import { discard, type StoredFile } from "./resolve.ts";

/** The last failure of an item, as `lastError()` returns it. */
export interface ItemError {
  /** The item's key. */
  key: string;
  /** Which try failed: 1 for the first. */
  attempts: number;
  /** When it failed, ISO 8601. */
  at: string;
  /** The error's message (for a command: how it ended, such as `exit 3`). */
  message: string;
  /** The error's stack, when it had one (cut to fit the record). */
  stack?: string;
  /** A command's exit code, when it exited with one. */
  exitCode?: number;
  /** The end of a command's standard error (cut to fit the record). */
  stderr?: string;
}

/** The hidden directory of error records; Maildir readers skip names starting with `.`. */
export const ERRORS_DIR = ".errors";
/** The largest record, in bytes (long stacks and stderr are cut from the front). */
export const MAX_ERROR_BYTES = 8192;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The record of a thrown value: message and stack, or a command's exit code and stderr tail. */
export function describeError(key: string, attempts: number, error: unknown, now = Date.now()): ItemError {
  const record: ItemError = { key, attempts, at: new Date(now).toISOString(), message: String(error) };
  if (error instanceof Error) {
    record.message = error.message;
    if (error.stack) record.stack = error.stack;
  }
  const extra = error as { exitCode?: unknown; stderr?: unknown } | null;
  if (typeof extra?.exitCode === "number") record.exitCode = extra.exitCode;
  if (typeof extra?.stderr === "string" && extra.stderr !== "") record.stderr = extra.stderr;
  return bounded(record);
}

// Cuts stderr (keeping its end), then the stack, then the message, until the JSON fits.
function bounded(record: ItemError): ItemError {
  const size = () => encoder.encode(JSON.stringify(record)).byteLength;
  for (const field of ["stderr", "stack", "message"] as const) {
    let over = size() - MAX_ERROR_BYTES;
    if (over <= 0) break;
    const text = record[field];
    if (text === undefined) continue;
    // Characters may be several bytes (and escaped in JSON): cut, then measure again.
    while (over > 0 && (record[field] as string).length > 0) {
      const value = record[field] as string;
      const cut = Math.min(value.length, Math.max(16, over));
      record[field] = field === "stderr" ? value.slice(cut) : value.slice(0, value.length - cut);
      over = size() - MAX_ERROR_BYTES;
    }
  }
  return record;
}

function recordPath(store: StoreContext, key: string): string {
  return `${store.path}/${ERRORS_DIR}/${key}.json`;
}

/** The key of what a caller gives: a key, a name, a path, or a claim. */
export function keyOfItem(store: StoreContext, item: string | StoredFile | { key: string }): string {
  if (typeof item === "object" && item !== null && "key" in item && typeof item.key === "string") return item.key;
  const given = typeof item === "object" && item !== null ? (item as StoredFile).name : item;
  const name = String(given).slice(String(given).lastIndexOf("/") + 1);
  return keyOf(name, store.infoSeparator);
}

/** Writes an item's error record (tmp/ + rename), making `.errors/` on first use. */
export function* recordErrorSteps(store: StoreContext, record: ItemError): Steps<void> {
  const temporary = `${store.areaPath("tmp")}/${store.uniqueName()}`;
  const target = recordPath(store, record.key);
  try {
    yield* call("writeFile", temporary, encoder.encode(JSON.stringify(record)), {
      flag: "wx",
      mode: store.fileMode,
      sync: false,
    });
    try {
      yield* call("rename", temporary, target);
    } catch (error) {
      if (osCode(error) !== "ENOENT") throw error;
      yield* makeArea(store, `${store.path}/${ERRORS_DIR}`);
      yield* call("rename", temporary, target);
    }
  } catch (error) {
    yield* discard(temporary);
    throw wrapOsError(error, "record the error of", target);
  }
}

/** The error record of a key, or null when it has none. */
export function* lastErrorSteps(store: StoreContext, key: string): Steps<ItemError | null> {
  const path = recordPath(store, key);
  let bytes: Uint8Array;
  try {
    bytes = yield* call("readFile", path);
  } catch (error) {
    const code = osCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return null;
    throw wrapOsError(error, "read the error of", path);
  }
  try {
    const record = JSON.parse(decoder.decode(bytes)) as ItemError;
    return typeof record === "object" && record !== null && typeof record.message === "string" ? record : null;
  } catch {
    return null; // not ours, or cut short by another program: no record
  }
}

/** Removes the error record of a key; nothing when it has none. */
export function* forgetErrorSteps(store: StoreContext, key: string): Steps<void> {
  const path = recordPath(store, key);
  try {
    yield* call("unlink", path);
  } catch (error) {
    const code = osCode(error);
    if (code !== "ENOENT" && code !== "ENOTDIR") throw wrapOsError(error, "remove the error of", path);
  }
}

/** The keys that have an error record (one listing of `.errors/`), empty when there is none. */
export function* errorKeysSteps(store: StoreContext): Steps<Set<string>> {
  const keys = new Set<string>();
  try {
    for (const entry of yield* call("readDir", `${store.path}/${ERRORS_DIR}`)) {
      if (entry.name.endsWith(".json")) keys.add(entry.name.slice(0, -5));
    }
  } catch (error) {
    const code = osCode(error);
    if (code !== "ENOENT" && code !== "ENOTDIR") throw wrapOsError(error, "list", `${store.path}/${ERRORS_DIR}`);
  }
  return keys;
}
