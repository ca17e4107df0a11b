/**
 * Names: validation, unique Maildir names, and the parts of a name
 * (key, fields, info part with flags, claim token).
 *
 * A name is `BASE[:INFO]`. BASE is the unique part, optionally followed by
 * `,S=<size>`, `,W=<size>` (Dovecot) and filestore's own `,A=<attempts>` and
 * `,C=<claim token>` fields. The key is BASE without filestore's fields: it
 * stays the same while the file moves between areas.
 *
 * @module
 */
import { FileStoreError } from "./errors.ts";

const encoder = new TextEncoder();

/** Longest name most file systems accept, in bytes of UTF-8. */
export const MAX_NAME_BYTES = 255;

/**
 * Checks a file name and returns it, or throws `INVALID_NAME` naming the problem.
 *
 * @example
 * ```ts
 * import { validateName } from "@filestore/filestore";
 *
 * validateName("report.txt"); // "report.txt"
 * ```
 */
export function validateName(name: string): string {
  if (typeof name !== "string") {
    throw new FileStoreError("INVALID_NAME", `Invalid name ${String(name)}: a name must be a string`);
  }
  const problem = nameProblem(name);
  if (problem) throw new FileStoreError("INVALID_NAME", `Invalid name '${printable(name)}': ${problem}`);
  return name;
}

function nameProblem(name: string): string | undefined {
  if (name === "") return "it is empty";
  if (name === "." || name === "..") return "it refers to a directory";
  if (name.includes("/")) return "it contains '/'";
  if (name.includes("\\")) return "it contains '\\'";
  if (name.includes("\0")) return "it contains a NUL character";
  if (name.startsWith(".")) return "names starting with '.' are hidden from every listing";
  if (name.length > MAX_NAME_BYTES / 3 && encoder.encode(name).byteLength > MAX_NAME_BYTES) {
    return `it is longer than ${MAX_NAME_BYTES} bytes`;
  }
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

/** A name made safe to quote in a one-line message. */
export function printable(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 77)}...` : value;
  // deno-lint-ignore no-control-regex
  return shown.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Writes a host name the Maildir way: `/` as `\057`, `:` as `\072`, and `,` as `\054`. */
export function escapeHost(host: string): string {
  return host.replace(/[/:,\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, "0")}`);
}

// Random hex from a pooled buffer: one getRandomValues call per 512 names.
const pool = new Uint8Array(4096);
let poolOffset = pool.length;
function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    crypto.getRandomValues(pool);
    poolOffset = 0;
  }
  let hex = "";
  for (let i = 0; i < bytes; i++) hex += pool[poolOffset + i].toString(16).padStart(2, "0");
  poolOffset += bytes;
  return hex;
}

let deliveries = 0;

/**
 * A Maildir unique name, `TIME.M<usec>P<pid>Q<seq>R<random>.HOST`. The random
 * part (64 bits from a cryptographic source) keeps names unique across worker
 * threads and reused pids; the host part across machines sharing a store.
 */
export function makeUniqueName(pid: number, host: string): string {
  const now = performance.timeOrigin + performance.now();
  const seconds = Math.floor(now / 1000);
  const micros = Math.floor((now - seconds * 1000) * 1000);
  return `${seconds}.M${micros}P${pid}Q${++deliveries}R${randomHex(8)}.${host}`;
}

/** The part of a name before its info part. */
export function baseOf(name: string): string {
  const colon = name.indexOf(":");
  return colon === -1 ? name : name.slice(0, colon);
}

/** The info part of a name (after the first `:`), or `undefined`. */
export function infoOf(name: string): string | undefined {
  const colon = name.indexOf(":");
  return colon === -1 ? undefined : name.slice(colon + 1);
}

const OWN_FIELDS = /,([AC])=([^,]*)/g;

/**
 * The key of a name: the base without filestore's `,A=` and `,C=` fields.
 *
 * @example
 * ```ts
 * import { keyOf } from "@filestore/filestore";
 *
 * keyOf("1700000000.M1P2Q3.host,A=1,C=P9Rab@host:2,S"); // "1700000000.M1P2Q3.host"
 * ```
 */
export function keyOf(name: string): string {
  const base = baseOf(name);
  return base.includes(",") ? base.replace(OWN_FIELDS, "") : base;
}

/** The parts filestore reads from a name. */
export interface NameParts {
  key: string;
  /** Times the item was handed back after a failure or a crash. */
  attempts: number;
  /** The claim token, present on claimed files in `cur/`. */
  claim?: ClaimToken;
  /** Dovecot's other fields and the like, kept in place: the base without our fields. */
  info?: string;
}

/** Who holds a claim: process, random tag, and escaped host. */
export interface ClaimToken {
  pid: number;
  tag: string;
  host: string;
}

/** Splits a name into key, attempt count, claim token and info part. */
export function parseName(name: string): NameParts {
  const base = baseOf(name);
  const parts: NameParts = { key: base, attempts: 0, info: infoOf(name) };
  if (!base.includes(",")) return parts;
  parts.key = base.replace(OWN_FIELDS, (_all, field: string, value: string) => {
    if (field === "A") parts.attempts = Number.parseInt(value, 10) || 0;
    else parts.claim = parseClaimToken(value);
    return "";
  });
  return parts;
}

function parseClaimToken(value: string): ClaimToken | undefined {
  const match = /^P(\d+)R([0-9a-f]+)@(.+)$/.exec(value);
  return match ? { pid: Number(match[1]), tag: match[2], host: match[3] } : undefined;
}

/** Builds a name from a key, an attempt count, a claim token and an info part. */
export function formatName(
  key: string,
  options: { attempts?: number; claim?: ClaimToken; info?: string } = {},
): string {
  let name = key;
  if (options.attempts) name += `,A=${options.attempts}`;
  if (options.claim) name += `,C=P${options.claim.pid}R${options.claim.tag}@${options.claim.host}`;
  if (options.info !== undefined) name += `:${options.info}`;
  return name;
}

/** A fresh claim token for this process: unique to each claim, so claims stay exactly-once. */
export function newClaimToken(pid: number, host: string): ClaimToken {
  return { pid, tag: randomHex(4), host };
}

/** True when a caller-chosen name would collide with filestore's own fields. */
export function hasReservedField(name: string): boolean {
  return /,[AC]=/.test(baseOf(name));
}

/** The standard Maildir flags. */
export const MAILDIR_FLAGS = "DFPRST";

/** The flag letters of an info part (`2,FS` gives `FS`), or "" when there are none. */
export function flagsOfInfo(info: string | undefined): string {
  return info?.startsWith("2,") ? info.slice(2) : "";
}

/** Sorts flag letters in ASCII order and drops repeats; rejects anything not `A-Z`/`a-z`. */
export function normalizeFlags(flags: string): string {
  if (!/^[A-Za-z]*$/.test(flags)) {
    throw new FileStoreError("INVALID_NAME", `Invalid flags '${printable(flags)}': flags are letters A-Z and a-z`);
  }
  return Array.from(new Set(flags)).sort().join("");
}

/**
 * The name a claimed file gets when it goes back to `new/`: its key and info
 * part, its attempt count raised by one, and no claim token.
 *
 * @example
 * ```ts
 * import { releasedName } from "@filestore/filestore";
 *
 * releasedName("1700000000.M1P2Q3.host,A=1,C=P9Rab@host:2,"); // "1700000000.M1P2Q3.host,A=2"
 * ```
 */
export function releasedName(name: string): string {
  const parts = parseName(name);
  const info = parts.info === "2," ? undefined : parts.info;
  return formatName(parts.key, { attempts: parts.attempts + 1, info });
}
