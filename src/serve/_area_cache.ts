/**
 * What the sampler remembers of each file it has seen, so that a sample
 * costs one listing per area and an lstat only for names it has not seen:
 * a published file does not change, so its size and modification time are
 * read once. Claims in `cur/` are stat'ed every time: a claim's ctime is its
 * lease, renewed by `touch()`.
 *
 * @module
 */
import type { FileStore } from "../file_store.ts";
import { parseName } from "../name_parts.ts";
import { type AreaEntry, isLossy, kindOf, lstatEntry } from "../cli/_entries.ts";
import { nameBytes, toHex } from "../cli/_quote.ts";

/** What is known of one file of an area. */
export interface CachedFile {
  name: string;
  bytes?: Uint8Array;
  key: string;
  attempts: number;
  /** True for a claim in cur/: stat'ed again each sample. */
  claim: boolean;
  /** Null when the file cannot be reached by its name (not UTF-8, and the runtime does not give the bytes). */
  size: number | null;
  mtime: number | null;
  ctime: number | null;
  kind: string;
}

/** One area's files as of the last sample. */
export interface AreaScan {
  /** Every entry of the listing, in directory order (the same name may appear twice when it is lossy). */
  files: CachedFile[];
  /** lstat calls this scan made. */
  stats: number;
}

const BATCH = 32;

// Lossy names collide as strings: their bytes tell them apart, where known.
const idOf = (entry: { name: string; bytes?: Uint8Array }) => entry.bytes ? `\0${toHex(entry.bytes)}` : entry.name;

/** The per-area caches of a sampler. */
export class AreaCache {
  readonly #store: FileStore;
  readonly #areas = new Map<string, Map<string, CachedFile>>();

  /** A cache for `store`; empty until the first `scan()`. */
  constructor(store: FileStore) {
    this.#store = store;
  }

  /** Lists an area, lstat's only what the cache does not know (and claims), and forgets what is gone. */
  async scan(area: string): Promise<AreaScan> {
    const old = this.#areas.get(area) ?? new Map<string, CachedFile>();
    const next = new Map<string, CachedFile>();
    const files: CachedFile[] = [];
    let pending: AreaEntry[] = [];
    let stats = 0;
    const flush = async () => {
      stats += pending.length;
      const infos = await Promise.all(pending.map((entry) => lstatEntry(this.#store, entry)));
      infos.forEach((info, i) => {
        const entry = pending[i];
        // Gone since the listing (claimed, acknowledged): not counted. A lossy name without bytes cannot be
        // reached, but it is there: counted, with what lstat would tell unknown.
        if (!info && !(isLossy(entry.name) && !entry.bytes)) return;
        const { key, attempts, claim } = parseName(entry.name);
        const file: CachedFile = {
          name: entry.name,
          key,
          attempts,
          claim: area === "cur" && claim !== undefined,
          size: info ? (info.isFile ? info.size : 0) : null,
          mtime: info ? info.mtimeMs : null,
          ctime: info ? info.ctimeMs : null,
          kind: info ? kindOf(info) : entry.kind,
        };
        if (entry.bytes) file.bytes = entry.bytes;
        next.set(idOf(entry), file);
        files.push(file);
      });
      pending = [];
    };
    for await (const listed of this.#store.entries(area)) {
      const bytes = nameBytes(listed);
      const entry: AreaEntry = bytes ? { ...listed, bytes } : listed;
      const id = idOf(entry);
      const known = old.get(id);
      if (known && !known.claim && known.size !== null) {
        next.set(id, known);
        files.push(known);
      } else {
        pending.push(entry);
        if (pending.length === BATCH) await flush();
      }
    }
    await flush();
    this.#areas.set(area, next);
    return { files, stats };
  }
}
