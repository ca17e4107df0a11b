/**
 * `filestore claim DIR [NAME]`: claims one item for the caller.
 *
 * @module
 */
import { type Command, EXIT, openStore, parse } from "./_common.ts";

/** The `claim` verb. */
export const claim: Command = {
  name: "claim",
  synopsis: "DIR [NAME]",
  summary: "claim the oldest item in new/ (or NAME) into cur/; prints its path",
  help: `Usage: filestore claim DIR [NAME]

Claims the oldest item in new/, or the item NAME, by renaming it into cur/
under a name unique to this claim, and prints the claimed path. Exactly one of
any number of racing claimants gets each item. Exits with 1, printing nothing,
when there is nothing to claim (new/ is empty, or another process won NAME).

When done with the file, delete it or move it on (filestore mv DIR NAME cur done);
filestore recover puts claims whose holder died back into new/.

Example:
  while path=$(filestore claim /var/spool/jobs); do
    process "$path" && rm "$path"
  done`,
  async run(args, io) {
    const { positionals: [dir, name] } = parse(this, args, {}, [1, 2]);
    const store = await openStore(dir);
    const claimed = name === undefined ? await store.next() : await store.claim(name);
    if (!claimed) return EXIT.NOTHING;
    io.stdout(`${claimed.path}\n`);
    return EXIT.OK;
  },
};
