/**
 * `filestore ls DIR [AREA]`: lists an area.
 *
 * @module
 */
import { flagsOfInfo, parseName } from "../name_parts.ts";
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
}

/** The `ls` verb. */
export const ls: Command = {
  name: "ls",
  synopsis: "DIR [AREA]",
  summary: "list an area (new/ by default): one path a line, oldest first",
  help: `Usage: filestore ls DIR [AREA] [--json]

Lists the files of AREA (tmp, new, cur, done, failed; default new), sorted by
name, which for unique names is arrival order. Prints one full path a line.

Options:
  --json   a JSON array of {name, path, key, attempts, size, mtime, flags, kind},
           one object a line

Examples:
  filestore ls /var/spool/jobs
  filestore ls /var/spool/jobs failed --json`,
  async run(args, io) {
    const { values, positionals: [dir, area = "new"] } = parse(this, args, { json: { type: "boolean" } }, [1, 2]);
    const store = await openStore(dir);
    const paths = await store.list(area);
    if (!values.json) {
      writeLines(io, paths);
      return EXIT.OK;
    }
    const listed: string[] = [];
    for (let i = 0; i < paths.length; i += 64) {
      const batch = paths.slice(i, i + 64);
      // A file may be claimed or removed between the listing and the lstat: skip it.
      const infos = await Promise.all(batch.map((path) => store.adapter.async.lstat(path).catch(() => undefined)));
      infos.forEach((info, j) => {
        if (!info) return;
        const name = batch[j].slice(batch[j].lastIndexOf("/") + 1);
        const parts = parseName(name);
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
