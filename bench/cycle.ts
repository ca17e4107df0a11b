/**
 * The full-cycle benchmark (issue 3): put, next, read and ack at 100 B,
 * 1 KiB and 64 KiB, fsync on and off, with the async API and the *Sync
 * twins, on each runtime, beside the C floor doing the same system calls;
 * group commit (putMany)
 * against one durable put per item. All configurations of a part run
 * interleaved, round after round, each in a fresh directory; the tables
 * show medians.
 *
 * Usage: deno run -A bench/cycle.ts [--items N] [--rounds N]   (or bench/run.ts for everything)
 *
 * @module
 */
import process from "node:process";
import {
  findTools,
  median,
  type Result,
  rotate,
  runJson,
  type Runtime,
  Scratch,
  type Toolbox,
  workerCommand,
} from "./_common.ts";

/** How a benchmark part runs. */
export interface PartOptions {
  /** The item count of the peers workload; the other parts scale from it (10,000 by default). */
  items: number;
  rounds: number;
  scratch: Scratch;
  tools: Toolbox;
  log: (line: string) => void;
}

/** One measured program in one configuration. */
export interface Config {
  /** Groups configurations into rows of a table. */
  row: string;
  /** The column. */
  column: string;
  /** The command line of one measured run in `dir`. */
  argv?: (dir: string) => string[];
  /** Or a function doing one measured run in `dir`. */
  run?: (dir: string) => Promise<Result>;
  /** Runs right before each run of this one (A B A B); `ratio` is the median of the pairs' ratios. */
  baseline?: Config;
}

/** The medians of one configuration. */
export interface Median {
  put: number;
  drain: number;
  full: number;
  /** Median of full-cycle rate over its baseline's rate in the run just before (paired). */
  ratio: number;
  samples: number;
}

/** Medians per row and column. */
export type Medians = Map<string, Map<string, Median>>;

const fullRate = (r: Result) => Number(r.items) / (Number(r.put) + Number(r.drain ?? 0));

/**
 * Runs configurations interleaved: each round runs every one once (in a
 * rotated order), in a fresh directory, each right after a run of its
 * baseline (A B A B), so that a ratio compares two runs made moments apart.
 * Returns medians of items per second and of the paired ratios.
 */
export async function interleave(configs: Config[], options: PartOptions, title: string): Promise<Medians> {
  const samples = new Map<Config, Result[]>(configs.map((c) => [c, []]));
  const ratios = new Map<Config, number[]>(configs.map((c) => [c, []]));
  const baselines = new Set(configs.map((c) => c.baseline).filter((c) => c !== undefined));
  const once = async (config: Config): Promise<Result> => {
    const dir = await options.scratch.fresh(`${config.row}-${config.column}`);
    try {
      const result = config.run ? await config.run(dir) : await runJson(config.argv!(dir));
      samples.get(config)?.push(result);
      return result;
    } finally {
      options.scratch.drop(dir);
    }
  };
  // A baseline runs with the configurations it is paired with (alone only if nothing pairs with it).
  const scheduled = configs.filter((c) => !baselines.has(c) || !configs.some((d) => d.baseline === c));
  for (let round = 0; round < options.rounds; round++) {
    options.log(`${title}: round ${round + 1} of ${options.rounds} (${scheduled.length} pairs or runs)`);
    for (const config of rotate(scheduled, round * 7)) {
      const base = config.baseline ? await once(config.baseline) : undefined;
      const result = await once(config);
      if (base) ratios.get(config)!.push(fullRate(result) / fullRate(base));
    }
  }
  const medians: Medians = new Map();
  for (const [config, results] of samples) {
    const rate = (pick: (r: Result) => number) => median(results.map((r) => Number(r.items) / pick(r)));
    const row = medians.get(config.row) ?? new Map();
    medians.set(config.row, row);
    row.set(config.column, {
      put: rate((r) => Number(r.put)),
      drain: rate((r) => Number(r.drain)),
      full: median(results.map(fullRate)),
      ratio: config.baseline ? median(ratios.get(config)!) : 1,
      samples: results.length,
    });
  }
  return medians;
}

