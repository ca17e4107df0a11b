/**
 * `filestore mv DIR NAME FROM TO`: moves a file between areas.
 *
 * @module
 */
import { resultPath } from "./_quote.ts";
import { type Command, EXIT, openStore, parse } from "./_common.ts";

/** The `mv` verb. */
export const mv: Command = {
  name: "mv",
  synopsis: "DIR NAME FROM TO",
  summary: "move a file between areas (atomic rename; never replaces a file)",
  help: `Usage: filestore mv DIR NAME FROM TO

Moves NAME (a name or a full path in FROM) from area FROM to area TO with one
atomic rename. Fails, replacing nothing, when TO already has a file of that
name. Prints the new path (in $'...' form if it holds control characters).
Moving failed items back to new/ retries them.

Example:
  filestore mv /var/spool/jobs 1764270000.M1P2Q3R4.host failed new`,
  async run(args, io) {
    const { positionals: [dir, name, from, to] } = parse(this, args, {}, [4, 4]);
    const store = await openStore(dir);
    await store.move(name, from, to);
    const base = name.slice(name.lastIndexOf("/") + 1);
    io.stdout(`${resultPath(`${store.areaPath(to)}/${base}`)}\n`);
    return EXIT.OK;
  },
};
