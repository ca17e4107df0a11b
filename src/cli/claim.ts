/**
 * `filestore claim DIR [NAME]`: claims one item for the caller.
 *
 * @module
 */
import { pathBytesOf, resultPath } from "./_quote.ts";
import { type Command, EXIT, openStore, parse } from "./_common.ts";

/** The `claim` verb. */
export const claim: Command = {
  name: "claim",
  synopsis: "DIR [NAME]",
  summary: "claim the oldest item in new/ (or NAME) into cur/; prints its path",
  help: `Usage: filestore claim DIR [NAME] [-0]

Claims the oldest item in new/, or the item NAME, by renaming it into cur/
under a name unique to this claim, and prints the claimed path. Exactly one of
any number of racing claimants gets each item. Exits with 1, printing nothing,
when there is nothing to claim (new/ is empty, or another process won NAME).

The path is printed as is, for path=$(filestore claim DIR), unless it holds
control characters or bytes that are not UTF-8: then in $'...' form (see
filestore ls --help), which a script then fails to find instead of acting on
another file. With -0 (--null) the path's exact bytes are printed, followed
by a NUL byte instead of a newline.

When done with the file, delete it or move it on (filestore mv DIR NAME cur done);
filestore recover puts claims whose holder died back into new/.

Example:
  while path=$(filestore claim /var/spool/jobs); do
    process "$path" && rm "$path"
  done`,
  async run(args, io) {
    const { values, positionals: [dir, name] } = parse(this, args, {
      null: { type: "boolean", short: "0" },
    }, [1, 2]);
    const store = await openStore(dir);
    const claimed = name === undefined ? await store.next() : await store.claim(name);
    if (!claimed) return EXIT.NOTHING;
    const bytes = pathBytesOf(claimed);
    if (values.null) {
      const path = bytes ?? new TextEncoder().encode(claimed.path);
      const out = new Uint8Array(path.length + 1);
      out.set(path);
      io.stdout(out);
    } else io.stdout(`${resultPath(claimed.path, bytes)}\n`);
    return EXIT.OK;
  },
};
