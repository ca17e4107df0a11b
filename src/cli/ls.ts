/**
 * `filestore ls DIR [AREA]`: lists an area.
 *
 * @module
 */
import type { FileStore } from "../file_store.ts";
import { flagsOfInfo, parseName } from "../name_parts.ts";
import { type AreaEntry, isLossy, kindOf, listArea, lstatEntry } from "./_entries.ts";
import { type CliIo, type Command, EXIT, openStore, parse, UsageError } from "./_common.ts";
import { pathBytes, shellQuote, toHex } from "./_quote.ts";

/** One line of `ls --json`. */
export interface ListedFile {
  /** The name; one that is not valid UTF-8 has U+FFFD in place of its bad bytes (see `bytes`). */
  name: string;
  path: string;
  key: string;
  attempts: number;
  /** Null when the file cannot be reached by its name (not UTF-8, on Deno). */
  size: number | null;
  /** Modification time, ISO 8601; null as for `size`. */
  mtime: string | null;
  /** Maildir flags of the info part (`2,FS` gives `FS`). */
  flags: string;
  kind: "file" | "directory" | "symlink" | "other" | "unknown";
  /** The name's exact bytes in hex, only for a name that is not valid UTF-8 (on Node and Bun). */
  bytes?: string;
}

/** The help's paragraph on how names are printed; shared by the verbs that print them. */
export const QUOTING_HELP = `Names are printed for people and shells: a plain name as is; one with spaces
or shell characters in single quotes ('a b', 'it'\\''s'); one with control
characters or bytes that are not UTF-8 as $'...' ($'a\\nb', $'caf\\351').
Each path is one line, no escape sequence reaches the terminal, and a printed
path can be pasted into bash, zsh or ksh. For scripts use -0 (the exact bytes
of each path, each followed by a NUL, for xargs -0) or --json.`;

/** The `ls` verb. */
export const ls: Command = {
  name: "ls",
  synopsis: "DIR [AREA]",
  summary: "list an area (new/ by default): one path a line, oldest first",
  help: `Usage: filestore ls DIR [AREA] [--json | -0]

Lists the files of AREA (tmp, new, cur, done, failed; default new), oldest
first: sorted by name with the numbers in names compared by value, which for
filestore's unique names is arrival order. Prints one full path a line.

${QUOTING_HELP}

Options:
  --json       a JSON array of {name, path, key, attempts, size, mtime, flags,
               kind}, one object a line; names are exact (JSON-escaped). A
               name that is not valid UTF-8 has U+FFFD for its bad bytes in
               name and path, and its exact bytes in "bytes" (hex; Node and
               Bun only: Deno cannot tell them, and gives null size and mtime)
  -0, --null   each path's exact bytes followed by a NUL byte, nothing else
               (on Deno a name that is not UTF-8 is left out, with a line
               on stderr: Deno does not give its bytes)

Examples:
  filestore ls /var/spool/jobs
  filestore ls /var/spool/jobs failed --json
  filestore ls -0 /var/spool/jobs failed | xargs -0 -r rm --`,
  async run(args, io) {
    const { values, positionals: [dir, area = "new"] } = parse(this, args, {
      json: { type: "boolean" },
      null: { type: "boolean", short: "0" },
    }, [1, 2]);
    if (values.json && values.null) throw new UsageError("Cannot combine --json and -0 for 'ls': pick one");
    const store = await openStore(dir);
    const entries = await listArea(store, area);
    if (values.null) writeNull(io, entries, store.areaPath(area));
    else if (values.json) await writeJson(io, entries, store);
    else writeQuoted(io, entries, store.areaPath(area));
    return EXIT.OK;
  },
};

function writeQuoted(io: CliIo, entries: AreaEntry[], dir: string): void {
  for (let i = 0; i < entries.length; i += 1024) {
    io.stdout(entries.slice(i, i + 1024).map((e) => `${quotePath(dir, e.name, e.bytes)}\n`).join(""));
  }
}

/** A path for people: the directory and the name quoted as one shell word. */
export function quotePath(dir: string, name: string, bytes?: Uint8Array): string {
  return shellQuote(`${dir}/${name}`, bytes && pathBytes(dir, name, bytes));
}

function writeNull(io: CliIo, entries: AreaEntry[], dir: string): void {
  // A name that lost bytes to U+FFFD, on a runtime that does not tell them, would address another file: left out.
  const exact: AreaEntry[] = [];
  for (const e of entries) {
    if (e.bytes || !isLossy(e.name)) exact.push(e);
    else {
      io.stderr(
        `filestore: Cannot print the exact name of ${
          quotePath(dir, e.name)
        }: it is not valid UTF-8 and this runtime does not give its bytes (use Node or Bun)\n`,
      );
    }
  }
  for (let i = 0; i < exact.length; i += 1024) {
    const chunks = exact.slice(i, i + 1024).map((e) => pathBytes(dir, e.name, e.bytes));
    const size = chunks.reduce((total, chunk) => total + chunk.length + 1, 0);
    const out = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length + 1; // the NUL is the zero already there
    }
    io.stdout(out);
  }
}

async function writeJson(io: CliIo, entries: AreaEntry[], store: FileStore): Promise<void> {
  const listed: string[] = [];
  for (let i = 0; i < entries.length; i += 64) {
    const batch = entries.slice(i, i + 64);
    // A file may be claimed or removed between the listing and the lstat: skip it.
    const infos = await Promise.all(batch.map((entry) => lstatEntry(store, entry)));
    infos.forEach((info, j) => {
      const entry = batch[j];
      // One that cannot be reached by its lossy name is still shown, without what only lstat knows.
      if (!info && !isLossy(entry.name)) return;
      const parts = parseName(entry.name);
      const file: ListedFile = {
        name: entry.name,
        path: entry.path,
        key: parts.key,
        attempts: parts.attempts,
        size: info ? info.size : null,
        mtime: info ? new Date(info.mtimeMs).toISOString() : null,
        flags: flagsOfInfo(parts.info),
        kind: info ? kindOf(info) : entry.kind as ListedFile["kind"],
      };
      if (entry.bytes) file.bytes = toHex(entry.bytes);
      listed.push(JSON.stringify(file));
    });
  }
  io.stdout(listed.length === 0 ? "[]\n" : `[\n${listed.join(",\n")}\n]\n`);
}
