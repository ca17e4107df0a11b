/**
 * next(): claims the oldest item of `new/` from a listing kept in memory and
 * refilled when it runs out, so draining N items reads the directory a few
 * times, not N times.
 *
 * The listing is read in batches and only the `limit` oldest names are kept
 * (as compact order keys), so a consumer's memory stays bounded whatever the
 * backlog; a backlog larger than that is taken `limit` items per pass, still
 * oldest first. After a lost race a consumer jumps ahead by a random stride,
 * so that consumers walking the same listing stop trailing one another.
 * Entries that cannot be handed out are set aside in `failed/` (see
 * `set_aside.ts`); a name this runtime cannot address at all (not UTF-8, on
 * Deno) is skipped, and nothing is ever retried in a loop.
 *
 * @module
 */
import { call, type Steps } from "../_io.ts";
import { nameOfOrderKey, orderKey } from "../name_parts.ts";
import { type Claim, requireCur, tryClaim } from "./claims.ts";
import type { StoreContext } from "./context.ts";
import { explain } from "./resolve.ts";
import { setAside, setAsideBytes } from "./set_aside.ts";

/** How many of the oldest names a consumer keeps from one listing. */
export const CLAIM_WINDOW = 65_536;
// Entries read from the directory per call.
const READ_BATCH = 1024;
// At most this many non-regular entries are set aside per listing (the rest at the next).
const SET_ASIDE_PER_LISTING = 256;
// The longest random stride after a lost race.
const MAX_STRIDE = 16;
// Names that lost a race in one next() call, remembered so that a listing that holds nothing else ends it.
const LOST_MEMORY = 4096;

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

  /** A queue over `store`'s new/, keeping at most `window` names. */
  constructor(store: StoreContext, window = CLAIM_WINDOW) {
    this.#store = store;
    this.#window = window;
  }

  /** Claims the oldest available item, or returns null when new/ has nothing to hand out. */
  *next(): Steps<Claim | null> {
    const lostNames = new Set<string>();
    for (;;) {
      let lostAny = false;
      while (this.#index < this.#keys.length) {
        const name = nameOfOrderKey(this.#keys[this.#index++]);
        const attempt = yield* tryClaim(this.#store, name, true);
        if ("claim" in attempt) return attempt.claim;
        if ("lost" in attempt) {
          if (name.includes("\uFFFD") && (yield* this.#unreadable(name))) continue;
          lostAny = true;
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

  // Lists new/ again; returns how many names it holds that did not just lose a race.
  *#refill(lostNames: Set<string>): Steps<number> {
    const dir = this.#store.areaPath("new");
    let handle: unknown;
    try {
      handle = yield* call("openDir", dir);
    } catch (error) {
      throw yield* explain(this.#store, error, "claim from", dir, ["new"]);
    }
    let keys: string[] = [];
    const odd: string[] = [];
    let fresh = 0;
    try {
      for (;;) {
        const batch = yield* call("readDirBatch", handle, READ_BATCH);
        if (batch.length === 0) break;
        for (const entry of batch) {
          if (entry.name.startsWith(".")) continue;
          if (this.#unaddressable.has(entry.name)) continue;
          if (entry.kind === "file" || entry.kind === "unknown") {
            if (!lostNames.has(entry.name)) fresh++;
            keys.push(orderKey(entry.name));
            if (keys.length >= 2 * this.#window) keys = oldest(keys, this.#window);
          } else if (odd.length < SET_ASIDE_PER_LISTING) {
            odd.push(entry.name);
          }
        }
      }
    } catch (error) {
      throw yield* explain(this.#store, error, "claim from", dir, ["new"]);
    } finally {
      try {
        yield* call("closeDir", handle);
      } catch {
        // Closing a listing cannot lose anything.
      }
    }
    this.#keys = oldest(keys, this.#window);
    this.#index = 0;
    for (const name of odd) yield* setAside(this.#store, "new", name);
    return fresh;
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
