// The claims whose handlers consume() is running. One timer per loop renews
// all their leases (a timer per item costs more than a fast handler), and an
// item's AbortSignal is made only when its handler asks for it.
import type { ConsumeItem } from "./consume.ts";
import type { FileStoreError } from "./errors.ts";
import type { Claim } from "./store/claims.ts";

/** What an item's methods need of the store. */
export interface ItemStore {
  read(claim: Claim): Promise<Uint8Array>;
  touch(claim: Claim): Promise<void>;
}

const decoder = new TextDecoder();

/** The item a handler gets: the claim's fields, and methods on the prototype (no closures per item). */
export class HeldItem implements ConsumeItem {
  readonly name: string;
  readonly path: string;
  readonly key: string;
  readonly attempts: number;
  readonly #claim: Claim;
  readonly #store: ItemStore;
  readonly #running: Running;

  constructor(running: Running, store: ItemStore) {
    const claim = running.claim;
    this.name = claim.name;
    this.path = claim.path;
    this.key = claim.key;
    this.attempts = claim.attempts;
    this.#claim = claim;
    this.#store = store;
    this.#running = running;
  }

  /** Reads the whole file. */
  read(): Promise<Uint8Array> {
    return this.#store.read(this.#claim);
  }

  /** Reads the file as UTF-8 text. */
  async text(): Promise<string> {
    return decoder.decode(await this.#store.read(this.#claim));
  }

  /** Extends the lease now. */
  touch(): Promise<void> {
    return this.#store.touch(this.#claim);
  }

  /** Aborted when the loop stops or the claim is lost. */
  get signal(): AbortSignal {
    return this.#running.signal;
  }
}

/** A claim whose handler runs. */
export class Running {
  /** The claim. */
  readonly claim: Claim;
  #controller: AbortController | undefined;
  #aborted = false;
  #reason: unknown;

  constructor(claim: Claim) {
    this.claim = claim;
  }

  /** Aborted when the loop stops or the claim is lost; made on first use. */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Tells the handler to stop (once). */
  abort(reason: unknown): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
  }
}

/** Renews the leases of running claims every `every` ms; see the file's comment. */
export class Leases {
  readonly #running = new Set<Running>();
  readonly #touch: (claim: Claim) => Promise<void>;
  readonly #isLost: (error: unknown) => boolean;
  readonly #timer: ReturnType<typeof setInterval>;
  #stopped = false;
  #stopReason: unknown;

  constructor(every: number, touch: (claim: Claim) => Promise<void>, isLost: (error: unknown) => boolean) {
    this.#touch = touch;
    this.#isLost = isLost;
    this.#timer = setInterval(() => this.#renew(), every);
  }

  /** A claim's handler starts: its lease is renewed from now on. */
  start(claim: Claim): Running {
    const running = new Running(claim);
    if (this.#stopped) running.abort(this.#stopReason);
    this.#running.add(running);
    return running;
  }

  /** Its handler has returned: no more renewals. */
  end(running: Running): void {
    this.#running.delete(running);
  }

  /** The loop stops: every running handler, and any started later, is told to stop. */
  abortAll(reason: unknown): void {
    this.#stopped = true;
    this.#stopReason = reason;
    for (const running of this.#running) running.abort(reason);
  }

  /** Stops the timer. */
  close(): void {
    clearInterval(this.#timer);
  }

  #renew(): void {
    for (const running of this.#running) {
      this.#touch(running.claim).catch((error: FileStoreError) => {
        // A lost claim tells its handler to stop; other failures are retried at the next renewal.
        if (!this.#isLost(error)) return;
        this.#running.delete(running);
        running.abort(error);
      });
    }
  }
}
