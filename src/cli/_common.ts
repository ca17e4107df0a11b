/**
 * What every verb of the `filestore` command shares: the I/O it is given, the
 * exit codes, argument parsing, opening a store, and turning errors into one
 * line on stderr.
 *
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { FileStore } from "../file_store.ts";
import { FileStoreError } from "../errors.ts";

/** The exit codes of the `filestore` command. */
export const EXIT = {
  /** Done. */
  OK: 0,
  /** Nothing to do: `claim` found `new/` empty. */
  NOTHING: 1,
  /** The command line is wrong: unknown verb or option, missing argument, bad name or area. */
  USAGE: 2,
  /** The store or a file failed: not a store, no such file, permission denied, ... */
  ERROR: 3,
} as const;

/** The areas of stores the command line makes and uses, besides tmp, new and cur. */
export const CLI_AREAS: readonly string[] = ["done", "failed"];

/** What a verb may touch of the outside world; the entry file wires it to the process. */
export interface CliIo {
  /** Writes text, or exact bytes (`-0` output of names that are not UTF-8), to standard output. */
  stdout(text: string | Uint8Array): void;
  /** Writes text, or bytes (`watch -0` records), to standard error. */
  stderr(text: string | Uint8Array): void;
  /** Standard input, as bytes. */
  stdin(): AsyncIterable<Uint8Array>;
  /** Whether standard output is a terminal. */
  isTTY: boolean;
  /** The environment, for commands the CLI starts. */
  env: Record<string, string | undefined>;
  /**
   * A signal that aborts on SIGINT or SIGTERM. Only the verbs that call it
   * (`watch`) trap the signals; every other verb dies of them as usual.
   */
  stopSignal(): AbortSignal;
}

/** One verb of the command line: a file in src/cli/ and a line in main.ts. */
export interface Command {
  /** The verb. */
  name: string;
  /** Its arguments, as the help shows them: `DIR [FILE...]`. */
  synopsis: string;
  /** One line for the command list. */
  summary: string;
  /** The full help (options, examples), printed by `filestore VERB --help`. */
  help: string;
  /** Runs the verb with the arguments after it; resolves to the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

/** A wrong command line: exit code 2. */
export class UsageError extends Error {
  /** Creates a usage error with a message naming the problem. */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Thrown by {@linkcode parse} for `--help`: the dispatcher prints the verb's help. */
export class HelpRequested extends Error {
  /** Creates the request. */
  constructor() {
    super("help requested");
    this.name = "HelpRequested";
  }
}

/** A failure that is not the store's (a file to read, a command to start): exit code 3. */
export class CliError extends Error {
  /** Creates an error with a message naming the problem. */
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

type Options = NonNullable<ParseArgsConfig["options"]>;

/** The parsed command line of a verb. */
export interface Parsed {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * Parses a verb's arguments strictly (unknown options are usage errors) and
 * checks the number of positionals. `--help` (`-h`) throws {@linkcode HelpRequested}.
 */
export function parse(command: Command, args: string[], options: Options, counts: [number, number]): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (error) {
    // Node's messages go on with advice after the first sentence: keep the problem.
    const problem = (error as Error).message.split(/\.(?:\s|$)/)[0];
    throw new UsageError(`${problem} for '${command.name}' (see 'filestore ${command.name} --help')`);
  }
  if (parsed.values.help) throw new HelpRequested();
  const [min, max] = counts;
  const positionals = parsed.positionals;
  if (positionals.length < min) {
    throw new UsageError(`Missing arguments for '${command.name}': expected ${command.synopsis}`);
  }
  if (positionals.length > max) {
    throw new UsageError(`Too many arguments for '${command.name}': expected ${command.synopsis}`);
  }
  return { values: parsed.values as Parsed["values"], positionals };
}

/** Parses a positive whole number option. */
export function positiveInteger(option: string, value: string): number {
  if (!/^[1-9]\d*$/.test(value)) {
    throw new UsageError(`Invalid --${option} '${value}': expected a whole number above 0`);
  }
  return Number(value);
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * Parses a duration such as `500ms`, `30s`, `10m`, `36h` or `2d` (a bare
 * number is seconds) into milliseconds.
 */
export function duration(option: string, value: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(value);
  if (!match) {
    throw new UsageError(`Invalid --${option} '${value}': expected a duration such as 30s, 10m, 36h or 2d`);
  }
  return Number(match[1]) * UNITS[match[2] ?? "s"];
}

/** Formats milliseconds the way people read ages: `850ms`, `12s`, `3m 05s`, `4h 02m`, `3d 04h`. */
export function formatAge(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, "0");
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d ${pad(Math.floor(s / 3600) % 24)}h`;
}

/** Formats a byte count: `512 B`, `1.5 KiB`, `20.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** A store the command line uses, with the areas `done` and `failed`. Does no I/O. */
export function cliStore(dir: string, options: { sync?: boolean } = {}): FileStore {
  return new FileStore(dir, { areas: CLI_AREAS, sync: options.sync });
}

/**
 * Opens an existing store: fails with a line that says to run `filestore init`
 * when the directory or one of tmp/, new/, cur/ is missing. The areas done/
 * and failed/ may be missing (a store made by a program); verbs that move
 * files there create them.
 */
export async function openStore(dir: string, options: { sync?: boolean } = {}): Promise<FileStore> {
  const store = cliStore(dir, options);
  try {
    await store.adapter.async.stat(store.path);
  } catch (error) {
    throw new FileStoreError(
      "NOT_PREPARED",
      `Cannot open store '${store.path}': no such directory; run 'filestore init ${dir}' to create a store`,
      { cause: error, path: store.path },
    );
  }
  for (const area of ["tmp", "new", "cur"]) {
    const path = store.areaPath(area);
    let isDirectory = false;
    try {
      isDirectory = (await store.adapter.async.stat(path)).isDirectory;
    } catch {
      // Missing: reported below.
    }
    if (!isDirectory) {
      throw new FileStoreError(
        "NOT_PREPARED",
        `Cannot open store '${store.path}': it is not a store ('${path}' is missing); run 'filestore init ${dir}' first`,
        { path },
      );
    }
  }
  return store;
}

/** The exit code for an error, after writing it as one line on stderr. */
export function reportError(error: unknown, io: CliIo): number {
  const message = error instanceof Error ? error.message : String(error);
  // Names in messages come from the store: no control character reaches the terminal.
  const line = message.replace(/\s*\n\s*/g, " ").replace(
    // deno-lint-ignore no-control-regex
    /[\x00-\x1f\x7f-\x9f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
  io.stderr(`filestore: ${line}\n`);
  if (error instanceof UsageError) return EXIT.USAGE;
  if (error instanceof FileStoreError && (error.code === "INVALID_NAME" || error.code === "INVALID_AREA")) {
    return EXIT.USAGE;
  }
  return EXIT.ERROR;
}
