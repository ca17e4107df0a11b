/**
 * Names shown to people: quoted the way a POSIX shell reads them back, so a
 * name on a terminal is one line, carries no escape sequence, and can be
 * pasted into a command. Works on a name's bytes when the listing gives them
 * (a name that is not valid UTF-8), else on the string.
 *
 * - Only `A-Z a-z 0-9 _ - . , : = + @ % / ^` (and not starting with `~` or
 *   `#`): as is, `new/1764270000.M1P2.host`.
 * - Other printable text: in single quotes, `'a b'`, `'it'\''s'`.
 * - Control characters, invisible format characters (such as bidirectional
 *   overrides), line separators and bytes that are not UTF-8: the whole name
 *   in `$'...'` (bash, zsh, ksh, and POSIX sh since 2024), `$'a\nb'`,
 *   `$'caf\351'`, `$'\033[31m'`.
 *
 * @module
 */

// U+FEFF at the start of a sequence is a character of the name, not a byte-order mark.
const keepBom = new TextDecoder("utf-8", { ignoreBOM: true });

const encoder = new TextEncoder();

// Printed as is, like GNU ls's shell-escape style.
const PLAIN = /^[A-Za-z0-9_\-.,:=+@%/^][A-Za-z0-9_\-.,:=+@%/^~#]*$/;
// Code points a terminal would act on or hide: C0/C1 controls, DEL, format characters, separators, surrogates.
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/u;

/** A piece of a name: a code point that decoded, or a byte that did not. */
type Piece = { char: string } | { byte: number };

/** The name as code points and undecodable bytes. */
function pieces(name: string, bytes: Uint8Array | undefined): Piece[] {
  if (!bytes) return Array.from(name, (char) => ({ char }));
  const out: Piece[] = [];
  for (let i = 0; i < bytes.length;) {
    const length = sequenceLength(bytes, i);
    if (length === 0) {
      out.push({ byte: bytes[i] });
      i++;
    } else {
      out.push({ char: keepBom.decode(bytes.subarray(i, i + length)) });
      i += length;
    }
  }
  return out;
}

// The length of the valid UTF-8 sequence at `i` (RFC 3629: no overlongs, surrogates or code points past U+10FFFF), or 0.
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b0 = bytes[i];
  if (b0 < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < bytes.length && bytes[i + k] >= lo && bytes[i + k] <= hi;
  if (b0 >= 0xc2 && b0 <= 0xdf) return cont(1) ? 2 : 0;
  if (b0 >= 0xe0 && b0 <= 0xef) {
    const lo = b0 === 0xe0 ? 0xa0 : 0x80, hi = b0 === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    const lo = b0 === 0xf0 ? 0x90 : 0x80, hi = b0 === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

const C_ESCAPES: Record<string, string> = {
  "\n": "\\n",
  "\t": "\\t",
  "\r": "\\r",
  "\\": "\\\\",
  "'": "\\'",
};

const octal = (byte: number) => `\\${byte.toString(8).padStart(3, "0")}`;

/** True when a name has a byte that is not UTF-8 or a character a terminal would act on or hide. */
export function needsEscaping(name: string, bytes?: Uint8Array): boolean {
  return pieces(name, bytes).some((piece) => !("char" in piece) || HIDDEN.test(piece.char));
}

/**
 * Quotes a name (or a path) for a shell: as is, in `'...'`, or in `$'...'`
 * when it holds control characters or bytes that are not UTF-8 (see the
 * module comment). `bytes` are the name's exact bytes, when known.
 */
export function shellQuote(name: string, bytes?: Uint8Array): string {
  if (name !== "" && !bytes && PLAIN.test(name)) return name;
  const parts = pieces(name, bytes);
  if (parts.every((piece) => "char" in piece && !HIDDEN.test(piece.char))) {
    return `'${name.replaceAll("'", "'\\''")}'`;
  }
  let out = "$'";
  for (const piece of parts) {
    if (!("char" in piece)) out += octal(piece.byte);
    else if (C_ESCAPES[piece.char]) out += C_ESCAPES[piece.char];
    else if (HIDDEN.test(piece.char)) out += Array.from(encoder.encode(piece.char), octal).join("");
    else out += piece.char;
  }
  return `${out}'`;
}

/**
 * A name for a page or a log line: printable characters as they are, the
 * rest as `\n`, `\t`, `\\`, `\xHH` per byte (`caf\xe9`, `\x1b[31m`).
 */
export function escapeName(name: string, bytes?: Uint8Array): string {
  let out = "";
  for (const piece of pieces(name, bytes)) {
    if (!("char" in piece)) out += hex(piece.byte);
    else if (piece.char === "\\") out += "\\\\";
    else if (piece.char === "\n") out += "\\n";
    else if (piece.char === "\t") out += "\\t";
    else if (HIDDEN.test(piece.char)) out += Array.from(encoder.encode(piece.char), hex).join("");
    else out += piece.char;
  }
  return out;
}

const hex = (byte: number) => `\\x${byte.toString(16).padStart(2, "0")}`;

/** The bytes as lowercase hex, for JSON beside a lossy name. */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** The exact bytes of an entry's name, when the listing gave them (names that are not UTF-8, on Node and Bun). */
export function nameBytes(entry: unknown): Uint8Array | undefined {
  const bytes = (entry as { bytes?: unknown }).bytes;
  return bytes instanceof Uint8Array ? bytes : undefined;
}

/** A path's bytes: the directory's text and the name's exact bytes. */
export function pathBytes(dir: string, name: string, bytes: Uint8Array | undefined): Uint8Array {
  const head = encoder.encode(`${dir}/`);
  const tail = bytes ?? encoder.encode(name);
  const all = new Uint8Array(head.length + tail.length);
  all.set(head);
  all.set(tail, head.length);
  return all;
}

/**
 * A path printed as one result for `$(...)`: as is, unless it holds control
 * characters or bytes that are not UTF-8; then in `$'...'` form.
 */
export function resultPath(path: string, bytes?: Uint8Array): string {
  return needsEscaping(path, bytes) ? shellQuote(path, bytes) : path;
}

/** A stored file's path bytes, when the core gave its name's bytes; else undefined. */
export function pathBytesOf(file: { name: string; path: string }): Uint8Array | undefined {
  const bytes = nameBytes(file);
  if (!bytes) return undefined;
  return pathBytes(file.path.slice(0, file.path.length - file.name.length - 1), file.name, bytes);
}
