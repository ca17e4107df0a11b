/**
 * next(): claims the oldest item of `new/` from a listing kept in memory and
 * refilled when it runs out, so draining N items reads the directory a few
 * times, not N times.
 *
 * A small new/ (by its last listing and its st_size) is read in one call; a
 * larger one is read in batches. Only the CLAIM_WINDOW oldest names are kept
 * (as compact order keys), so what a consumer keeps stays bounded whatever
 * the backlog; a backlog larger than that is taken a window per pass, still
 * oldest first. Where the adapter reads a directory whole (Deno without FFI), a pass
 * costs that memory anyway, so all of its names are kept: one pass per
 * backlog instead of one per window. After a lost race a consumer
 * jumps ahead by a random stride, so that consumers walking the same listing
 * stop trailing one another.
 * Entries that cannot be handed out are set aside in `failed/` (see
 * `set_aside.ts`); a name this runtime cannot address at all (not UTF-8, on
 * Deno) is skipped, and nothing is ever retried in a loop.
 *
 * Delayed items wait in `delayed/` under `NAME,D=<due>`; next() promotes the
 * due ones by renaming them to `new/NAME` (one rename of a source succeeds,
 * however many consumers try). It looks at delayed/ only when the earliest
 * due time it saw has come, or once a second (other processes add delayed
 * items), so the common path pays one clock read.
 *
 * @module
 */
import type { DirEntry } from "../adapter.ts";
import { call, type Steps } from "../_io.ts";
import { osCode } from "../errors.ts";
import { formatName, nameOfOrderKey, orderKey, parseName } from "../name_parts.ts";
import { type Claim, requireCur, tryClaim } from "./claims.ts";
import { DELAYED_AREA, type StoreContext } from "./context.ts";
import { closeListing, explain } from "./resolve.ts";
import { setAside, setAsideBytes } from "./set_aside.ts";

/** How many of the oldest names a consumer keeps from one listing. */
export const CLAIM_WINDOW = 32_768;
// Entries read from the directory per call.
const READ_BATCH = 1024;
// At most this many non-regular entries are set aside per listing (the rest at the next).
const SET_ASIDE_PER_LISTING = 256;
// The longest random stride after a lost race.
const MAX_STRIDE = 16;
// Names that lost a race in one next() call, remembered so that a listing that holds nothing else ends it.
const LOST_MEMORY = 4096;
/** The longest time between two looks at delayed/, in ms: other processes add delayed items. */
export const DELAYED_RESCAN = 1000;
// A window older than this (and than 20 listings' time, so that a huge new/ costs at most ~5%)
// is listed again: items of higher priority put since then are seen.
const WINDOW_MAX_AGE = 1000;
const LISTING_SHARE = 20;
// new/ is read whole, not streamed, once a listing saw at most
// SMALL_DIR_MOST entries and while its st_size is at most SMALL_DIR_BYTES: on
// ext4, xfs, btrfs, zfs and tmpfs that size bounds the entry count (ext4: 12
// bytes an entry at least, tmpfs: 20, zfs: 1). A listing that finds more
// entries than the size allows (SMB reports 0), or a whole read of more than
// WHOLE_READ_MOST, means sizes bound nothing here: the store object streams
// from then on. The first listing of a store object always streams.
const SMALL_DIR_MOST = 512;
const SMALL_DIR_BYTES = 65_536;
const WHOLE_READ_MOST = 8192;

