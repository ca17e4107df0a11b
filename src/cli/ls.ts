/**
 * `filestore ls DIR [AREA]`: lists an area.
 *
 * @module
 */
import { flagsOfInfo, parseName } from "../name_parts.ts";
import { FileStoreError } from "../errors.ts";
import { FIRST_USE_AREAS } from "../store/context.ts";
import { errorKeysSteps, type ItemError } from "../store/item_errors.ts";
import { type Command, EXIT, openStore, parse } from "./_common.ts";

/** One line of `ls --json`. */
export interface ListedFile {
  name: string;
  path: string;
  key: string;
  attempts: number;
  size: number;
  /** Modification time, ISO 8601. */
  mtime: string;
  /** Maildir flags of the info part (`2,FS` gives `FS`). */
  flags: string;
  kind: "file" | "directory" | "symlink" | "other";
  /** Priority (the `,P=` field), when not 0. */
  priority?: number;
  /** When a delayed item is due, ISO 8601 (the `,D=` field). */
  due?: string;
  /** The item's last failure (see `lastError()`), when it has one. */
  error?: ItemError;
}

/** The `ls` verb. */
export const ls: Command = {
  name: "ls",
  synopsis: "DIR [AREA]",
  summary: "list an area (new/ by default): one path a line, oldest first",
  help: `Usage: filestore ls DIR [AREA] [--json]

Lists the files of AREA (tmp, new, cur, done, failed, delayed; default new),
sorted by name, which for unique names is arrival order. Prints one full path
a line. failed/ and delayed/ are made on first use: until then they list empty.

Options:
  --json   a JSON array of {name, path, key, attempts, size, mtime, flags, kind},
           one object a line, with 'priority' when not 0, 'due' (ISO 8601)
           for a delayed item, and 'error' for an item whose last try failed
           ({message, attempts, at, stack or exitCode and stderr})

Examples:
  filestore ls /var/spool/jobs
  filestore ls /var/spool/jobs failed --json`,
  async run(args, io) {
    const { values, positionals: [dir, area = "new"] } = parse(this, args, { json: { type: "boolean" } }, [1, 2]);
    const store = await openStore(dir);
    let paths: string[];
    try {
      paths = await store.list(area);
    } catch (error) {
      const notYet = error instanceof FileStoreError && error.code === "NOT_PREPARED" && FIRST_USE_AREAS.includes(area);
      if (!notYet) throw error;
      paths = [];
    }
    if (!values.json) {
      writeLines(io, paths);
      return EXIT.OK;
    }
    const listed: string[] = [];
    const withErrors = paths.length === 0 ? new Set<string>() : await store.executor.run(errorKeysSteps(store));
    for (let i = 0; i < paths.length; i += 64) {
      const batch = paths.slice(i, i + 64);
      // A file may be claimed or removed between the listing and the lstat: skip it.
      const infos = await Promise.all(batch.map((path) => store.adapter.async.lstat(path).catch(() => undefined)));
      const names = batch.map((path) => path.slice(path.lastIndexOf("/") + 1));
      const errors = await Promise.all(names.map((name) => {
        const key = parseName(name, store.infoSeparator).key;
        return withErrors.has(key) ? store.lastError(key).catch(() => null) : null;
      }));
      infos.forEach((info, j) => {
        if (!info) return;
        const name = names[j];
        const parts = parseName(name, store.infoSeparator);
        const file: ListedFile = {
          name,
          path: batch[j],
          key: parts.key,
          attempts: parts.attempts,
          size: info.size,
          mtime: new Date(info.mtimeMs).toISOString(),
          flags: flagsOfInfo(parts.info),
          kind: info.isFile ? "file" : info.isDirectory ? "directory" : info.isSymlink ? "symlink" : "other",
        };
        if (parts.priority !== 0) file.priority = parts.priority;
        if (parts.due !== undefined) file.due = new Date(parts.due).toISOString();
        if (errors[j]) file.error = errors[j]!;
        listed.push(JSON.stringify(file));
      });
    }
    io.stdout(listed.length === 0 ? "[]\n" : `[\n${listed.join(",\n")}\n]\n`);
    return EXIT.OK;
  },
};

function writeLines(io: { stdout(text: string): void }, lines: string[]): void {
  for (let i = 0; i < lines.length; i += 1024) io.stdout(lines.slice(i, i + 1024).map((l) => `${l}\n`).join(""));
}
