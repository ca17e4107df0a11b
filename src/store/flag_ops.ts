/**
 * Maildir flags of files in the store: read them, and change them by an
 * atomic rename within the file's area (see `src/flags.ts` for the names).
 *
 * @module
 */
import { dirname, resolve as resolvePath } from "node:path";
import { call, type Steps } from "../_io.ts";
import { osCode } from "../errors.ts";
import { flagChange, type FlagKind, flagsOf, renamedForFlags } from "../flags.ts";
import type { StoreContext } from "./context.ts";
import { existing, explain, missing, nameIn, resolved, type StoredFile } from "./resolve.ts";

// Where flags() looks: in `area` if given, else in the area of a full path,
// else in cur/ (where mail readers keep read mail) and then in new/.
function flagAreas(store: StoreContext, nameOrPath: string | StoredFile, area: string | undefined): string[] {
  if (area !== undefined) return [area];
  const given = typeof nameOrPath === "object" && nameOrPath !== null ? nameOrPath.path : nameOrPath;
  if (typeof given !== "string" || !given.includes("/")) return ["cur", "new"];
  const dir = dirname(resolvePath(given));
  return [store.areas.find((a) => `${store.path}/${a}` === dir) ?? "cur"];
}

function* locate(
  store: StoreContext,
  nameOrPath: string | StoredFile,
  areas: string[],
): Steps<{ area: string; name: string }> {
  const [area, ...rest] = areas;
  const name = nameIn(store, area, nameOrPath);
  try {
    return { area, name: yield* resolved(store, area, name, (found) => existing(store, area, found, "flag")) };
  } catch (error) {
    if (missing(error) && rest.length > 0) return yield* locate(store, nameOrPath, rest);
    throw yield* explain(store, error, "find the flags of", `${store.areaPath(area)}/${name}`, [area]);
  }
}

/** flags(): the letters after `:2,`. */
export function* flagsSteps(store: StoreContext, nameOrPath: string | StoredFile, area?: string): Steps<string> {
  const found = yield* locate(store, nameOrPath, flagAreas(store, nameOrPath, area));
  return flagsOf(found.name, store.infoSeparator);
}

/**
 * setFlags(), addFlags(), removeFlags(): renames the file within its area to
 * carry the new flags. If another process renamed it meanwhile (a mail
 * reader flagging it), looks again.
 */
export function* setFlagsSteps(
  store: StoreContext,
  nameOrPath: string | StoredFile,
  kind: FlagKind,
  flags: string,
  area?: string,
): Steps<StoredFile> {
  const change = flagChange(kind, flags);
  for (let attempt = 1;; attempt++) {
    const found = yield* locate(store, nameOrPath, flagAreas(store, nameOrPath, area));
    const dir = store.areaPath(found.area);
    const renamed = renamedForFlags(found.name, change, store.infoSeparator);
    if (renamed === undefined) return { name: found.name, path: `${dir}/${found.name}` };
    try {
      yield* call("rename", `${dir}/${found.name}`, `${dir}/${renamed}`);
      return { name: renamed, path: `${dir}/${renamed}` };
    } catch (error) {
      if (osCode(error) !== "ENOENT" || attempt === 3) {
        throw yield* explain(store, error, "flag", `${dir}/${found.name}`, [found.area]);
      }
    }
  }
}
