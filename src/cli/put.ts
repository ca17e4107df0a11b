/**
 * `filestore put DIR [FILE...]`: delivers files (or standard input) into new/.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { wrapOsError } from "../errors.ts";
import { type Command, EXIT, openStore, parse, UsageError } from "./_common.ts";
import { resultPath } from "./_quote.ts";

/** The `put` verb. */
export const put: Command = {
  name: "put",
  synopsis: "DIR [FILE...]",
  summary: "deliver files, or standard input, into new/; prints each new name",
  help: `Usage: filestore put DIR [FILE...] [--name NAME] [--no-sync]

Delivers each FILE (standard input when there is none, or for '-') as one item:
written in tmp/ under a unique name, fsynced, renamed into new/, new/ fsynced.
Consumers never see half a file. Prints the name of each new item, one a line
(in $'...' form if it holds control characters).

Options:
  --name NAME   the name in new/ instead of a unique one (one input only);
                a taken name fails, nothing is replaced
  --no-sync     skip the fsyncs: faster, but a crash may lose recent items

Examples:
  filestore put /var/spool/jobs job1.json job2.json
  echo '{"job": 1}' | filestore put /var/spool/jobs`,
  async run(args, io) {
    const { values, positionals: [dir, ...files] } = parse(this, args, {
      name: { type: "string" },
      "no-sync": { type: "boolean" },
    }, [1, Infinity]);
    const inputs = files.length === 0 ? ["-"] : files;
    const name = values.name as string | undefined;
    if (name !== undefined && inputs.length > 1) {
      throw new UsageError(`Cannot put ${inputs.length} files under the one name '${name}': give one file with --name`);
    }
    const store = await openStore(dir, { sync: !values["no-sync"] });
    for (const input of inputs) {
      const data = input === "-" ? io.stdin() : readFile(input);
      const stored = await store.put(data, { name });
      io.stdout(`${resultPath(stored.name)}\n`);
    }
    return EXIT.OK;
  },
};

// Streams a file; a read error names the file, not the store's tmp file.
async function* readFile(path: string): AsyncIterable<Uint8Array> {
  try {
    for await (const chunk of createReadStream(path)) yield chunk as Uint8Array;
  } catch (error) {
    throw wrapOsError(error, "read", path);
  }
}
