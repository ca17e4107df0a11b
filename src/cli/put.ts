/**
 * `filestore put DIR [FILE...]`: delivers files (or standard input) into new/.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { wrapOsError } from "../errors.ts";
import { type Command, duration, EXIT, openStore, parse, UsageError } from "./_common.ts";
import { resultPath } from "./_quote.ts";

/** The `put` verb. */
export const put: Command = {
  name: "put",
  synopsis: "DIR [FILE...]",
  summary: "deliver files, or standard input, into new/; prints each new name",
  help: `Usage: filestore put DIR [FILE...] [--name NAME] [--delay DURATION | --at TIME] [--priority N] [--no-sync]

Delivers each FILE (standard input when there is none, or for '-') as one item:
written in tmp/ under a unique name, fsynced, renamed into new/, new/ fsynced.
Consumers never see half a file. Prints the name of each new item, one a line
(in $'...' form if it holds control characters).

Options:
  --name NAME   the name in new/ instead of a unique one (one input only);
                a taken name fails, nothing is replaced
  --delay DURATION
                ready after this long (500ms, 10s, 10m, 2h, 1d): the item
                waits in delayed/ until then; consumers move it to new/
  --at TIME     ready at this time (ISO 8601, such as 2026-01-31T08:00:00Z)
  --priority N  an integer; higher is claimed first (default 0)
  --no-sync     skip the fsyncs: faster, but a crash may lose recent items

Examples:
  filestore put /var/spool/jobs job1.json job2.json
  echo '{"job": 1}' | filestore put /var/spool/jobs
  filestore put /var/spool/jobs --delay 10m --priority 5 reminder.json`,
  async run(args, io) {
    const { values, positionals: [dir, ...files] } = parse(this, args, {
      name: { type: "string" },
      delay: { type: "string" },
      at: { type: "string" },
      priority: { type: "string" },
      "no-sync": { type: "boolean" },
    }, [1, Infinity]);
    const timing = putTiming(values);
    const inputs = files.length === 0 ? ["-"] : files;
    const name = values.name as string | undefined;
    if (name !== undefined && inputs.length > 1) {
      throw new UsageError(`Cannot put ${inputs.length} files under the one name '${name}': give one file with --name`);
    }
    const store = await openStore(dir, { sync: !values["no-sync"] });
    for (const input of inputs) {
      const data = input === "-" ? io.stdin() : readFile(input);
      const stored = await store.put(data, { name, ...timing });
      io.stdout(`${resultPath(stored.name)}\n`);
    }
    return EXIT.OK;
  },
};

// --delay, --at and --priority as put() options.
function putTiming(values: Record<string, string | boolean | undefined>): {
  delay?: number;
  at?: number;
  priority?: number;
} {
  const options: { delay?: number; at?: number; priority?: number } = {};
  if (values.delay !== undefined && values.at !== undefined) {
    throw new UsageError("Cannot put with both --delay and --at: give one of them");
  }
  if (values.delay !== undefined) options.delay = duration("delay", values.delay as string);
  if (values.at !== undefined) {
    const at = Date.parse(values.at as string);
    if (Number.isNaN(at)) {
      throw new UsageError(`Invalid --at '${values.at}': expected a time such as 2026-01-31T08:00:00Z`);
    }
    options.at = at;
  }
  if (values.priority !== undefined) {
    if (!/^-?\d+$/.test(values.priority as string)) {
      throw new UsageError(`Invalid --priority '${values.priority}': expected an integer`);
    }
    options.priority = Number(values.priority);
  }
  return options;
}

// Streams a file; a read error names the file, not the store's tmp file.
async function* readFile(path: string): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of createReadStream(path)) yield chunk as Uint8Array;
  } catch (error) {
    throw wrapOsError(error, "read", path);
  }
}