const strict = new TextDecoder("utf-8", { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strict.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The claim loop of one store object. */
export class ClaimQueue {
  readonly #store: StoreContext;
  readonly #window: number;
  #keys: string[] = [];
  #index = 0;
  // Names shown with U+FFFD that this runtime cannot rename (Deno gives no bytes): skipped from then on.
  readonly #unaddressable = new Set<string>();
  // The earliest due time seen in delayed/ at the last look (Infinity: nothing there), and when that was.
  #earliestDue = Infinity;
  #lastLook = -Infinity;
  // When the window was listed, and how long that listing took.
  #listedAt = 0;
  #listingTook = 0;
  // Entries the last listing saw, and whether small listings are read whole.
  #lastSeen = Infinity;
  #smallReads = true;

  /**
   * A queue over `store`'s new/, keeping at most `window` names: by default
   * CLAIM_WINDOW, or all of a listing where the adapter reads directories
   * whole anyway.
   */
  constructor(store: StoreContext, window = store.adapter.readsDirWhole ? Number.POSITIVE_INFINITY : CLAIM_WINDOW) {
    this.#store = store;
    this.#window = window;
  }

  /** How many names one listing keeps at most. */
  get window(): number {
    return this.#window;
  }

  /** Claims the oldest available item, or returns null when new/ has nothing to hand out. */
  *next(): Steps<Claim | null> {
    const now = Date.now();
    if (now >= this.#earliestDue || now - this.#lastLook >= DELAYED_RESCAN) {
      if ((yield* this.#promote(now)) > 0) this.stale(); // list new/ again
    }
    if (
      this.#index < this.#keys.length &&
      now - this.#listedAt > Math.max(WINDOW_MAX_AGE, LISTING_SHARE * this.#listingTook)
    ) {
      this.stale();
    }
    // Made on the first lost race: most calls claim the first name they try.
    let lostNames: Set<string> | undefined;
    for (;;) {
      let lostAny = false;
      while (this.#index < this.#keys.length) {
        const name = nameOfOrderKey(this.#keys[this.#index++]);
        const attempt = yield* tryClaim(this.#store, name, true);
        if ("claim" in attempt) return attempt.claim;
        if ("lost" in attempt) {
          if (name.includes("\uFFFD") && (yield* this.#unreadable(name))) continue;
          lostAny = true;
          lostNames ??= new Set();
          if (lostNames.size < LOST_MEMORY) lostNames.add(name);
          const left = this.#keys.length - this.#index;
          this.#index += Math.floor(Math.random() * Math.min(MAX_STRIDE, left + 1));
        }
      }
      // Every rename failed with ENOENT: lost races, or cur/ is gone (then stop, not spin).
      if (lostAny) yield* requireCur(this.#store, this.#store.areaPath("new"));
      const fresh = yield* this.#refill(lostNames);
      if (fresh === 0) return null;
    }
  }

  /** Lists new/ again at the next call: an item of higher priority may be there (after a release). */
  stale(): void {
    this.#index = this.#keys.length;
  }

  /** The earliest due time of a delayed item seen at the last look, ms since the epoch, or null. */
  nextDue(): number | null {
    return this.#earliestDue === Infinity ? null : this.#earliestDue;
  }

  /** Tells the queue of an item this process delayed, so that it looks again when it is due. */
  noteDue(due: number): void {
    if (due < this.#earliestDue) this.#earliestDue = due;
  }

  // Moves the due items of delayed/ into new/; returns how many this call moved.
  *#promote(now: number): Steps<number> {
    this.#lastLook = now;
    this.#earliestDue = Infinity;
    const dir = `${this.#store.path}/${DELAYED_AREA}`;
    let handle: unknown;
    try {
      handle = yield* call("openDir", dir);
    } catch (error) {
      if (osCode(error) === "ENOENT" || osCode(error) === "ENOTDIR") return 0; // made on first use
      throw yield* explain(this.#store, error, "promote from", dir, [DELAYED_AREA]);
    }
    const due: string[] = [];
    try {
      for (;;) {
        const batch = yield* call("readDirBatch", handle, READ_BATCH);
        if (batch.length === 0) break;
        for (const entry of batch) {
          if (entry.name.startsWith(".") || (entry.kind !== "file" && entry.kind !== "unknown")) continue;
          // A file dropped in without a due time is due now.
          const at = parseName(entry.name, this.#store.infoSeparator).due ?? 0;
          if (at <= now) due.push(entry.name);
          else if (at < this.#earliestDue) this.#earliestDue = at;
        }
      }
    } catch (error) {
      throw yield* explain(this.#store, error, "promote from", dir, [DELAYED_AREA]);
    } finally {
      yield* closeListing(handle);
    }
    let moved = 0;
    for (const name of due) {
      const parts = parseName(name, this.#store.infoSeparator);
      const ready = formatName(parts.kept, { attempts: parts.attempts, info: parts.info }, this.#store.infoSeparator);
      try {
        yield* call("rename", `${dir}/${name}`, `${this.#store.path}/new/${ready}`);
        moved++;
      } catch (error) {
        if (osCode(error) === "ENOENT") continue; // another consumer promoted it first
        throw yield* explain(this.#store, error, "promote", `${dir}/${name}`, [DELAYED_AREA, "new"]);
      }
    }
    return moved;
  }

  // Lists new/ again; returns how many names it holds that did not just lose a race.
  *#refill(lostNames: ReadonlySet<string> | undefined): Steps<number> {
    const dir = this.#store.areaPath("new");
    const started = Date.now();
    let keys: string[] = [];
    let cutoff = "\uffff";
    const odd: string[] = [];
    let fresh = 0;
    const take = (entry: DirEntry) => {
      if (entry.name.startsWith(".")) return;
      if (this.#unaddressable.has(entry.name)) return;
      if (entry.kind === "file" || entry.kind === "unknown") {
        if (!lostNames?.has(entry.name)) fresh++;
        // Once the window is full, only keys older than its newest are kept: little garbage, bounded memory.
        const key = orderKey(entry.name);
        if (keys.length < this.#window || key < cutoff) keys.push(key);
        if (keys.length >= this.#window + (this.#window >> 2)) {
          keys = oldest(keys, this.#window);
          cutoff = keys[keys.length - 1];
        }
      } else if (odd.length < SET_ASIDE_PER_LISTING) {
        odd.push(entry.name);
      }
    };
    this.#lastSeen = yield* this.#list(dir, take);
    this.#keys = oldest(keys, this.#window);
    this.#index = 0;
    this.#listedAt = Date.now();
    this.#listingTook = this.#listedAt - started;
    for (const name of odd) yield* setAside(this.#store, "new", name);
    return fresh;
  }

  // Reads new/ whole in one call when it held a few entries last time and
  // its size says it still does (a stat and one read cost a third of a
  // stream's open, reads and close on Node); streams it otherwise. Returns
  // how many entries it read.
  *#list(dir: string, take: (entry: DirEntry) => void): Steps<number> {
    let size: number;
    let whole: DirEntry[] | null = null;
    try {
      size = (yield* call("stat", dir)).size;
      if (this.#smallReads && this.#lastSeen <= SMALL_DIR_MOST && size <= SMALL_DIR_BYTES) {
        whole = yield* call("readDir", dir);
      }
    } catch (error) {
      throw yield* explain(this.#store, error, "claim from", dir, ["new"]);
    }
    let count = 0;
    const counted = (entry: DirEntry) => {
      count++;
      take(entry);
    };
    if (whole) {
      for (const entry of whole) counted(entry);
    } else {
      yield* this.#stream(dir, counted);
    }
    // Where sizes bound entries, a directory counts a byte an entry at least (zfs counts entries, the rest bytes).
    if (count > size || (whole && count > WHOLE_READ_MOST)) this.#smallReads = false;
    return count;
  }

  // Reads the listing in batches, so that a huge new/ never sits in memory whole.
  *#stream(dir: string, take: (entry: DirEntry) => void): Steps<void> {
    let handle: unknown;
    try {
      handle = yield* call("openDir", dir);
    } catch (error) {
      throw yield* explain(this.#store, error, "claim from", dir, ["new"]);
    }
    try {
      for (;;) {
        const batch = yield* call("readDirBatch", handle, READ_BATCH);
        if (batch.length === 0) break;
        for (const entry of batch) take(entry);
      }
    } catch (error) {
      throw yield* explain(this.#store, error, "claim from", dir, ["new"]);
    } finally {
      yield* closeListing(handle);
    }
  }

  // A name with U+FFFD whose rename found nothing: its bytes are not UTF-8, so
  // it cannot be named as a string. Moves every such entry of new/ into
  // failed/ by its bytes where the runtime has them; else skips it from now
  // on. True when the name was such a name (not a lost race).
  *#unreadable(name: string): Steps<boolean> {
    const names = yield* call("readDirBytes", this.#store.areaPath("new"));
    if (names === null) {
      if (this.#unaddressable.size < LOST_MEMORY) this.#unaddressable.add(name);
      return true;
    }
    let found = false;
    for (const bytes of names) {
      if (isUtf8(bytes) || bytes[0] === 0x2e) continue;
      found = true;
      yield* setAsideBytes(this.#store, "new", bytes);
    }
    return found;
  }
}

function oldest(keys: string[], count: number): string[] {
  keys.sort();
  if (keys.length > count) keys.length = count;
  return keys;
}