const SIZES: [string, number][] = [["100 B", 100], ["1 KiB", 1024], ["64 KiB", 65536]];
const RUNTIME_NAMES: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };

/** Items per second, rounded for a table. */
export function rate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "–";
  const rounded = value >= 1000 ? Math.round(value / 10) * 10 : value >= 100 ? Math.round(value) : +value.toFixed(1);
  return rounded.toLocaleString("en-US");
}

/** A ratio for a table. */
export function ratio(a: number | undefined, b: number | undefined): string {
  if (!a || !b || !Number.isFinite(a / b)) return "–";
  return `${(a / b).toFixed(a / b >= 10 ? 0 : 2)}x`;
}

/** A Markdown table. */
export function table(head: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...rows.map(line)].join("\n");
}

function cycleCount(items: number, sync: boolean, size: number): number {
  const base = sync ? Math.round(items / 20) : Math.round(items / 5);
  return Math.max(20, size > 4096 ? Math.round(base / 2) : base);
}

function floorConfig(tools: Toolbox, row: string, args: (dir: string) => string[]): Config | undefined {
  return tools.floor ? { row, column: "floor", argv: (dir) => [tools.floor!, "cycle", ...args(dir)] } : undefined;
}

/** A rate and its paired ratio to the baseline, for a table cell. */
export function cell(m: Median | undefined): string {
  return m ? `${rate(m.full)} (${m.ratio.toFixed(2)}x)` : "–";
}

/** The full-cycle matrix: sizes x fsync x runtimes x APIs, and the C floor. */
export async function fullCycle(options: PartOptions): Promise<string> {
  const { tools } = options;
  const configs: Config[] = [];
  for (const [sizeName, size] of SIZES) {
    for (const sync of [false, true]) {
      const count = cycleCount(options.items, sync, size);
      const row = `${sizeName}|${sync ? "fsync" : "no fsync"}|${count}`;
      const args = (dir: string) => [dir, String(size), String(count), sync ? "1" : "0"];
      const baseline = floorConfig(tools, row, args);
      if (baseline) configs.push(baseline);
      for (const runtime of tools.runtimes) {
        for (const api of ["sync", "async"]) {
          configs.push({
            row,
            column: `${runtime} ${api}`,
            argv: (dir) => workerCommand(runtime, ["cycle", ...args(dir), api]),
            baseline,
          });
        }
        // The same calls through plain node:fs: what the runtime itself costs, without filestore.
        if (!sync && size === 1024) {
          configs.push({
            row,
            column: `${runtime} raw`,
            argv: (dir) => workerCommand(runtime, ["raw", ...args(dir), "sync"]),
            baseline,
          });
        }
      }
    }
  }
  // The two adapters on Deno, side by side (the default is one of them).
  if (tools.runtimes.includes("deno")) {
    const row = `1 KiB|no fsync|${cycleCount(options.items, false, 1024)}|adapters`;
    const args = (dir: string) => [dir, "1024", String(cycleCount(options.items, false, 1024)), "0"];
    const baseline = floorConfig(tools, row, args);
    if (baseline) configs.push(baseline);
    for (const adapter of ["node", "deno"]) {
      for (const api of ["sync", "async"]) {
        configs.push({
          row,
          column: `${adapter} ${api}`,
          argv: (dir) => workerCommand("deno", ["cycle", ...args(dir), api, adapter]),
          baseline,
        });
      }
    }
  }
  const medians = await interleave(configs, options, "full cycle");

  const columns = tools.runtimes.flatMap((r) => [`${r} sync`, `${r} async`]);
  const head = [
    "size",
    "fsync",
    "items",
    "C floor",
    ...columns.map((c) => {
      const [runtime, api] = c.split(" ");
      return `${RUNTIME_NAMES[runtime as Runtime]} ${api === "sync" ? "*Sync" : "async"}`;
    }),
  ];
  const rows: string[][] = [];
  for (const [row, cells] of medians) {
    if (row.endsWith("|adapters")) continue;
    const [size, sync, count] = row.split("|");
    const floor = cells.get("floor")?.full;
    rows.push([
      size,
      sync,
      count,
      rate(floor),
      ...columns.map((c) => cell(cells.get(c))),
    ]);
  }
  let out = "### Full cycle (put, next, read, ack), items/s and ratio to the C floor\n\n" + table(head, rows) +
    "\n\nEach run follows a run of the C floor with the same settings; the ratio is the median of those pairs.";
  const raw = medians.get(`1 KiB|no fsync|${cycleCount(options.items, false, 1024)}`);
  if (raw && tools.runtimes.some((r) => raw.has(`${r} raw`))) {
    out += "\n\n### The runtimes' own cost: the same system calls through plain node:fs, no filestore " +
      "(1 KiB, no fsync)\n\n" +
      table(
        ["runtime", "C floor", "plain node:fs calls", "filestore *Sync", "filestore / plain"],
        tools.runtimes.map((r) => [
          RUNTIME_NAMES[r],
          rate(raw.get("floor")?.full),
          cell(raw.get(`${r} raw`)),
          cell(raw.get(`${r} sync`)),
          ratio(raw.get(`${r} sync`)?.full, raw.get(`${r} raw`)?.full),
        ]),
      );
  }

  const adapters = [...medians].find(([row]) => row.endsWith("|adapters"));
  if (adapters) {
    const [, cells] = adapters;
    const floor = cells.get("floor")?.full;
    const names = ["node sync", "node async", "deno sync", "deno async"];
    out +=
      "\n\n### Deno: the node:fs adapter and the Deno.* adapter (1 KiB, no fsync), items/s and ratio to the floor\n\n" +
      table(
        ["C floor", "node:fs *Sync", "node:fs async", "Deno.* *Sync", "Deno.* async"],
        [[rate(floor), ...names.map((n) => cell(cells.get(n)))]],
      );
  }
  return out;
}

