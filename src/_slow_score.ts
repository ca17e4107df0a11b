// Telling slow calls from a busy machine. The fsync gate counts slow fsyncs
// with a decaying score (a few close together mean the disk is slow); the
// executor asks what share of its recent inline calls were slow.

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

/**
 * The share of slow calls among the last `window` ones: a file system that is
 * slow makes most calls slow, while a busy machine (more runnable processes
 * than cores, a directory lock held by a process that lost its core) stalls
 * calls here and there, often a few close together.
 */
export class SlowShare {
  // One bit per call, the newest lowest.
  #bits = 0;
  #slowCount = 0;
  readonly #window: number;
  readonly #limit: number;

  /** `limit` slow calls among the last `window` (at most 31) mean slow. */
  constructor(limit = 8, window = 16) {
    this.#window = window;
    this.#limit = limit;
  }

  /** Counts one call; true when `limit` of the last `window` were slow (counting then starts again). */
  add(slow: boolean): boolean {
    const leaving = (this.#bits >>> (this.#window - 1)) & 1;
    this.#bits = ((this.#bits << 1) | (slow ? 1 : 0)) & ((1 << this.#window) - 1);
    this.#slowCount += (slow ? 1 : 0) - leaving;
    if (this.#slowCount < this.#limit) return false;
    this.reset();
    return true;
  }

  /** Forgets the calls counted so far. */
  reset(): void {
    this.#bits = 0;
    this.#slowCount = 0;
  }
}
