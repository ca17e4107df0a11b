/**
 * The `filestore` command: dispatches to one verb per file in src/cli/.
 * Adding a verb is one file exporting a {@linkcode Command} and one line in
 * {@linkcode COMMANDS}.
 *
 * @module
 */
import { type CliIo, type Command, EXIT, HelpRequested, reportError, UsageError } from "./_common.ts";
import { claim } from "./claim.ts";
import { clean } from "./clean.ts";
import { init } from "./init.ts";
import { ls } from "./ls.ts";
import { mv } from "./mv.ts";
import { put } from "./put.ts";
import { recover } from "./recover.ts";
import { serve } from "./serve.ts";
import { stats } from "./stats.ts";
import { watch } from "./watch.ts";

export type { CliIo, Command } from "./_common.ts";
export { EXIT } from "./_common.ts";

/** The verbs, in the order the help lists them. */
export const COMMANDS: readonly Command[] = [
  init,
  put,
  ls,
  mv,
  claim,
  watch,
  clean,
  recover,
  stats,
  serve,
];

/** The top-level help. */
export function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => `${c.name} ${c.synopsis}`.length));
  const list = COMMANDS.map((c) => `  ${`${c.name} ${c.synopsis}`.padEnd(width)}  ${c.summary}`).join("\n");
  return `filestore: hand files between processes through a Maildir-style store

Usage: filestore COMMAND [ARGS...] [OPTIONS]

Commands:
${list}

Run 'filestore COMMAND --help' for a command's options and examples.

Exit codes:
  0  done
  1  nothing to do (claim found nothing to claim)
  2  usage error: unknown command or option, missing argument, bad name or area
  3  store or file error: not a store, no such file, permission denied, ...
Errors are one line on stderr: 'filestore: Cannot ...'.`;
}

/**
 * Runs the command line `args` (without the program name) and resolves to
 * the exit code. Never throws: errors become one line on stderr.
 *
 * @example
 * ```ts
 * import { main } from "./main.ts";
 *
 * const io = {
 *   stdout: (text: string) => console.log(text.trimEnd()),
 *   stderr: (text: string) => console.error(text.trimEnd()),
 *   stdin: async function* () {},
 *   isTTY: false,
 *   env: {},
 *   stopSignal: () => new AbortController().signal,
 * };
 * const code = await main(["init", "./spool"], io); // 0
 * ```
 */
export async function main(args: string[], io: CliIo): Promise<number> {
  const [verb, ...rest] = args;
  if (verb === undefined) {
    io.stderr(`${topHelp()}\n`);
    return EXIT.USAGE;
  }
  if (verb === "--help" || verb === "-h" || (verb === "help" && rest.length === 0)) {
    io.stdout(`${topHelp()}\n`);
    return EXIT.OK;
  }
  const name = verb === "help" ? rest[0] : verb;
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) {
      throw new UsageError(`Unknown command '${name}' (see 'filestore --help')`);
    }
    if (verb === "help") throw new HelpRequested();
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof HelpRequested && command) {
      io.stdout(`${command.help}\n`);
      return EXIT.OK;
    }
    return reportError(error, io);
  }
}
