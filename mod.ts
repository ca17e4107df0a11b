/**
 * filestore: a Maildir-style file store for lock-free handoff of files
 * between processes, on Deno, Bun and Node.
 *
 * A store is a directory with `tmp/`, `new/` and `cur/`. A producer writes a
 * file in `tmp/` and renames it into `new/`; a consumer claims it by renaming
 * it into `cur/`. rename(2) is atomic, so nobody ever sees half a file and
 * exactly one consumer gets each one.
 *
 * @example
 * ```ts
 * import { FileStore } from "@filestore/filestore";
 *
 * const store = new FileStore("./spool");
 * await store.prepare();
 * await store.put("hello"); // durable and atomic
 * const claim = await store.next(); // exactly one process wins it
 * if (claim) {
 *   console.log(new TextDecoder().decode(await store.read(claim)));
 *   await store.ack(claim);
 * }
 * ```
 *
 * @module
 */
export * from "./src/file_store.ts";
export * from "./src/file_writer.ts";
export * from "./src/errors.ts";
export * from "./src/names.ts";
export * from "./src/name_parts.ts";
export * from "./src/flags.ts";
export type * from "./src/adapter.ts";
export { defaultAdapter } from "./src/adapters/detect.ts";
export * from "./src/stats.ts";
export * from "./src/watch.ts";
export * from "./src/consume.ts";
export * from "./src/recover.ts";
export { Executor } from "./src/executor.ts";
export type { StoreContext } from "./src/store/context.ts";
export type { Call, Group, Steps } from "./src/_io.ts";
