/**
 * Picks the adapter for the running runtime. The one place that asks.
 *
 * @module
 */
import type { FsAdapter } from "../adapter.ts";
import { denoAdapter } from "./deno.ts";
import { nodeAdapter } from "./node.ts";

let detected: FsAdapter | undefined;

/**
 * The default adapter: `Deno.*` on Deno, `node:fs` on Node and Bun. Created once.
 *
 * @example
 * ```ts
 * import { defaultAdapter } from "@filestore/filestore";
 *
 * console.log(defaultAdapter().name); // "deno" on Deno, "node" elsewhere
 * ```
 */
export function defaultAdapter(): FsAdapter {
  detected ??= "Deno" in globalThis ? denoAdapter() : nodeAdapter();
  return detected;
}
