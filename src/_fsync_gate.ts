// Whether the executor may run fsyncs inline. An fsync waits for the disk:
// on the pool the event loop goes on meanwhile, but the round trip costs
// 0.1-0.2 ms on top of a 0.3-0.5 ms fsync here, a third of a durable put.
// So fsyncs run inline while they prove fast (under FAST_MS, on the pool
// first), and go back to the pool when several are slow close together, or
// at once for a stall. Each return to the pool doubles the run of fast
// fsyncs needed to come back, so a disk that is slow now and then blocks the
// event loop rarely, never often.

import { SlowScore } from "./_slow_score.ts";

// An fsync at most this long (inline, or on the pool round trip included) counts as fast.
const FAST_MS = 2;
// An inline fsync this slow sends them back at once.
const STALL_MS = 10;
// Fast fsyncs in a row on the pool before they run inline; doubled at each return to the pool.
const FIRST_STREAK = 16;
const LONGEST_STREAK = 4096;

/** Decides, from the fsyncs it is told about, whether the next one runs inline. */
export class FsyncGate {
  #inline = false;
  #fastStreak = 0;
  #needed = FIRST_STREAK;
  // Slow inline fsyncs close together send fsyncs back to the pool.
  readonly #slow = new SlowScore();

  /** Whether the next fsync may run inline. */
  get inline(): boolean {
    return this.#inline;
  }

  /** An fsync ran inline and took `ms`. */
  ranInline(ms: number): void {
    const slowTogether = this.#slow.add(ms > FAST_MS);
    if (ms < STALL_MS && !slowTogether) return;
    this.#inline = false;
    this.#fastStreak = 0;
    this.#slow.reset();
    this.#needed = Math.min(LONGEST_STREAK, this.#needed * 2);
  }

  /** An fsync ran on the pool and took `ms`, its round trip included. */
  ranOnPool(ms: number): void {
    this.#fastStreak = ms <= FAST_MS ? this.#fastStreak + 1 : 0;
    if (this.#fastStreak >= this.#needed) this.#inline = true;
  }
}
