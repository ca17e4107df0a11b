/**
 * `filestore pause DIR` and `filestore resume DIR`: stop and restart every
 * worker of a store, in every process, without stopping the processes.
 *
 * @module
 */
import { type Command, EXIT, openStore, parse } from "./_common.ts";

/** The `pause` verb. */
export const pause: Command = {
  name: "pause",
  synopsis: "DIR",
  summary: "stop every worker of the store from claiming, until 'resume'",
  help: `Usage: filestore pause DIR

Pauses the store: every 'filestore watch' and every consume() loop on it, in
every process on every machine sharing it, stops claiming within about one
poll interval, finishes the items it holds, and waits. Producers go on
delivering. The pause is a hidden marker file, DIR/.paused; pausing a paused
store changes nothing. 'filestore resume DIR' ends it.

Examples:
  filestore pause /var/spool/jobs`,
  async run(args) {
    const { positionals: [dir] } = parse(this, args, {}, [1, 1]);
    const store = await openStore(dir);
    await store.pause();
    return EXIT.OK;
  },
};

/** The `resume` verb. */
export const resume: Command = {
  name: "resume",
  synopsis: "DIR",
  summary: "let the workers of a paused store claim again",
  help: `Usage: filestore resume DIR

Ends a pause (see 'filestore pause'): removes DIR/.paused, and the workers go
on by themselves within about one poll interval. Resuming a store that is not
paused changes nothing.

Examples:
  filestore resume /var/spool/jobs`,
  async run(args) {
    const { positionals: [dir] } = parse(this, args, {}, [1, 1]);
    const store = await openStore(dir);
    await store.resume();
    return EXIT.OK;
  },
};
