/**
 * Setting aside what a consumer cannot handle: an entry in `new/` that is not
 * a regular file, or whose name cannot be represented or claimed, goes to
 * the `failed/` area (made on first use), where `stats()`, `ls` and the
 * dashboard show it to an operator. Nothing is deleted, nothing is retried
 * forever, and the consumer goes on with the next item.
 *
 * @module
 */
import { call, type Steps } from "../_io.ts";
import { osCode, wrapOsError } from "../errors.ts";
import { randomHex } from "../names.ts";
import { FAILED_AREA, type StoreContext } from "./context.ts";
import { makeArea } from "./prepare.ts";

const encoder = new TextEncoder();
const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * A name for bytes that are not valid UTF-8: valid sequences as they are,
 * every other byte (and `%` itself) as `%XX`, so the original can be told.
 */
export function escapeNameBytes(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    const length = lead < 0x80
      ? 1
      : lead >= 0xc2 && lead <= 0xdf
      ? 2
      : lead >= 0xe0 && lead <= 0xef
      ? 3
      : lead >= 0xf0 && lead <= 0xf4
      ? 4
      : 0;
    let text: string | undefined;
    if (length > 0 && i + length <= bytes.length) {
      try {
        text = strict.decode(bytes.subarray(i, i + length));
      } catch {
        text = undefined;
      }
    }
    if (text === undefined || text === "%") {
      out += `%${lead.toString(16).toUpperCase().padStart(2, "0")}`;
      i++;
    } else {
      out += text;
      i += length;
    }
  }
  return out;
}

// The failed/ name for an entry: its own, or with a random suffix when that is taken.
function* freeName(store: StoreContext, name: string): Steps<string> {
  const dir = store.areaPath(FAILED_AREA);
  for (let attempt = 0;; attempt++) {
    const candidate = attempt === 0 ? name : `${name}.${randomHex(4)}`;
    try {
      yield* call("lstat", `${dir}/${candidate}`);
    } catch (error) {
      const code = osCode(error);
      if (code === "ENOENT") return candidate;
      if (code === "ENOTDIR") return candidate; // failed/ is in the way: the rename reports it
      throw wrapOsError(error, "set aside", `${dir}/${candidate}`);
    }
  }
}

/**
 * Renames an entry of an area into failed/ (under `as`, by default its own
 * name); false when it was gone already (someone else took it).
 */
export function* setAside(store: StoreContext, area: string, name: string, as = name): Steps<boolean> {
  const source = `${store.areaPath(area)}/${name}`;
  for (let attempt = 0;; attempt++) {
    const target = `${store.areaPath(FAILED_AREA)}/${yield* freeName(store, as)}`;
    try {
      yield* call("rename", source, target);
      return true;
    } catch (error) {
      if (osCode(error) !== "ENOENT") throw wrapOsError(error, "set aside", source);
      if (attempt > 0 || !(yield* makeFailedArea(store))) return false;
    }
  }
}

/** Renames an entry whose name is not valid UTF-8, by its bytes, into failed/ under an escaped name. */
export function* setAsideBytes(store: StoreContext, area: string, bytes: Uint8Array): Steps<boolean> {
  const source = concat(encoder.encode(`${store.areaPath(area)}/`), bytes);
  for (let attempt = 0;; attempt++) {
    const target = `${store.areaPath(FAILED_AREA)}/${yield* freeName(store, escapeNameBytes(bytes))}`;
    try {
      yield* call("renameBytes", source, encoder.encode(target));
      return true;
    } catch (error) {
      if (osCode(error) !== "ENOENT") throw wrapOsError(error, "set aside", new TextDecoder().decode(source));
      if (attempt > 0 || !(yield* makeFailedArea(store))) return false;
    }
  }
}

/** Makes failed/ if it is missing; false if it was there already. */
export function makeFailedArea(store: StoreContext): Steps<boolean> {
  return makeAreaOnFirstUse(store, FAILED_AREA);
}

/** Makes an area made on first use (failed/, delayed/) if it is missing; false if it was there already. */
export function* makeAreaOnFirstUse(store: StoreContext, area: string): Steps<boolean> {
  const dir = store.areaPath(area);
  try {
    if ((yield* call("lstat", dir)).isDirectory) return false;
  } catch (error) {
    if (osCode(error) !== "ENOENT") throw wrapOsError(error, "set aside", dir);
  }
  yield* makeArea(store, dir);
  return true;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
