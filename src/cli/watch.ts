/**
 * `filestore watch DIR --exec CMD ARGS...`: runs a command for each item that
 * arrives, as a worker.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import type { ConsumeItem } from "../consume.ts";
import { FileStoreError } from "../errors.ts";
import { nameBytes, shellQuote } from "./_quote.ts";
import { type CliIo, type Command, duration, EXIT, openStore, parse, positiveInteger, UsageError } from "./_common.ts";

/** The `watch` verb. */
export const watch: Command = {
  name: "watch",
  synopsis: "DIR --exec CMD [ARGS...]",
  summary: "run CMD ARGS... PATH for each item that arrives; exit 0 acknowledges",
  help: `Usage: filestore watch DIR [OPTIONS] --exec CMD [ARGS...]

Works through new/ and then waits for arrivals: claims each item and runs
CMD ARGS... with the claimed file's path appended. When CMD exits with 0 the
item is deleted (or, with --keep, moved to done/); any other exit moves it to
failed/ (or, with --attempts N, hands it back to new/ until its N-th try).
While CMD runs, the claim's lease is renewed. CMD also gets the environment
variables FILESTORE_STORE, FILESTORE_NAME, FILESTORE_KEY and FILESTORE_ATTEMPTS.

SIGINT (Ctrl-C) or SIGTERM stops claiming, lets the commands in flight finish
(they run in their own process group, so Ctrl-C does not reach them) and
exits with 0. Any number of watchers, on any machines sharing the store, may
watch one store: each item goes to one of them.

Options (before --exec; everything after CMD is its own):
  --concurrency N      commands running at once (default 1)
  --keep               move handled items to done/ instead of deleting them
  --attempts N         tries per item before it goes to failed/ (default 1)
  --until-empty        exit once new/ is empty and no command is running
  --poll DURATION      look at new/ this often when no file-system event
                       arrives (default 1s; events do not cross NFS)
  --lease DURATION     renew claims every third of this (default 1m); see
                       filestore recover
  --verbose, -v        one line on stderr per item: 'filestore: ok KEY',
                       'retry KEY (exit 1)' or 'failed KEY (...)', the key
                       quoted as filestore ls quotes names
  -0, --null           instead of those lines, one record on stderr per item:
                       'ok', 'retry' or 'failed', a space, the key's exact
                       bytes, a NUL byte (and no summary line)

Examples:
  filestore watch /var/spool/jobs --concurrency 4 --exec ./process-job.sh
  filestore watch /var/spool/mail --keep --exec sh -c 'lpr "$1"' sh`,
  async run(args, io) {
    const at = args.indexOf("--exec");
    const own = at === -1 ? args : args.slice(0, at);
    const [command, ...commandArgs] = at === -1 ? [] : args.slice(at + 1);
    const { values, positionals: [dir] } = parse(this, own, {
      concurrency: { type: "string" },
      keep: { type: "boolean" },
      attempts: { type: "string" },
      "until-empty": { type: "boolean" },
      poll: { type: "string" },
      lease: { type: "string" },
      verbose: { type: "boolean", short: "v" },
      null: { type: "boolean", short: "0" },
    }, [1, 1]);
    if (command === undefined) {
      throw new UsageError(`Missing --exec CMD for 'watch': expected ${this.synopsis}`);
    }
    const executable = findExecutable(command, io.env.PATH ?? "");
    const option = (name: string, parser: (name: string, value: string) => number) =>
      values[name] === undefined ? undefined : parser(name, values[name] as string);
    const maxAttempts = option("attempts", positiveInteger) ?? 1;
    const records = values.null === true;
    const verbose = values.verbose === true && !records;

    const store = await openStore(dir);
    await store.prepare(); // done/ and failed/, in a store a program made without them
    const log = (text: string) => verbose && io.stderr(`filestore: ${text}\n`);
    const report: Report = (status, item, outcome) => {
      const key = keyBytes(item);
      if (records) io.stderr(concat(encoder.encode(`${status} `), key ?? encoder.encode(item.key), new Uint8Array(1)));
      else log(`${status} ${shellQuote(item.key, key)}${outcome ? ` (${outcome})` : ""}`);
    };
    const summary = await store.consume(
      (item) => runCommand(executable, commandArgs, item, store.path, io, report, maxAttempts),
      {
        concurrency: option("concurrency", positiveInteger),
        doneArea: values.keep ? "done" : undefined,
        failedArea: "failed",
        maxAttempts,
        pollInterval: option("poll", duration),
        lease: option("lease", duration),
        untilEmpty: values["until-empty"] === true,
        signal: io.stopSignal(),
      },
    );
    log(`handled ${summary.handled}, failed ${summary.failed}, retried ${summary.retried}, lost ${summary.lost}`);
    return EXIT.OK;
  },
};

const encoder = new TextEncoder();

type Report = (status: "ok" | "retry" | "failed", item: ConsumeItem, outcome?: string) => void;

// The key's exact bytes when the name's are known (a name that is not UTF-8): the key is the name up to
// filestore's fields and the info part, which are text.
function keyBytes(item: ConsumeItem): Uint8Array | undefined {
  const bytes = nameBytes(item);
  const tail = item.name.slice(item.key.length);
  if (!bytes || !item.name.startsWith(item.key) || tail.includes("\uFFFD")) return undefined;
  return bytes.subarray(0, bytes.length - new TextEncoder().encode(tail).length);
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    all.set(part, offset);
    offset += part.length;
  }
  return all;
}

// Runs CMD ARGS... PATH for one item; rejects unless it exits with 0.
async function runCommand(
  executable: string,
  args: string[],
  item: ConsumeItem,
  store: string,
  io: CliIo,
  report: Report,
  maxAttempts: number,
): Promise<void> {
  const child = spawn(executable, [...args, item.path], {
    stdio: ["ignore", "inherit", "inherit"],
    // Its own process group: Ctrl-C on the watcher lets the command finish.
    detached: true,
    env: {
      ...io.env,
      FILESTORE_STORE: store,
      FILESTORE_NAME: item.name,
      FILESTORE_KEY: item.key,
      FILESTORE_ATTEMPTS: String(item.attempts),
    },
  });
  // A lost claim (recovered by someone else) stops the command; a stop request does not.
  const onAbort = () => {
    const reason = item.signal.reason;
    if (reason instanceof FileStoreError && reason.code === "LOST_CLAIM") child.kill("SIGTERM");
  };
  item.signal.addEventListener("abort", onAbort);
  const outcome = await new Promise<string | null>((done) => {
    child.on("error", (error) => done(`cannot run '${executable}': ${error.message}`));
    child.on("close", (code, signal) => done(code === 0 ? null : signal ? `killed by ${signal}` : `exit ${code}`));
  });
  item.signal.removeEventListener("abort", onAbort);
  if (outcome === null) {
    report("ok", item);
    return;
  }
  report(item.attempts + 1 >= maxAttempts ? "failed" : "retry", item, outcome);
  throw new Error(outcome);
}

// The command as it will be run; a usage error when it cannot be, so that a
// typo does not send every item to failed/.
function findExecutable(command: string, path: string): string {
  const candidates = command.includes("/")
    ? [resolve(command)]
    : path.split(delimiter).filter((dir) => dir !== "").map((dir) => join(dir, command));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // Not here, or not executable.
    }
  }
  throw new UsageError(
    command.includes("/")
      ? `Cannot run '${command}': it is not an executable file`
      : `Cannot run '${command}': no executable of that name on PATH`,
  );
}
