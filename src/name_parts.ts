/**
 * The parts of a name, by one rule for every program that writes to a store.
 *
 * A name is `BASE[SEP INFO]`. SEP is the info separator (`:`, or `;` where
 * `:` cannot be in a file name, as on Windows); INFO holds the Maildir flags
 * (`2,FS`). BASE is the unique part, perhaps followed by fields `,X=value`.
 *
 * The KEY of a name is its BASE without the fields that programs add or
 * change while the file is in the store: filestore's `,A=` (attempts) and
 * `,C=` (claim token), and the IMAP UID `,U=` that mbsync and OfflineIMAP
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
const TRANSIENT_FIELDS = /,(A|C|U|FMD5)=([^,]*)/g;
const HAS_TRANSIENT_FIELD = /,(A|C|U|FMD5)=/;

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
  /** The base without filestore's own `,A=` and `,C=` fields: other programs' fields stay in place. */
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
  const parts: NameParts = { key: base, attempts: 0, info: infoOf(name, separator), kept: base };
  if (!base.includes(",")) return parts;
  let kept = base;
  parts.key = base.replace(TRANSIENT_FIELDS, (whole, field: string, value: string) => {
    if (field === "A") parts.attempts = Number.parseInt(value, 10) || 0;
    else if (field === "C") parts.claim = parseClaimToken(value);
    if (field === "A" || field === "C") kept = kept.replace(whole, "");
    return "";
  });
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
  options: { attempts?: number; claim?: ClaimToken; info?: string } = {},
  separator: InfoSeparator = ":",
): string {
  let name = base;
  if (options.attempts) name += `,A=${options.attempts}`;
  if (options.claim) name += `,C=${formatClaimToken(options.claim)}`;
  if (options.info !== undefined) name += `${separator}${options.info}`;
  return name;
}

/** A fresh claim token for this process: unique to each claim, so claims stay exactly-once. */
export function newClaimToken(pid: number, host: string): ClaimToken {
  return { pid, tag: randomHex(4), host };
}

/**
 * True when a caller-chosen name holds a field that is not part of a key
 * (`,A=`, `,C=`, `,U=`, `,FMD5=`): the store would misread it.
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
 * and no claim token.
 *
 * @example
 * ```ts
 * import { releasedName } from "@filestore/filestore";
 *
 * releasedName("1700000000.M1P2Q3.host,A=1,C=P9Rab@host:2,"); // "1700000000.M1P2Q3.host,A=2"
 * ```
 */
export function releasedName(name: string, separator: InfoSeparator = ":"): string {
  const parts = parseName(name, separator);
  const info = parts.info === "2," ? undefined : parts.info;
  return formatName(parts.kept, { attempts: parts.attempts + 1, info }, separator);
}

/**
 * A string that sorts names oldest first: by the time, microseconds and
 * sequence numbers in Maildir unique names written by any program
 * (`TIME.M<usec>P<pid>Q<seq>...`, `TIME.<pid>_<seq>...`, `TIME.#<hex>...`),
 * then by name. Names without a leading time sort after all timed ones, by
 * name. Compare the results as strings.
 */
export function orderKey(name: string): string {
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
  const micros = /M(\d{1,6})(?!\d)/.exec(id);
  const sequence = /Q(\d+)|#([0-9a-fA-F]+)|_(\d+)/.exec(id);
  const seq = sequence
    ? sequence[1] !== undefined
      ? Number(sequence[1])
      : sequence[2] !== undefined
      ? Number.parseInt(sequence[2], 16)
      : Number(sequence[3])
    : 0;
  const time = seconds * 1_000_000 + (micros ? Number(micros[1]) : 0);
  return `${hex(time, 14)}${hex(seq, 12)}${name}`;
}

/** The length of the prefix `orderKey()` puts before a timed name. */
export const ORDER_PREFIX = 26;

/** The name back from an `orderKey()`. */
export function nameOfOrderKey(key: string): string {
  return key.charCodeAt(0) === 126 /* ~ */ ? key.slice(1) : key.slice(ORDER_PREFIX);
}

function hex(value: number, width: number): string {
  const text = Number.isSafeInteger(value) && value >= 0 ? value.toString(16) : "f".repeat(width);
  return text.length >= width ? text.slice(-width) : text.padStart(width, "0");
}
