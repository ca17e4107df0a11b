/**
 * The parts of a name, by one rule for every program that writes to a store.
 *
 * A name is `BASE[SEP INFO]`. SEP is the info separator (`:`, or `;` where
 * `:` cannot be in a file name, as on Windows); INFO holds the Maildir flags
 * (`2,FS`). BASE is the unique part, perhaps followed by fields `,X=value`.
 *
 * The KEY of a name is its BASE without the fields that programs add or
 * change while the file is in the store: filestore's `,A=` (attempts),
 * `,C=` (claim token), `,D=` (due time of a delayed item) and `,P=`
 * (priority, written only when not 0), and the IMAP UID `,U=` that mbsync and OfflineIMAP
 * append (OfflineIMAP also adds `,FMD5=`). Fields written at delivery, such as
 * Courier's and Dovecot's sizes `,S=` and `,W=`, stay part of the key. So the
 * key of a file never changes while it moves between areas, is claimed,
 * flagged, or renamed by a mail synchroniser.
 *
 * @module
 */
import { FileStoreError } from "./errors.ts";
import { printable, randomHex } from "./names.ts";

/** The separator before the info part: `:` (Maildir), or `;` where `:` cannot be in a name. */
export type InfoSeparator = ":" | ";";

// Fields that change while a file is in a store; none of them is part of the key.
const TRANSIENT_FIELDS = /,(A|C|D|P|U|FMD5)=([^,]*)/g;
const HAS_TRANSIENT_FIELD = /,(A|C|D|P|U|FMD5)=/;

/**
 * The part of a name before its info part.
 *
 * @example
 * ```ts
 * import { baseOf } from "@filestore/filestore";
 *
 * baseOf("1700000000.M1P2.host:2,S"); // "1700000000.M1P2.host"
 * ```
 */
export function baseOf(name: string, separator: InfoSeparator = ":"): string {
  const at = name.indexOf(separator);
  return at === -1 ? name : name.slice(0, at);
}

/**
 * The info part of a name (after the first separator), or `undefined`.
 *
 * @example
 * ```ts
 * import { infoOf } from "@filestore/filestore";
 *
 * infoOf("1700000000.M1P2.host:2,S"); // "2,S"
 * ```
 */
export function infoOf(name: string, separator: InfoSeparator = ":"): string | undefined {
  const at = name.indexOf(separator);
  return at === -1 ? undefined : name.slice(at + 1);
}

/**
 * The key of a name: its base without `,A=`, `,C=`, `,U=` and `,FMD5=`
 * (see the module documentation for the rule).
 *
 * @example
 * ```ts
 * import { keyOf } from "@filestore/filestore";
 *
 * keyOf("1700000000.M1P2Q3.host,A=1,C=P9Rab@host:2,S"); // "1700000000.M1P2Q3.host"
 * keyOf("1700000000.M1P2Q3.host,S=120,U=7:2,"); // "1700000000.M1P2Q3.host,S=120"
 * ```
 */
export function keyOf(name: string, separator: InfoSeparator = ":"): string {
  const base = baseOf(name, separator);
  return base.includes(",") ? base.replace(TRANSIENT_FIELDS, "") : base;
}

/** Who holds a claim: process, random tag, and escaped host. */
export interface ClaimToken {
  /** The holder's process id. */
  pid: number;
  /** Random hex, unique to this one claim. */
  tag: string;
  /** The holder's escaped host name. */
  host: string;
}

/** The parts filestore reads from a name. */
export interface NameParts {
  /** The key: stable across areas, claims, flags and synchronisers. */
  key: string;
  /** Times the item was handed back after a failure or a crash. */
  attempts: number;
  /** The claim token, present on claimed files in `cur/`. */
  claim?: ClaimToken;
  /** The info part (after the separator), if any. */
  info?: string;
  /** When a delayed item is due, ms since the epoch (its `,D=` field), if it has one. */
  due?: number;
  /** The priority (its `,P=` field): higher is claimed first; 0 when absent. */
  priority: number;
  /**
   * The base without filestore's `,A=`, `,C=` and `,D=` fields: other
   * programs' fields, and the priority, stay in place.
   */
  kept: string;
}

/**
 * Splits a name into key, attempt count, claim token, info part and the
 * base that keeps other programs' fields.
 *
 * @example
 * ```ts
 * import { parseName } from "@filestore/filestore";
 *
 * parseName("job,A=2,C=P9Rab@h:2,").attempts; // 2
 * ```
 */
