/**
 * filestore against a SQLite queue (bench/peers/sqlite_worker.mjs):
 * bun:sqlite on Bun, node:sqlite on Node 22 and Deno, WAL, one transaction
 * per put, claim and delete. `synchronous=OFF` against `sync: false`,
 * `synchronous=FULL` against durable puts; full cycle at 1 KiB, 64 KiB and
 * 1 MiB, with filestore's *Sync and async APIs and the C floor, each run
 * right after the SQLite run it is compared with.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { root, type Runtime, workerCommand } from "./_common.ts";
import { cell, type Config, interleave, type PartOptions, rate, table } from "./cycle.ts";
import { ratioTarget, targetLines } from "./_targets.ts";

const NAMES: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };
const SIZES: [string, number, number, number][] = [
  // label, bytes, share of --items without fsync, with fsync
  ["1 KiB", 1024, 1 / 5, 1 / 20],
  ["64 KiB", 65536, 1 / 10, 1 / 40],
  ["1 MiB", 1048576, 1 / 50, 1 / 200],
];

/** node:sqlite needs Node 22: the devDependency's binary, else whatever `node` is. */
function node22(): string {
  const path = join(root, "node_modules", "node", "bin", "node");
  return existsSync(path) ? path : "node";
}

function sqliteCommand(runtime: Runtime, args: string[]): string[] {
  const script = join(root, "bench", "peers", "sqlite_worker.mjs");
  if (runtime === "bun") return [join(root, "node_modules", ".bin", "bun"), script, ...args];
  if (runtime === "deno") return [join(root, "node_modules", ".bin", "deno"), "run", "-A", "--quiet", script, ...args];
  return [node22(), "--disable-warning=ExperimentalWarning", script, ...args];
}

// filestore on the same Node as node:sqlite.
function filestoreCommand(runtime: Runtime, args: string[]): string[] {
  const argv = workerCommand(runtime, args);
  if (runtime === "node") argv[0] = node22();
  return argv;
}

/** The SQLite queue and filestore, side by side, per runtime, size and durability. */
export async function sqlitePart(options: PartOptions): Promise<string> {
  const configs: Config[] = [];
  for (const runtime of options.tools.runtimes) {
    for (const [label, bytes, light, heavy] of SIZES) {
      for (const durable of [false, true]) {
        const count = Math.max(10, Math.round(options.items * (durable ? heavy : light)));
        const args = (dir: string) => [dir, String(bytes), String(count), durable ? "1" : "0"];
        const row = `${runtime}|${label}|${durable ? "durable" : "no fsync"}|${count}`;
        const sqlite: Config = { row, column: "sqlite", argv: (dir) => sqliteCommand(runtime, args(dir)) };
        configs.push(sqlite);
        // The C floor on the same layout: what any library making filestore's calls could reach.
        const floor = options.tools.floor;
        if (floor) {
          configs.push({ row, column: "floor", argv: (dir) => [floor, "cycle", ...args(dir)], baseline: sqlite });
        }
        for (const api of ["sync", "async"]) {
          configs.push({
            row,
            column: api,
            argv: (dir) => filestoreCommand(runtime, ["cycle", ...args(dir), api]),
            baseline: sqlite,
          });
        }
      }
    }
  }
  const medians = await interleave(configs, options, "sqlite");
  const rows: string[][] = [];
  const lines: string[] = [];
  for (const [row, cells] of medians) {
    const [runtime, size, durability, count] = row.split("|");
    const name = NAMES[runtime as Runtime];
    rows.push([
      name,
      size,
      durability === "durable" ? "FULL / sync: true" : "OFF / sync: false",
      count,
      rate(cells.get("sqlite")?.full),
      cell(cells.get("floor")),
      cell(cells.get("sync")),
      cell(cells.get("async")),
    ]);
    // The goal: SQLite's rate durable at every size, and without fsync from 64 KiB up.
    if (durability === "durable" || size !== "1 KiB") {
      for (const api of ["sync", "async"]) {
        lines.push(targetLines([
          ratioTarget(
            "sqlite",
            `${name} ${size} ${durability}: filestore ${api === "sync" ? "*Sync" : "async"} / SQLite`,
            cells.get(api)?.ratio ?? NaN,
            1,
          ),
        ]));
      }
    }
  }
  return "### filestore against a SQLite queue (WAL; one transaction per put, claim and delete), full cycle, " +
    "items/s and ratio to SQLite\n\n" +
    table([
      "runtime",
      "size",
      "SQLite synchronous / filestore",
      "items",
      "SQLite",
      "C floor",
      "filestore *Sync",
      "filestore async",
    ], rows) +
    "\n\nSQLite: bun:sqlite on Bun, node:sqlite on Node 22 and Deno; a claim is one `UPDATE ... RETURNING` of the " +
    "oldest unclaimed row (no index: rows are claimed in id order and deleted, SQLite's best case), then a " +
    "`DELETE`. Each filestore run follows the SQLite run it is compared with; the ratio is the median of those " +
    "pairs. The C floor makes filestore's system calls (two fsyncs a durable put: the file and new/) with no " +
    "runtime: where it is below SQLite, no library on this layout reaches SQLite. Goal: at least SQLite's rate " +
    "durable at every size, and without fsync from 64 KiB up.\n\n" +
    lines.join("\n");
}
