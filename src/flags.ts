/**
 * Maildir flags: the letters after `:2,` in a file name, in ASCII order.
 *
 * Uppercase letters are the standard flags (`D` draft, `F` flagged, `P`
 * passed, `R` replied, `S` seen, `T` trashed); lowercase `a`-`z` are keywords
 * (Dovecot maps them to names in its `dovecot-keywords` file). Changing flags
 * renames the file within its area, so it is atomic for every reader.
 *
 * @module
 */
import { baseOf, flagsOfInfo, infoOf, type InfoSeparator, normalizeFlags } from "./name_parts.ts";

/**
 * The flags of a file name: the letters after `:2,`, or "" when it has none.
 *
 * @example
 * ```ts
 * import { flagsOf } from "@filestore/filestore";
 *
 * flagsOf("1700000000.M1P2Q3.host:2,FS"); // "FS"
 * flagsOf("1700000000.M1P2Q3.host"); // ""
 * ```
 */
export function flagsOf(name: string, separator: InfoSeparator = ":"): string {
  return flagsOfInfo(infoOf(name, separator));
}

/**
 * The name with its info part replaced by `:2,` and the given flags in ASCII
 * order. Another info part (such as the experimental `:1,`) is replaced too.
 *
 * @throws {FileStoreError} `INVALID_NAME` when a flag is not a letter.
 * @example
 * ```ts
 * import { withFlags } from "@filestore/filestore";
 *
 * withFlags("1700000000.M1P2Q3.host", "SF"); // "1700000000.M1P2Q3.host:2,FS"
 * ```
 */
export function withFlags(name: string, flags: string, separator: InfoSeparator = ":"): string {
  return `${baseOf(name, separator)}${separator}2,${normalizeFlags(flags)}`;
}

/** Existing flags plus more, in ASCII order, without repeats. */
export function mergeFlags(current: string, more: string): string {
  return Array.from(new Set(current + more)).sort().join("");
}

/** Existing flags without some, in ASCII order, without repeats. */
export function dropFlags(current: string, gone: string): string {
  return Array.from(new Set(current)).filter((flag) => !gone.includes(flag)).sort().join("");
}

/** A flag change: from the flags a file has to the flags it should have. */
export type FlagChange = (current: string) => string;

/** Which flag change: `setFlags`, `addFlags` or `removeFlags`. */
export type FlagKind = "set" | "add" | "remove";

/** The change that `setFlags`, `addFlags` or `removeFlags` makes; checks the letters first. */
export function flagChange(kind: FlagKind, flags: string): FlagChange {
  const given = normalizeFlags(flags);
  if (kind === "set") return () => given;
  return kind === "add" ? (current) => mergeFlags(current, given) : (current) => dropFlags(current, given);
}

/**
 * The name a file should get for a flag change, or `undefined` when it keeps
 * its name (the flags are already so, and an info part is present or not needed).
 */
export function renamedForFlags(name: string, change: FlagChange, separator: InfoSeparator = ":"): string | undefined {
  const current = flagsOf(name, separator);
  const next = change(current);
  const info = infoOf(name, separator);
  if (next === current && (info?.startsWith("2,") || (info === undefined && next === ""))) return undefined;
  return `${baseOf(name, separator)}${separator}2,${next}`;
}