export function parseName(name: string, separator: InfoSeparator = ":"): NameParts {
  const base = baseOf(name, separator);
  const parts: NameParts = { key: base, attempts: 0, info: infoOf(name, separator), priority: 0, kept: base };
  let comma = base.indexOf(",");
  if (comma === -1) return parts;
  // Field by field (what TRANSIENT_FIELDS matches, without a regex's callback on the hot path):
  // each `,NAME=value` runs to the next comma.
  let key = base.slice(0, comma);
  let kept = key;
  while (comma !== -1) {
    const next = base.indexOf(",", comma + 1);
    const field = next === -1 ? base.slice(comma) : base.slice(comma, next);
    const equals = field.indexOf("=");
    const label = equals === -1 ? "" : field.slice(1, equals);
    const value = field.slice(equals + 1);
    if (label === "A") parts.attempts = Number.parseInt(value, 10) || 0;
    else if (label === "C") parts.claim = parseClaimToken(value);
    else if (label === "D") parts.due = Number.parseInt(value, 10) || 0;
    else if (label === "P") parts.priority = Number.parseInt(value, 10) || 0;
    if (label !== "A" && label !== "C" && label !== "D") {
      kept += field;
      if (label !== "P" && label !== "U" && label !== "FMD5") key += field;
    }
    comma = next;
  }
  parts.key = key;
  parts.kept = kept;
  return parts;
}

function parseClaimToken(value: string): ClaimToken | undefined {
  const match = /^P(\d+)R([0-9a-f]+)@(.+)$/.exec(value);
  return match ? { pid: Number(match[1]), tag: match[2], host: match[3] } : undefined;
}

/** The text of a claim token as it stands in a name (after `,C=`). */
export function formatClaimToken(claim: ClaimToken): string {
  return `P${claim.pid}R${claim.tag}@${claim.host}`;
}

/**
 * Builds a name from a base (a key, or a base that keeps other programs'
 * fields), an attempt count, a claim token and an info part.
 *
 * @example
 * ```ts
 * import { formatName } from "@filestore/filestore";
 *
 * formatName("job", { attempts: 1, info: "2,S" }); // "job,A=1:2,S"
 * ```
 */
export function formatName(
  base: string,
  options: { attempts?: number; claim?: ClaimToken; due?: number; info?: string } = {},
  separator: InfoSeparator = ":",
): string {
  let name = base;
  if (options.attempts) name += `,A=${options.attempts}`;
  if (options.claim) name += `,C=${formatClaimToken(options.claim)}`;
  if (options.due !== undefined) name += `,D=${Math.max(0, Math.floor(options.due))}`;
  if (options.info !== undefined) name += `${separator}${options.info}`;
  return name;
}

/** A fresh claim token for this process: unique to each claim, so claims stay exactly-once. */
export function newClaimToken(pid: number, host: string): ClaimToken {
  return { pid, tag: randomHex(4), host };
}

/**
 * True when a caller-chosen name holds a field that is not part of a key
 * (`,A=`, `,C=`, `,D=`, `,P=`, `,U=`, `,FMD5=`): the store would misread it.
 */
export function hasReservedField(name: string, separator: InfoSeparator = ":"): boolean {
  return HAS_TRANSIENT_FIELD.test(baseOf(name, separator));
}

/** Whether two names are the same claim: the same key and the same claim token. */
export function sameClaim(a: NameParts, b: NameParts): boolean {
  return a.key === b.key && a.claim !== undefined && b.claim !== undefined && a.claim.tag === b.claim.tag &&
    a.claim.pid === b.claim.pid && a.claim.host === b.claim.host;
}

/** The standard Maildir flags. */
export const MAILDIR_FLAGS = "DFPRST";

/**
 * The flag letters of an info part (`2,FS` gives `FS`), or "" when there are none.
 *
 * @example
 * ```ts
 * import { flagsOfInfo } from "@filestore/filestore";
 *
 * flagsOfInfo("2,FS"); // "FS"
 * ```
 */
export function flagsOfInfo(info: string | undefined): string {
  return info?.startsWith("2,") ? info.slice(2) : "";
}

/**
 * Sorts flag letters in ASCII order and drops repeats; rejects anything not `A-Z`/`a-z`.
 *
 * @example
 * ```ts
 * import { normalizeFlags } from "@filestore/filestore";
 *
 * normalizeFlags("SFS"); // "FS"
 * ```
 */
export function normalizeFlags(flags: string): string {
  if (!/^[A-Za-z]*$/.test(flags)) {
    throw new FileStoreError("INVALID_NAME", `Invalid flags '${printable(flags)}': flags are letters A-Z and a-z`);
  }
  return Array.from(new Set(flags)).sort().join("");
}

/**
 * The name a claimed file gets when it goes back to `new/`: its base (with
 * other programs' fields), its info part, its attempt count raised by one,
 * and no claim token; with `due`, the `,D=` field of a delayed item.
 *
 * @example
 * ```ts
 * import { releasedName } from "@filestore/filestore";
 *
 * releasedName("1700000000.M1P2Q3.host,A=1,C=P9Rab@host:2,"); // "1700000000.M1P2Q3.host,A=2"
 * ```
 */
export function releasedName(name: string, separator: InfoSeparator = ":", due?: number): string {
  const parts = parseName(name, separator);
  const info = parts.info === "2," ? undefined : parts.info;
  return formatName(parts.kept, { attempts: parts.attempts + 1, due, info }, separator);
}

