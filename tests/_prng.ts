// A small deterministic PRNG for generated tests: the seed is printed, and
// FILESTORE_SEED=<seed> replays a run.
import process from "node:process";

/** mulberry32: 32-bit state, good enough to spread test inputs. */
export class Prng {
  #state: number;
  constructor(readonly seed: number) {
    this.#state = seed >>> 0;
  }
  /** A float in [0, 1). */
  next(): number {
    let t = (this.#state = (this.#state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
}

/** The seed from FILESTORE_SEED, or a fresh one; printed either way. */
export function seeded(label: string): Prng {
  const given = process.env.FILESTORE_SEED;
  const seed = given ? Number(given) : Math.floor(Math.random() * 2 ** 32);
  console.log(`${label}: seed ${seed} (replay with FILESTORE_SEED=${seed})`);
  return new Prng(seed);
}
