/**
 * `filestore clean DIR`: deletes files abandoned in tmp/.
 *
 * @module
 */
import { pathBytesOf, shellQuote } from "./_quote.ts";
import { type Command, duration, EXIT, openStore, parse } from "./_common.ts";

/** The `clean` verb. */
export const clean: Command = {
  name: "clean",
  synopsis: "DIR",
  summary: "delete files left in tmp/ by writers that died (older than 36h)",
  help: `Usage: filestore clean DIR [--older-than DURATION]

Deletes the files in tmp/ that have not changed for DURATION: what writers
that crashed mid-write left behind. Prints the path of each deleted file,
quoted as filestore ls quotes names.
Run it from cron, say hourly.

Options:
  --older-than DURATION   e.g. 30s, 10m, 36h, 2d (default 36h, as qmail and Courier)

Example:
  filestore clean /var/spool/jobs --older-than 1h`,
  async run(args, io) {
    const { values, positionals: [dir] } = parse(this, args, { "older-than": { type: "string" } }, [1, 1]);
    const olderThan = values["older-than"];
    const store = await openStore(dir);
    const removed = await store.clean({
      tmpOlderThan: olderThan === undefined ? undefined : duration("older-than", olderThan as string),
    });
    io.stdout(removed.map((file) => `${shellQuote(file.path, pathBytesOf(file))}\n`).join(""));
    return EXIT.OK;
  },
};
