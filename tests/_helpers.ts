// Shared by the tests: temp stores, locating the runtimes and the fixtures.
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { spawn } from "node:child_process";
import { FileStore, type FileStoreOptions, type FsAdapter } from "../mod.ts";

/** Makes a temp directory, runs `body`, and removes the directory afterwards, also on failure. */
export async function withTempDir<T>(body: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "filestore-test-"));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The default adapter of a store at `path`, with the directory watchers it opens and closes counted. */
export function countingWatches(path: string): { adapter: FsAdapter; opened: () => number; closed: () => number } {
  const base = new FileStore(path).adapter;
  let opened = 0;
  let closed = 0;
  const adapter: FsAdapter = {
    ...base,
    watchDir(watched, onChange) {
      opened++;
      const close = base.watchDir(watched, onChange);
      return () => {
        closed++;
        close();
      };
    },
  };
  return { adapter, opened: () => opened, closed: () => closed };
}

/** A prepared store in a fresh temp directory, removed afterwards. */
export function withStore<T>(
  body: (store: FileStore, dir: string) => Promise<T> | T,
  options: FileStoreOptions = {},
): Promise<T> {
  return withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"), options);
    await store.prepare();
    return await body(store, join(dir, "store"));
  });
}

const here = dirname(fileURLToPath(import.meta.url));
/** True when this file runs as compiled JavaScript (the Node run of the npm build). */
export const compiled = import.meta.url.endsWith(".js");
/** The repository root. Compiled tests live in npm/esm/tests/. */
export const root = compiled ? join(here, "..", "..", "..") : join(here, "..");

/** The runtime running this test file. */
export const currentRuntime: Runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

export type Runtime = "deno" | "bun" | "node";
export const RUNTIMES: readonly Runtime[] = ["deno", "bun", "node"];

/** The command line that runs a fixture script (`tests/fixtures/<name>.ts`) on a runtime. */
export function fixtureCommand(runtime: Runtime, name: string, args: string[] = []): string[] {
  const bin = join(root, "node_modules", ".bin");
  switch (runtime) {
    case "deno":
      return [join(bin, "deno"), "run", "-A", "--quiet", join(root, "tests", "fixtures", `${name}.ts`), ...args];
    case "bun":
      return [join(bin, "bun"), join(root, "tests", "fixtures", `${name}.ts`), ...args];
    case "node":
      // Node runs the compiled fixtures of the npm build.
      return [
        process.execPath === "" ? "node" : nodeBinary(),
        join(root, "npm", "esm", "tests", "fixtures", `${name}.js`),
        ...args,
      ];
  }
}

/** The command line of the `filestore` CLI on a runtime (Node runs the npm build). */
export function filestoreCommand(runtime: Runtime): string[] {
  const bin = join(root, "node_modules", ".bin");
  switch (runtime) {
    case "deno":
      return [join(bin, "deno"), "run", "-A", "--quiet", join(root, "src", "cli", "filestore.ts")];
    case "bun":
      return [join(bin, "bun"), join(root, "src", "cli", "filestore.ts")];
    case "node":
      return [nodeBinary(), join(root, "npm", "esm", "src", "cli", "filestore.js")];
  }
}

function nodeBinary(): string {
  // Under Node, the Node that runs the tests; elsewhere, the node on PATH.
  return currentRuntime === "node" ? process.execPath : "node";
}

/**
 * For `test(name, { skip: onceAcrossRuntimes }, fn)`: heavy multi-process tests
 * that start processes on all three runtimes themselves run once, from one
 * Node run of the suite (the suite sets FILESTORE_HEAVY=0 for the others),
 * instead of once per runtime.
 */
export const onceAcrossRuntimes: string | false = currentRuntime !== "node"
  ? "runs once, from the Node run of the suite, and drives all three runtimes itself"
  : process.env.FILESTORE_HEAVY === "0"
  ? "runs once, in the Node 24 run of the suite"
  : false;

/**
 * Every entry under `dir`, by relative path: a file's content, a symlink's
 * `-> target`, a directory's `/` (under `path/`). For "nothing lost or created".
 */
export function snapshot(dir: string): Record<string, string> {
  const result: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isSymbolicLink()) result[path] = `-> ${readlinkSync(join(dir, path))}`;
      else if (entry.isDirectory()) {
        result[`${path}/`] = "/";
        walk(path);
      } else result[path] = readFileSync(join(dir, path), "utf8");
    }
  };
  walk("");
  return Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** How a process ended, with everything it printed. */
export interface ProcessResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** A started process and the promise of its end. */
export interface Started {
  pid: number | undefined;
  done: Promise<ProcessResult>;
}

/**
 * Starts a command; `done` resolves when it exits, or rejects after
 * `timeoutMs` (a generous bound, not a synchronisation) once it is killed.
 */
export function start(command: string[], options: { timeoutMs?: number; env?: Record<string, string> } = {}): Started {
  const child = spawn(command[0], command.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...options.env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const done = new Promise<ProcessResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${command.join(" ")} did not end within ${options.timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { pid: child.pid, done };
}

/** Runs a fixture to its end and returns its output; throws if it exits non-zero. */
export async function runFixture(
  runtime: Runtime,
  name: string,
  args: string[] = [],
  options: { timeoutMs?: number } = {},
): Promise<string> {
  const result = await start(fixtureCommand(runtime, name, args), options).done;
  if (result.code !== 0) {
    throw new Error(`fixture ${name} on ${runtime} exited with ${result.code ?? result.signal}:\n${result.stderr}`);
  }
  return result.stdout;
}

/** Polls `condition` until it holds; throws after `timeoutMs` (a generous bound). */
export async function waitFor(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
