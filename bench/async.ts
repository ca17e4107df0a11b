/**
 * Issue 13's speed targets for one process, 1 KiB items: the async API
 * against its *Sync twin, `consume()` (concurrency 1, fed by async `put()`)
 * against the *Sync loop, the *Sync loop against the same calls through plain
 * node:fs (no fsync), and durable async `put()` against `putSync()`. Then the
 * event-loop delay while the async loop and `consume()` run full speed.
 * Each comparison runs its two programs back to back (A B A B), in fresh
 * directories, round after round; the ratios are medians of those pairs.
 *
 * @module
 */
import { median, type Result, runJson, type Runtime, workerCommand } from "./_common.ts";
import { type Config, interleave, type PartOptions, rate, table } from "./cycle.ts";
import { limitTarget, ratioTarget, targetLines } from "./_targets.ts";

const NAMES: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };

/** Items per run of the no-fsync cycle and of the durable puts. */
function counts(items: number): { cycle: number; durable: number } {
  return { cycle: Math.max(50, Math.round(items / 2)), durable: Math.max(20, Math.round(items / 20)) };
}

/** The async API, consume(), *Sync and plain node:fs side by side, and durable put against putSync. */
export async function asyncPart(options: PartOptions): Promise<string> {
  const { cycle, durable } = counts(options.items);
  const configs: Config[] = [];
  const cycleArgs = (dir: string, api: string, role = "cycle") => [role, dir, "1024", String(cycle), "0", api];
  for (const runtime of options.tools.runtimes) {
    const row = runtime;
    const command = (args: string[]) => (dir: string) => workerCommand(runtime, args.map((a) => a === "DIR" ? dir : a));
    const program = (column: string, argv: (dir: string) => string[], baseline?: Config): Config => {
      const config = { row, column, argv, baseline };
      configs.push(config);
      return config;
    };
    const raw = program("raw", (dir) => workerCommand(runtime, cycleArgs(dir, "sync", "raw")));
    program("sync vs raw", (dir) => workerCommand(runtime, cycleArgs(dir, "sync")), raw);
    const syncForAsync = program("sync", (dir) => workerCommand(runtime, cycleArgs(dir, "sync")));
    program("async", (dir) => workerCommand(runtime, cycleArgs(dir, "async")), syncForAsync);
    const syncForConsume = program("sync, before consume", (dir) => workerCommand(runtime, cycleArgs(dir, "sync")));
    program("consume", (dir) => workerCommand(runtime, cycleArgs(dir, "consume")), syncForConsume);
    const putSync = program("putSync", command(["put", "DIR", "1024", String(durable), "1", "sync"]));
    program("put", command(["put", "DIR", "1024", String(durable), "1", "async"]), putSync);
  }
  const medians = await interleave(configs, options, "async");
  const rows: string[][] = [];
  const lines: string[] = [];
  for (const runtime of options.tools.runtimes) {
    const cells = medians.get(runtime)!;
    const get = (column: string) => cells.get(column);
    rows.push([
      NAMES[runtime],
      rate(get("raw")?.full),
      rate(get("sync vs raw")?.full),
      rate(get("async")?.full),
      rate(get("consume")?.full),
      `${get("sync vs raw")?.ratio.toFixed(2)}x`,
      `${get("async")?.ratio.toFixed(2)}x`,
      `${get("consume")?.ratio.toFixed(2)}x`,
      rate(get("putSync")?.put),
      rate(get("put")?.put),
      `${get("put")?.ratio.toFixed(2)}x`,
    ]);
    lines.push(targetLines([
      ratioTarget("async", `${NAMES[runtime]}: async full cycle / *Sync`, get("async")?.ratio ?? NaN, 0.8),
      ratioTarget("async", `${NAMES[runtime]}: consume() / *Sync loop`, get("consume")?.ratio ?? NaN, 0.75),
      ratioTarget("async", `${NAMES[runtime]}: durable put() / putSync()`, get("put")?.ratio ?? NaN, 0.9),
      ratioTarget("async", `${NAMES[runtime]}: *Sync / plain node:fs`, get("sync vs raw")?.ratio ?? NaN, 0.9),
    ]));
  }
  return `### The async API against the *Sync one (1 KiB; full cycle of ${cycle} items without fsync, ` +
    `${durable} durable puts), items/s\n\n` +
    table([
      "runtime",
      "plain node:fs",
      "*Sync",
      "async",
      "consume()",
      "*Sync / plain",
      "async / *Sync",
      "consume() / *Sync",
      "putSync() fsync",
      "put() fsync",
      "put() / putSync()",
    ], rows) +
    "\n\nEach ratio is the median of pairs run back to back (the *Sync run, then the other one, each in a fresh " +
    "directory). consume() runs with concurrency 1 and `untilEmpty`, after async put() filled the store. " +
    "Targets: async >= 0.8x *Sync, consume() >= 0.75x, durable put() >= 0.9x putSync(), *Sync >= 0.9x plain " +
    "node:fs.\n\n" + lines.join("\n");
}

/** Event-loop delay: a 1 ms setInterval inside the measured process, while the async loop or consume() runs. */
export async function loopPart(options: PartOptions): Promise<string> {
  const { cycle } = counts(options.items);
  const configs: Config[] = [];
  for (const runtime of options.tools.runtimes) {
    for (const api of ["async", "consume"]) {
      configs.push({
        row: runtime,
        column: api,
        argv: (dir) =>
          workerCommand(runtime, ["cycle", dir, "1024", String(cycle), "0", api, "default", "100", "--lag"]),
      });
    }
  }
  const results = new Map<Config, Result[]>(configs.map((c) => [c, []]));
  const recording = configs.map((config): Config => ({
    ...config,
    argv: undefined,
    run: async (dir) => {
      const result = await runJson(config.argv!(dir));
      results.get(config)!.push(result);
      return result;
    },
  }));
  const medians = await interleave(recording, options, "event-loop delay");
  const rows: string[][] = [];
  const lines: string[] = [];
  configs.forEach((config, i) => {
    const list = results.get(config)!;
    const pick = (field: string) => median(list.map((r) => Number(r[field])));
    const label = `${NAMES[config.row as Runtime]} ${config.column === "async" ? "async loop" : "consume()"}`;
    rows.push([
      label,
      rate(medians.get(recording[i].row)?.get(recording[i].column)?.full),
      pick("lagP50").toFixed(2),
      pick("lagP99").toFixed(2),
      pick("lagMax").toFixed(2),
      String(Math.round(pick("ticks"))),
    ]);
    lines.push(targetLines([limitTarget("loop", `${label}: event-loop delay p99`, pick("lagP99"), 5, "ms")]));
  });
  return `### Event-loop delay while a full-speed loop runs (${cycle} items of 1 KiB, no fsync)\n\n` +
    table(["runtime, loop", "items/s (with the timer)", "p50 ms", "p99 ms", "max ms", "ticks"], rows) +
    "\n\nA 1 ms setInterval in the measured process records how much later than 1 ms after the previous tick " +
    "each tick comes, through the put and drain phases; medians over the rounds. Target: p99 <= 5 ms.\n\n" +
    lines.join("\n");
}
