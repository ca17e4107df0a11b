/**
 * What the operations know of a store: its directory, areas, adapter and
 * settings. `FileStore` is one; the operations in `src/store/` and the
 * workers take this narrow surface, never the class.
 *
 * @module
 */
import type { FsAdapter } from "../adapter.ts";
import type { Executor } from "../executor.ts";
import type { InfoSeparator } from "../name_parts.ts";

/** The settings and paths every operation needs. */
export interface StoreContext {
  /** The store's directory, absolute. */
  readonly path: string;
  /** All declared areas: `tmp`, `new`, `cur` and the extra ones. */
  readonly areas: readonly string[];
  /** The file-system adapter. */
  readonly adapter: FsAdapter;
  /** Runs operations: inline where the file system proves fast, on the thread pool where not. */
  readonly executor: Executor;
  /** Permission bits of new files. */
  readonly fileMode: number;
  /** Permission bits of new directories. */
  readonly dirMode: number;
  /** Whether puts fsync by default. */
  readonly sync: boolean;
  /** The escaped host name used in unique names and claims. */
  readonly host: string;
  /** The separator before the info part of names. */
  readonly infoSeparator: InfoSeparator;
  /** The directory of an area; throws `INVALID_AREA` for an unknown one. */
  areaPath(area: string): string;
  /** A new unique name. */
  uniqueName(): string;
}

/** The area where items that cannot be handled are set aside; made on first use. */
export const FAILED_AREA = "failed";

/** Whether an area may be used: declared, or the failed area (made on first use). */
export function usableArea(store: StoreContext, area: string): boolean {
  return store.areas.includes(area) || area === FAILED_AREA;
}
