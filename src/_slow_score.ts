// A decaying count of slow calls: a few close together mean the calls are
// slow; one alone may be the scheduler. Shared by the executor (inline calls)
// and the fsync gate (inline fsyncs).

/** Counts slow calls, each worth less as later calls come. */
export class SlowScore {
  #score = 0;
  readonly #limit: number;
  readonly #decay: number;

  /** `limit`: the score that means slow; `decay`: what each call leaves of the score before it. */
  constructor(limit = 3, decay = 0.95) {
    this.#limit = limit;
    this.#decay = decay;
  }

  /** Counts one call; true when slow ones came close enough together (the score then starts again). */
  add(slow: boolean): boolean {
    this.#score = this.#score * this.#decay + (slow ? 1 : 0);
    if (this.#score < this.#limit) return false;
    this.#score = 0;
    return true;
  }

  /** Forgets the slow calls counted so far. */
  reset(): void {
    this.#score = 0;
  }
}
