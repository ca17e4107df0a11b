/**
 * `filestore recover DIR`: hands claims of crashed holders back to new/.
 *
 * @module
 */
import { pathBytesOf, shellQuote } from "./_quote.ts";
import { type Command, duration, EXIT, openStore, parse } from "./_common.ts";

/** The `recover` verb. */
export const recover: Command = {
  name: "recover",
  synopsis: "DIR",
  summary: "put claims whose holder died (lease older than 5m) back into new/",
  help: `Usage: filestore recover DIR [--older-than DURATION]

Moves the claims in cur/ whose lease (the claim, or its holder's last touch)
is older than DURATION back into new/, with their attempt count raised, for
another consumer to take. A holder that is still alive finds its claim lost
and leaves it alone. Prints the new path of each recovered item, quoted as
filestore ls quotes names.

Options:
  --older-than DURATION   e.g. 30s, 10m, 1h (default 5m); 'filestore watch'
                          touches its claims every third of --lease (1m)

Example:
  filestore recover /var/spool/jobs --older-than 10m`,
  async run(args, io) {
    const { values, positionals: [dir] } = parse(this, args, { "older-than": { type: "string" } }, [1, 1]);
    const olderThan = values["older-than"];
    const store = await openStore(dir);
    const recovered = await store.recover({
      olderThan: olderThan === undefined ? undefined : duration("older-than", olderThan as string),
    });
    io.stdout(recovered.map((file) => `${shellQuote(file.path, pathBytesOf(file))}\n`).join(""));
    return EXIT.OK;
  },
};
