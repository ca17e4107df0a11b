/**
 * One item opened on the dashboard: its first bytes (text or hex), what its
 * name says (key, attempts, due time, priority) and its last error. The
 * file is opened without following a symlink and must be a regular file,
 * as `read()` requires.
 *
 * @module
 */
import { constants } from "node:fs";
import { open } from "node:fs/promises";
import { FileStoreError, osCode, wrapOsError } from "../errors.ts";
import type { FileStore, ItemError } from "../file_store.ts";
import { parseName } from "../name_parts.ts";
import { escapeName, toHex } from "../cli/_quote.ts";

/** The most bytes of an item the dashboard shows. */
export const PREVIEW_BYTES = 4096;

/** An item as `GET /api/item` returns it. */
export interface ItemView {
  area: string;
  name: string;
  display: string;
  key: string;
  attempts: number;
  priority: number;
  /** When it is due (ISO 8601), for a delayed item; else null. */
  due: string | null;
  size: number;
  mtime: number;
  /** `"text"` when the first bytes are UTF-8 without control characters but tab and newline; else `"hex"`. */
  encoding: "text" | "hex";
  /** The first bytes (at most {@linkcode PREVIEW_BYTES}), as text or lowercase hex. */
  content: string;
  /** True when the file holds more than is shown. */
  truncated: boolean;
  /** The item's last failure, or null. */
  error: ItemError | null;
}

// O_NOFOLLOW refuses a symlink; O_NONBLOCK keeps a planted FIFO from hanging open().
const FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
// C0 controls but tab and newline, DEL and C1 controls.
// deno-lint-ignore no-control-regex
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

/** Reads up to {@linkcode PREVIEW_BYTES} of a regular file of an area; NOT_A_FILE for anything else. */
export async function viewItem(store: FileStore, area: string, name: string): Promise<ItemView> {
  const path = `${store.areaPath(area)}/${name}`;
  let handle;
  try {
    handle = await open(path, FLAGS);
  } catch (error) {
    const code = osCode(error);
    if (code === "ELOOP") {
      throw new FileStoreError("NOT_A_FILE", `Cannot open '${path}': it is a symlink, which the store never follows`, {
        cause: error,
        path,
      });
    }
    if (code === "ENXIO") throw notAFile(path, error);
    throw wrapOsError(error, "open", path);
  }
  let head: Uint8Array;
  let size: number, mtime: number;
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw notAFile(path);
    size = info.size;
    mtime = info.mtimeMs;
    const buffer = new Uint8Array(Math.min(PREVIEW_BYTES, size));
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    head = buffer.subarray(0, length);
  } catch (error) {
    throw error instanceof FileStoreError ? error : wrapOsError(error, "read", path);
  } finally {
    await handle.close();
  }
  const parts = parseName(name, store.infoSeparator);
  const truncated = size > head.length;
  const text = asText(head, truncated);
  return {
    area,
    name,
    display: escapeName(name),
    key: parts.key,
    attempts: parts.attempts,
    priority: parts.priority,
    due: parts.due === undefined ? null : new Date(parts.due).toISOString(),
    size,
    mtime,
    encoding: text === null ? "hex" : "text",
    content: text ?? toHex(head),
    truncated,
    error: await store.lastError(parts.key),
  };
}

function notAFile(path: string, cause?: unknown): FileStoreError {
  return new FileStoreError("NOT_A_FILE", `Cannot open '${path}': it is not a regular file`, { cause, path });
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

// The bytes as text, or null when they are not UTF-8 or hold control characters. A preview cut in the
// middle of a character loses that character's first bytes rather than turning to hex.
function asText(bytes: Uint8Array, truncated: boolean): string | null {
  for (let cut = 0; cut <= (truncated ? 3 : 0) && cut < bytes.length + 1; cut++) {
    let text: string;
    try {
      text = strict.decode(bytes.subarray(0, bytes.length - cut));
    } catch {
      continue;
    }
    return CONTROL.test(text) ? null : text;
  }
  return null;
}
