/**
 * The entries of an area as the command line and the dashboard show them:
 * with the exact bytes of names that are not UTF-8 (when the runtime gives
 * them), and an lstat that reaches such files through those bytes.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { lstat } from "node:fs/promises";
import type { FileInfo } from "../adapter.ts";
import type { FileStore } from "../file_store.ts";
import { byNameOrder } from "./_order.ts";
import { nameBytes, pathBytes } from "./_quote.ts";

/** One entry of an area. */
export interface AreaEntry {
  /** The name; a name that is not UTF-8 has U+FFFD in place of its bad bytes. */
  name: string;
  /** The full path, as a string. */
  path: string;
  /** The kind the listing reports. */
  kind: string;
  /** The name's exact bytes, when it is not UTF-8 and the runtime tells (Node, Bun). */
  bytes?: Uint8Array;
}

/** True when a name lost bytes on its way to a string: it cannot be addressed by that string. */
export function isLossy(name: string): boolean {
  return name.includes("\uFFFD");
}

/** The entries of an area in {@linkcode byNameOrder}, names starting with `.` left out. */
export async function listArea(store: FileStore, area: string): Promise<AreaEntry[]> {
  const entries: AreaEntry[] = [];
  for await (const entry of store.entries(area)) {
    const bytes = nameBytes(entry);
    entries.push(bytes ? { name: entry.name, path: entry.path, kind: entry.kind, bytes } : entry);
  }
  return entries.sort((a, b) => byNameOrder(a.name, b.name));
}

/**
 * Lstat's an entry: through its bytes when it has them. Undefined when it
 * is gone (claimed or removed since the listing) or cannot be reached.
 */
export async function lstatEntry(store: FileStore, entry: AreaEntry): Promise<FileInfo | undefined> {
  if (!entry.bytes) return await store.adapter.async.lstat(entry.path).catch(() => undefined);
  const dir = entry.path.slice(0, entry.path.length - entry.name.length - 1);
  try {
    const info = await lstat(Buffer.from(pathBytes(dir, entry.name, entry.bytes)));
    return {
      isFile: info.isFile(),
      isDirectory: info.isDirectory(),
      isSymlink: info.isSymbolicLink(),
      size: info.size,
      mtimeMs: info.mtimeMs,
      ctimeMs: info.ctimeMs,
      mode: info.mode,
    };
  } catch {
    return undefined;
  }
}

/** The kind of a file, as `ls --json` and the API name it. */
export function kindOf(info: FileInfo): "file" | "directory" | "symlink" | "other" {
  return info.isFile ? "file" : info.isDirectory ? "directory" : info.isSymlink ? "symlink" : "other";
}