/** Group commit: putMany (one fsync of new/ per batch of 100) against put() per item, both durable. */
export async function groupCommit(options: PartOptions): Promise<string> {
  const { tools } = options;
  const count = Math.max(20, Math.round(options.items / 20));
  const batch = Math.min(100, count);
  const configs: Config[] = [];
  for (const runtime of tools.runtimes) {
    for (const api of ["sync", "async"]) {
      const args = (dir: string) => [dir, "1024", String(count), "1", api];
      const row = `${runtime} ${api}`;
      const single: Config = { row, column: "put", argv: (dir) => workerCommand(runtime, ["put", ...args(dir)]) };
      configs.push(single, {
        row,
        column: "putMany",
        argv: (dir) => workerCommand(runtime, ["putmany", ...args(dir), "default", String(batch)]),
        baseline: single,
      });
    }
  }
  const medians = await interleave(configs, options, "group commit");
  const rows: string[][] = [];
  for (const [row, cells] of medians) {
    const [runtime, api] = row.split(" ");
    rows.push([
      `${RUNTIME_NAMES[runtime as Runtime]} ${api === "sync" ? "*Sync" : "async"}`,
      rate(cells.get("put")?.full),
      rate(cells.get("putMany")?.full),
      `${cells.get("putMany")?.ratio.toFixed(2)}x`,
    ]);
  }
  return `### Group commit: ${count} durable puts of 1 KiB, items/s\n\n` +
    table(["runtime, API", "put() per item", `putMany() in batches of ${batch}`, "ratio"], rows);
}

function flag(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
}

/** Parses `--items N --rounds N` the way every bench script does. */
export function commonFlags(args: string[]): { items: number; rounds: number } {
  return { items: flag(args, "--items", 10_000), rounds: flag(args, "--rounds", 3) };
}

// Run directly: the three parts of this file, printed.
if (isMain()) {
  const { items, rounds } = commonFlags(process.argv.slice(2));
  const tools = findTools();
  for (const line of tools.missing) console.log(`missing: ${line}`);
  const scratch = new Scratch();
  scratch.probe = tools.floor;
  try {
    const options = { items, rounds, scratch, tools, log: (line: string) => console.error(line) };
    console.log(await fullCycle(options));
    console.log(await groupCommit(options));
  } finally {
    scratch.dispose();
  }
}

function isMain(): boolean {
  const script = process.argv[1] ?? "";
  return script.endsWith("bench/cycle.ts") || script.endsWith("bench/cycle.js");
}
