/**
 * `filestore init DIR`: creates a store.
 *
 * @module
 */
import { CLI_AREAS, cliStore, type Command, EXIT, parse } from "./_common.ts";

/** The `init` verb. */
export const init: Command = {
  name: "init",
  synopsis: "DIR",
  summary: `create a store: DIR with tmp/, new/, cur/, ${CLI_AREAS.map((a) => `${a}/`).join(", ")}`,
  help: `Usage: filestore init DIR

Creates DIR (with its parents) and the areas tmp/, new/, cur/, done/ and
failed/. Running it again on a store does nothing. Prints the store's path.

Example:
  filestore init /var/spool/jobs`,
  async run(args, io) {
    const { positionals: [dir] } = parse(this, args, {}, [1, 1]);
    const store = cliStore(dir);
    await store.prepare();
    io.stdout(`${store.path}\n`);
    return EXIT.OK;
  },
};