// Names with a `,P=` field get a prefix before their order key: `!` and
// (MAX - priority) for a priority above 0, so that they sort before every
// name without one (those start with a hex digit or `~`); DEL and -priority
// for one below 0, after them. Both in fixed-width hex, so higher sorts first.
const PRIORITY_WIDTH = 14;
const PRIORITY_FIELD = /,P=(-?\d+)(?=[,:;]|$)/;

/** The priority of a name (its `,P=` field), or 0. */
export function priorityOf(name: string): number {
  if (!name.includes(",P=")) return 0;
  const match = PRIORITY_FIELD.exec(name);
  return match ? Number.parseInt(match[1], 10) || 0 : 0;
}

/**
 * A string that sorts names by priority (a `,P=` field, higher first,
 * default 0), then oldest first: by the time, microseconds and sequence
 * numbers in Maildir unique names written by any program
 * (`TIME.M<usec>P<pid>Q<seq>...`, `TIME.<pid>_<seq>...`, `TIME.#<hex>...`),
 * then by name. Names without a leading time sort after all timed ones of
 * their priority, by name. Compare the results as strings.
 */
export function orderKey(name: string): string {
  const priority = priorityOf(name);
  if (priority === 0) return timeOrderKey(name);
  const prefix = priority > 0
    ? `!${hex(Number.MAX_SAFE_INTEGER - priority, PRIORITY_WIDTH)}`
    : `\x7f${hex(-priority, PRIORITY_WIDTH)}`;
  return prefix + timeOrderKey(name);
}

function timeOrderKey(name: string): string {
  const dot = name.indexOf(".");
  if (dot < 1 || dot > 15) return `~${name}`;
  let seconds = 0;
  for (let i = 0; i < dot; i++) {
    const digit = name.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return `~${name}`;
    seconds = seconds * 10 + digit;
  }
  const end = name.indexOf(".", dot + 1);
  const id = end === -1 ? name.slice(dot + 1) : name.slice(dot + 1, end);
  const time = seconds * 1_000_000 + microsIn(id);
  return `${hex(time, 14)}${hex(sequenceIn(id), 12)}${name}`;
}

const isDigit = (code: number) => code >= 48 && code <= 57;
const isHexDigit = (code: number) => isDigit(code) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);

// The end of the run of characters from `start` that pass `test`.
function runEnd(text: string, start: number, test: (code: number) => boolean): number {
  let end = start;
  while (end < text.length && test(text.charCodeAt(end))) end++;
  return end;
}

// The first `M` followed by one to six digits (and no seventh): the microseconds. Scanned, not a
// regex: this runs for every name of every listing.
function microsIn(id: string): number {
  for (let at = id.indexOf("M"); at !== -1; at = id.indexOf("M", at + 1)) {
    const end = runEnd(id, at + 1, isDigit);
    if (end > at + 1 && end - at - 1 <= 6) return Number(id.slice(at + 1, end));
  }
  return 0;
}

// The first sequence number: `Q<digits>`, `#<hex>` or `_<digits>`, whichever comes first.
function sequenceIn(id: string): number {
  for (let at = 0; at < id.length; at++) {
    const code = id.charCodeAt(at);
    if (code !== 81 /* Q */ && code !== 35 /* # */ && code !== 95 /* _ */) continue;
    const end = runEnd(id, at + 1, code === 35 ? isHexDigit : isDigit);
    if (end === at + 1) continue;
    const digits = id.slice(at + 1, end);
    return code === 35 ? Number.parseInt(digits, 16) : Number(digits);
  }
  return 0;
}

/** The length of the prefix `orderKey()` puts before a timed name. */
export const ORDER_PREFIX = 26;

/** The name back from an `orderKey()`. */
export function nameOfOrderKey(key: string): string {
  const first = key.charCodeAt(0);
  if (first === 33 /* ! */ || first === 127 /* DEL */) return nameOfOrderKey(key.slice(1 + PRIORITY_WIDTH));
  return first === 126 /* ~ */ ? key.slice(1) : key.slice(ORDER_PREFIX);
}

// Fixed-width lowercase hex: the lowest `width` digits, zero-padded; all "f" for what is not a safe integer
// >= 0. This runs twice for every name of every listing, so widths 12 and 14 take three 24-bit parts through
// a table of byte pairs (a quarter of toString(16) and padStart's time on Node).
function hex(value: number, width: number): string {
  if (!Number.isSafeInteger(value) || value < 0) return "f".repeat(width);
  if (width !== 12 && width !== 14) {
    const text = value.toString(16);
    return text.length >= width ? text.slice(-width) : text.padStart(width, "0");
  }
  const high = Math.floor(value / 0x1000000);
  const top = Math.floor(high / 0x1000000); // below 32: a safe integer has at most 53 bits
  const twelve = hex24(high - top * 0x1000000) + hex24(value - high * 0x1000000);
  return width === 12 ? twelve : HEX_PAIRS[top] + twelve;
}

const HEX_PAIRS = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));
const hex24 = (value: number) => HEX_PAIRS[value >>> 16] + HEX_PAIRS[(value >>> 8) & 255] + HEX_PAIRS[value & 255];
