// Shared by the worker tests: running fixture processes and waiting for conditions.
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fixtureCommand, root, type Runtime } from "./_helpers.ts";

/** A running fixture process and what it printed once it exits. */
export interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>;
}

/** Starts `tests/fixtures/<name>.ts` on a runtime. */
export function startFixture(runtime: Runtime, name: string, args: string[]): Running {
  const [command, ...rest] = fixtureCommand(runtime, name, args);
  const child = spawn(command, rest, {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk) => (stdout += chunk));
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: string | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      child.on("error", reject);
      child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
    },
  );
  return { child, exited };
}

/** Resolves with `promise`, or rejects after `ms` naming `what` (a generous bound, not a synchronisation). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`Timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `condition` until it holds, failing after `ms` with a message naming `what`. */
export async function waitUntil(what: string, condition: () => boolean, ms = 60_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
