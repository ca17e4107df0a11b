/**
 * Big backlogs: one consumer drains a backlog of 1k, 10k, 100k (and with
 * `--million`, 1M) waiting items of 1 KiB; per-item cost and the consumer's
 * peak RSS (VmHWM). On a tmpfs of its own where a million files fit (mounted
 * as root, unmounted after), else /dev/shm. The backlog is filled by the C
 * floor (or *Sync puts without gcc) and only the drain is timed.
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { median, type Result, runJson, type Runtime, Scratch, workerCommand } from "./_common.ts";
import { type PartOptions, table } from "./cycle.ts";
import { limitTarget, target, targetLines } from "./_targets.ts";

const NAMES: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };
const API_NAMES: Record<string, string> = { sync: "nextSync()", async: "next()", consume: "consume()" };

/** A tmpfs for the backlog part: its own mount where root may mount one, else /dev/shm, else the temp dir. */
function memoryScratch(log: (line: string) => void): { scratch: Scratch; where: string; dispose(): void } {
  const point = mkdtempSync(join(tmpdir(), "filestore-backlog-"));
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=4g,nr_inodes=2m", "tmpfs", point], { stdio: "ignore" });
  if (mount.status === 0) {
    return {
      scratch: new Scratch(point),
      where: "a tmpfs of its own (size=4g, nr_inodes=2m)",
      dispose: () => {
        spawnSync("umount", [point], { stdio: "ignore" });
        rmSync(point, { recursive: true, force: true });
      },
    };
  }
  rmSync(point, { recursive: true, force: true });
  const shm = spawnSync("test", ["-w", "/dev/shm"]).status === 0;
  log(`backlog: cannot mount a tmpfs (not root?); using ${shm ? "/dev/shm" : tmpdir()}`);
  const scratch = new Scratch(shm ? "/dev/shm" : tmpdir());
  return { scratch, where: shm ? "/dev/shm (no tmpfs of its own: not root)" : tmpdir(), dispose: () => {} };
}

interface Program {
  label: string;
  drain: (dir: string, n: number) => string[];
}

/** The per-item cost and peak RSS of draining backlogs of growing size. */
export async function backlogPart(options: PartOptions & { million?: boolean }): Promise<string> {
  const { tools } = options;
  const sizes = [Math.round(options.items / 10), options.items, options.items * 10];
  if (options.million) sizes.push(options.items * 100);
  const programs: Program[] = [];
  if (tools.floor) programs.push({ label: "C floor", drain: (dir) => [tools.floor!, "drain", dir, "1024", "0", "0"] });
  for (const runtime of tools.runtimes) {
    // nextSync() and consume() (which claims with next()): the loop people write and the one they run.
    for (const api of ["sync", "consume"]) {
      programs.push({
        label: `${NAMES[runtime]} ${API_NAMES[api]}`,
        drain: (dir, n) => workerCommand(runtime, ["drain", dir, "1024", String(n), "0", api]),
      });
    }
    // Bun streams listings through bun:ffi only when asked (see src/adapters/_dirents_bun.ts).
    if (runtime === "bun") {
      for (const api of ["sync", "consume"]) {
        programs.push({
          label: `${NAMES[runtime]} ${API_NAMES[api]}, FILESTORE_FFI=1`,
          drain: (
            dir,
            n,
          ) => ["env", "FILESTORE_FFI=1", ...workerCommand(runtime, ["drain", dir, "1024", String(n), "0", api])],
        });
      }
    }
  }
  const fill = (dir: string, n: number) =>
    tools.floor
      ? [tools.floor, "fill", dir, "1024", String(n), "0"]
      : workerCommand(tools.runtimes[0], ["put", dir, "1024", String(n), "0", "sync"]);
  const memory = memoryScratch(options.log);
  const results = new Map<string, Result[]>();
  try {
    for (let round = 0; round < options.rounds; round++) {
      for (const n of sizes) {
        options.log(`backlog: round ${round + 1} of ${options.rounds}, ${n.toLocaleString("en-US")} items`);
        // Rotated so that no program always runs first.
        for (let i = 0; i < programs.length; i++) {
          const p = programs[(i + round) % programs.length];
          const dir = join(memory.scratch.base, `${n}-${round}-${i}`);
          mkdirSync(dir);
          try {
            await runJson(fill(dir, n));
            const result = await runJson(p.drain(dir, n));
            if (Number(result.items) !== n) throw new Error(`${p.label} drained ${result.items} of ${n}`);
            const key = `${p.label}|${n}`;
            results.set(key, [...(results.get(key) ?? []), result]);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        }
      }
    }
  } finally {
    memory.scratch.dispose();
    memory.dispose();
  }
  const micros = (label: string, n: number) =>
    median((results.get(`${label}|${n}`) ?? []).map((r) => Number(r.drain) / n * 1e6));
  const peak = (label: string, n: number) => median((results.get(`${label}|${n}`) ?? []).map((r) => Number(r.peakRss)));
  const first = sizes[0], last = sizes[sizes.length - 1];
  const k = (n: number) => n.toLocaleString("en-US");
  const rows = programs.map((p) => [
    p.label,
    ...sizes.map((n) => `${micros(p.label, n).toFixed(1)} µs`),
    `${(micros(p.label, last) / micros(p.label, first)).toFixed(2)}x`,
    ...(p.label === "C floor" ? sizes.map(() => "–") : sizes.map((n) => `${peak(p.label, n).toFixed(0)} MiB`)),
  ]);
  const lines: string[] = [];
  for (const p of programs.filter((p) => p.label !== "C floor")) {
    lines.push(targetLines([
      limitTarget(
        "backlog",
        `${p.label}: per-item cost ${k(last)} / ${k(first)}`,
        micros(p.label, last) /
          micros(p.label, first),
        1.5,
        "x",
      ),
      target(
        "backlog",
        `${p.label}: peak RSS ${k(last)} / ${k(first)}`,
        "bounded (<= 1.5x)",
        `${peak(p.label, last).toFixed(0)} / ${peak(p.label, first).toFixed(0)} MiB = ` +
          `${(peak(p.label, last) / peak(p.label, first)).toFixed(2)}x`,
        peak(p.label, last) <= 1.5 * peak(p.label, first),
      ),
    ]));
  }
  return `### Draining a backlog: time per item and the consumer's peak RSS (1 KiB, no fsync, on ${memory.where})\n\n` +
    table([
      "consumer",
      ...sizes.map((n) => `${k(n)} waiting`),
      `growth ${k(first)} -> ${k(last)}`,
      ...sizes.map((n) => `peak RSS at ${k(n)}`),
    ], rows) +
    `\n\nThe C floor (or *Sync puts) fills new/ first; only the drain is timed. Peak RSS is the process's VmHWM ` +
    `(startup and a 200-item warm-up included). ${options.million ? "" : "The 1M size is opt-in (`--million`): "}` +
    `${options.million ? "" : "filling and draining it takes minutes per program. "}Targets: per-item cost flat ` +
    `(here: growth <= 1.5x) and memory bounded whatever the backlog (here: peak RSS at the largest backlog <= 1.5x the smallest's).\n\n` +
    lines.join("\n");
}
