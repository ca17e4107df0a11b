// Shared by the tests on distributed file systems (GlusterFS, MooseFS, the
// GlusterFS hosts on a network): setting an environment up with its script,
// worker processes that print JSON lines, and the checks on what they did.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import type { FileStore } from "../mod.ts";
import { fixtureCommand, root, type Runtime } from "./_helpers.ts";
import { itemIdOf } from "./fixtures/_items.ts";

/** The exit code of an environment script that cannot run here. */
export const SKIPPED = 77;
// Generous bounds: a worker that takes longer is stuck, and the test fails.
const WORKER_TIMEOUT_MS = 240_000;

/** What an environment script's setup printed, as `key=value` lines. */
export type Environment = { dir: string; values: Record<string, string> };

/**
 * Runs `scripts/<script> setup dir ...args`. Returns the environment, or the
 * reason it cannot run here (exit code 77); throws on a failed setup.
 */
export function setUpEnvironment(script: string, dir: string, args: string[] = []): Environment | string {
  const setup = spawnSync("bash", [join(root, "scripts", script), "setup", dir, ...args], {
    encoding: "utf8",
    timeout: 900_000,
  });
  if (setup.status === SKIPPED) return setup.stderr.trim().replace(/^[a-z_]+: (skip: )?/gm, "");
  if (setup.status !== 0) {
    throw new Error(`scripts/${script} setup failed (${setup.status ?? setup.signal}): ${setup.stderr.trim()}`);
  }
  const values: Record<string, string> = {};
  for (const [, key, value] of setup.stdout.matchAll(/^(\w+)=(.*)$/gm)) values[key] = value;
  return { dir, values };
}

/** Runs `scripts/<script> teardown dir`; throws when it could not clean up. */
export function tearDownEnvironment(script: string, dir: string): void {
  const teardown = spawnSync("bash", [join(root, "scripts", script), "teardown", dir], {
    encoding: "utf8",
    timeout: 900_000,
  });
  if (teardown.status !== 0) {
    throw new Error(`scripts/${script} teardown failed (${teardown.status}): ${teardown.stderr.trim()}`);
  }
}

/** A worker's report: its last JSON line. The roles fill in different fields. */
export interface WorkerResult {
  role: string;
  host: string;
  pid: number;
  [field: string]: unknown;
}

/** A fixture process: its pid, its one-line JSON report when it exits, and its lines so far. */
export interface Worker {
  runtime: Runtime;
  pid: number;
  result: Promise<WorkerResult>;
  /** Resolves with the first JSON line printed that has `key`; rejects if the process ends first. */
  line(key: string): Promise<WorkerResult & Record<string, unknown>>;
  /** The last JSON line printed so far that has `key`. */
  latest(key: string): Record<string, unknown> | undefined;
  /** Every JSON line printed so far that has `key`. */
  every(key: string): Record<string, unknown>[];
  kill(signal: NodeJS.Signals): void;
}

/** Starts `tests/fixtures/<fixture>.ts` on `runtime` with one JSON argument. */
export function startWorker(fixture: string, runtime: Runtime, options: Record<string, unknown>): Worker {
  const [command, ...args] = fixtureCommand(runtime, fixture, [JSON.stringify(options)]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  const lines: Record<string, unknown>[] = [];
  let partial = "";
  let stderr = "";
  let ended = false;
  const listeners = new Set<() => void>();
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop()!;
    for (const text of parts) if (text.startsWith("{")) lines.push(JSON.parse(text));
    listeners.forEach((listener) => listener());
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const what = `${runtime} ${options.role} worker on ${options.host}`;
  const result = new Promise<WorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), WORKER_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      ended = true;
      listeners.forEach((listener) => listener());
      const last = lines.at(-1);
      if (code !== 0 || !last) {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new Error(`${what} ${why}: ${stderr.trim().slice(-2000)}`));
      } else {
        resolve(last as WorkerResult);
      }
    });
  });
  const line = (key: string) =>
    new Promise<WorkerResult & Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        const found = lines.find((parsed) => key in parsed);
        if (found) {
          listeners.delete(check);
          return resolve(found as WorkerResult);
        }
        if (ended) {
          listeners.delete(check);
          reject(new Error(`${what} ended without printing '${key}': ${stderr.trim().slice(-2000)}`));
        }
      };
      listeners.add(check);
      check();
    });
  const latest = (key: string) => [...lines].reverse().find((parsed) => key in parsed);
  const every = (key: string) => lines.filter((parsed) => key in parsed);
  // The report of a worker that is killed on purpose is not awaited: keep its rejection quiet.
  result.catch(() => {});
  return { runtime, pid: child.pid!, result, line, latest, every, kill: (signal) => child.kill(signal) };
}

export function counts<T>(values: Iterable<T>): Map<T, number> {
  const map = new Map<T, number>();
  for (const value of values) map.set(value, (map.get(value) ?? 0) + 1);
  return map;
}

/** Asserts that `seen` holds each of `expected` exactly once, and nothing else. */
export function assertEachOnce(seen: (string | null)[], expected: string[], what: string): void {
  const repeated = [...counts(seen)].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  assert.deepEqual(repeated, [], `${what}: items handled more than once`);
  const missing = expected.filter((id) => !seen.includes(id));
  assert.deepEqual(missing, [], `${what}: items never handled`);
  assert.equal(seen.length, expected.length, `${what}: unexpected items`);
}

/** Polls `condition` until it holds, for at most `timeoutMs` (a generous bound). */
export async function waitUntil(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The ids of the items in an area, read through a store (one mount). */
export async function idsIn(store: FileStore, area: string): Promise<(string | null)[]> {
  const ids: (string | null)[] = [];
  for (const path of await store.list(area)) {
    ids.push(itemIdOf(new TextDecoder().decode(await store.read(path, area))));
  }
  return ids;
}
