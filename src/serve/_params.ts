/**
 * The dashboard's request checks: an HTTP error with its status, and the
 * parameters of the API and the actions (areas and names checked as the
 * store checks them).
 *
 * @module
 */
import { type FileStore, STANDARD_AREAS } from "../file_store.ts";
import { isLossy } from "../cli/_entries.ts";
import { printable } from "../names.ts";

/** An HTTP failure with a status and a message for the JSON error. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly allow?: string) {
    super(message);
  }
}

/** Checks an area through the store: an unknown one is a 400 naming the known ones. */
export function areaParam(store: FileStore, value: unknown): string {
  if (typeof value !== "string") throw new HttpError(400, "Missing area: give one of " + store.areas.join(", "));
  store.areaPath(value);
  return value;
}

// One path component; the store decides the rest (it acts on any existing file's name it can address).
export function nameParam(value: unknown): string {
  if (typeof value !== "string") throw new HttpError(400, "Missing name: give the item's file name as a string");
  const problem = value === ""
    ? "it is empty"
    : value === "." || value === ".."
    ? "it is '.' or '..'"
    : value.includes("/")
    ? "it contains '/'"
    : value.includes("\0")
    ? "it contains a NUL byte"
    : isLossy(value)
    ? "it contains U+FFFD: a name that is not valid UTF-8 cannot be given as a string"
    : undefined;
  if (problem) throw new HttpError(400, `Invalid name '${printable(value)}': ${problem}`);
  return value;
}

export function limitParam(value: string | null): number {
  if (value === null) return 100;
  if (!/^[1-9]\d{0,3}$/.test(value) || Number(value) > 1000) {
    throw new HttpError(400, `Invalid limit '${value}': expected a whole number from 1 to 1000`);
  }
  return Number(value);
}

export function ageParam(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new HttpError(400, `Invalid ${option} '${String(value)}': expected milliseconds, 0 or more`);
  }
  return value;
}

// Actions only touch items of extra areas (failed/, done/, ...) and new/: tmp/ holds files being written
// (clean() handles those) and cur/ holds claims of running workers (recover() handles those).
export function itemArea(store: FileStore, value: unknown, action: string, allowNew: boolean): string {
  const area = areaParam(store, value);
  const standard = (STANDARD_AREAS as readonly string[]).includes(area);
  if (standard && !(allowNew && area === "new")) {
    throw new HttpError(400, `Cannot ${action} an item of '${area}': only ${allowNew ? "new/ and " : ""}extra areas`);
  }
  return area;
}
