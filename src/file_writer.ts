/**
 * The handle `FileStore.create()` returns: a file open for writing in `tmp/`.
 *
 * @module
 */
import type { FileHandle, FsAdapter } from "./adapter.ts";
import { FileStoreError, wrapOsError } from "./errors.ts";

/** How `create()` opens the file: `"w"` truncates, `"wx"` must create, `"a"` appends. */
export type WriteMode = "w" | "wx" | "a";

const encoder = new TextEncoder();

function bytes(data: string | Uint8Array): Uint8Array {
  return typeof data === "string" ? encoder.encode(data) : data;
}

/**
 * A file open for writing in the store's `tmp/` area. Every write is checked
 * (a short write is retried, a full disk throws `NO_SPACE`). Close it, then
 * move it to `new/`; `await using` closes it for you.
 *
 * @example
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * {
 *   await using file = await store.create("report.csv");
 *   await file.write("a,b\n");
 * }
 * await store.move("report.csv", "tmp", "new");
 * ```
 */
export class FileWriter {
  /** The file name in `tmp/`. */
  readonly name: string;
  /** The full path. */
  readonly path: string;
  #handle: FileHandle;
  #adapter: FsAdapter;
  #closed = false;

  /** @internal Use `FileStore.create()`. */
  constructor(name: string, path: string, handle: FileHandle, adapter: FsAdapter) {
    this.name = name;
    this.path = path;
    this.#handle = handle;
    this.#adapter = adapter;
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.#closed;
  }

  #check(action: string): void {
    if (this.#closed) {
      throw new FileStoreError("IO", `Cannot ${action} '${this.path}': the file is closed`, { path: this.path });
    }
  }

  /** Writes all of `data` (a string is written as UTF-8). */
  async write(data: string | Uint8Array): Promise<void> {
    this.#check("write");
    try {
      await this.#adapter.async.write(this.#handle, bytes(data));
    } catch (error) {
      throw wrapOsError(error, "write", this.path);
    }
  }

  /** Synchronous {@linkcode FileWriter.write}. */
  writeSync(data: string | Uint8Array): void {
    this.#check("write");
    try {
      this.#adapter.sync.write(this.#handle, bytes(data));
    } catch (error) {
      throw wrapOsError(error, "write", this.path);
    }
  }

  /** Flushes the file to stable storage (fsync). */
  async sync(): Promise<void> {
    this.#check("sync");
    try {
      await this.#adapter.async.fsync(this.#handle);
    } catch (error) {
      throw wrapOsError(error, "sync", this.path);
    }
  }

  /** Synchronous {@linkcode FileWriter.sync}. */
  syncSync(): void {
    this.#check("sync");
    try {
      this.#adapter.sync.fsync(this.#handle);
    } catch (error) {
      throw wrapOsError(error, "sync", this.path);
    }
  }

  /** Closes the file. Closing twice does nothing. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#adapter.async.close(this.#handle);
    } catch (error) {
      throw wrapOsError(error, "close", this.path);
    }
  }

  /** Synchronous {@linkcode FileWriter.close}. */
  closeSync(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#adapter.sync.close(this.#handle);
    } catch (error) {
      throw wrapOsError(error, "close", this.path);
    }
  }

  /** Closes the file at the end of an `await using` block. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /** Closes the file at the end of a `using` block. */
  [Symbol.dispose](): void {
    this.closeSync();
  }
}
