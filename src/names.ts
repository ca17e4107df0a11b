/**
 * Names: validation, unique Maildir names, and quoting names in messages.
 * The parts of a name (key, fields, info part, claim token, order) are in
 * `name_parts.ts`.
 *
 * @module
 */
import { FileStoreError } from "./errors.ts";

const encoder = new TextEncoder();

/** Longest name most file systems accept, in bytes of UTF-8. */
export const MAX_NAME_BYTES = 255;

/**
 * Checks a name chosen for a new file and returns it, or throws
 * `INVALID_NAME` naming the problem. The rules are strict (no `\`, control
 * characters or lone surrogates), so that every file the store creates can
 * be named on every platform and printed on one line.
 *
 * @example
 * ```ts
 * import { validateName } from "@filestore/filestore";
 *
 * validateName("report.txt"); // "report.txt"
 * ```
 */
export function validateName(name: string): string {
  return checked(name, true);
}

/**
 * Checks the name of a file that is already in an area (one another program
 * may have written): anything that is one path component and not hidden is
 * accepted (a `\`, a tab...), so that such files can still be claimed,
 * moved and removed.
 *
 * @example
 * ```ts
 * import { validateEntryName } from "@filestore/filestore";
 *
 * validateEntryName("win\\path.txt"); // accepted: someone else wrote it
 * ```
 */
export function validateEntryName(name: string): string {
  return checked(name, false);
}

function checked(name: string, strict: boolean): string {
  if (typeof name !== "string") {
    throw new FileStoreError("INVALID_NAME", `Invalid name ${String(name)}: a name must be a string`);
  }
  const problem = nameProblem(name, strict);
  if (problem) throw new FileStoreError("INVALID_NAME", `Invalid name '${printable(name)}': ${problem}`);
  return name;
}

function nameProblem(name: string, strict: boolean): string | undefined {
  if (name === "") return "it is empty";
  if (name === "." || name === "..") return "it refers to a directory";
  if (name.includes("/")) return "it contains '/'";
  if (strict && name.includes("\\")) return "it contains '\\'";
  if (name.includes("\0")) return "it contains a NUL character";
  if (name.startsWith(".")) return "names starting with '.' are hidden from every listing";
  if (name.length > MAX_NAME_BYTES / 3 && encoder.encode(name).byteLength > MAX_NAME_BYTES) {
    return `it is longer than ${MAX_NAME_BYTES} bytes`;
  }
  if (!strict) return undefined;
  // The control characters (Unicode category Cc), without a Unicode-aware regex on the hot path.
  // deno-lint-ignore no-control-regex
  if (/[\x00-\x1f\x7f-\x9f]/.test(name)) return "it contains a control character";
  // A lone surrogate has no UTF-8 form: the runtimes write U+FFFD instead, so
  // two different names would share one file.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(name)) {
    return "it contains a lone surrogate (not valid Unicode)";
  }
  return undefined;
}

/**
 * A name made safe to quote in a one-line message: control characters as
 * `\xNN`, long names shortened.
 *
 * @example
 * ```ts
 * import { printable } from "@filestore/filestore";
 *
 * printable("two\nlines"); // "two\\x0alines"
 * ```
 */
export function printable(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  // deno-lint-ignore no-control-regex
  return shown.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/**
 * Writes a host name the Maildir way: `/` as `\057`, `:` as `\072`, `;` as
 * `\073` and `,` as `\054`, so it can never end a name's base or start a field.
 *
 * @example
 * ```ts
 * import { escapeHost } from "@filestore/filestore";
 *
 * escapeHost("a/b:c"); // "a\\057b\\072c"
 * ```
 */
export function escapeHost(host: string): string {
  return host.replace(/[/:;,\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

// Random hex from a pooled buffer: one getRandomValues call per 512 names.
const pool = new Uint8Array(4096);
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
let poolOffset = pool.length;

/** `bytes` random bytes from a cryptographic source, as hex. */
export function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  let hex = "";
  for (let i = 0; i < bytes; i++) hex += HEX_BYTES[pool[poolOffset + i]];
  poolOffset += bytes;
  return hex;
}

let deliveries = 0;

/**
 * A Maildir unique name, `TIME.M<usec>P<pid>Q<seq>R<random>.HOST`, with the
 * microseconds zero-padded to six digits so that names of one second sort
 * in time order. The random part (64 bits from a cryptographic source) keeps
 * names unique across worker threads and reused pids; the host part across
 * machines sharing a store.
 *
 * @example
 * ```ts
 * import { makeUniqueName } from "@filestore/filestore";
 *
 * makeUniqueName(4242, "myhost"); // "1764270000.M012345P4242Q1R9f8e7d6c5b4a3921.myhost"
 * ```
 */
export function makeUniqueName(pid: number, host: string): string {
  const now = performance.timeOrigin + performance.now();
  const seconds = Math.floor(now / 1000);
  const micros = Math.min(999_999, Math.floor((now - seconds * 1000) * 1000));
  return `${seconds}.M${String(micros).padStart(6, "0")}P${pid}Q${++deliveries}R${randomHex(8)}.${host}`;
}
