/**
 * Runs every benchmark (`npm run bench`, `deno task bench`): the full-cycle
 * matrix, the async API against the *Sync one, event-loop delay, big
 * backlogs, group commit, the peers, multi-process scaling and pairs,
 * latency between processes, and a SQLite queue. Ends with a table of issue
 * 13's targets, each measured, met or missed.
 * Says which peers are missing and how to install them, then writes
 * BENCHMARKS.md (with the machine and the run's duration) and the chart
 * bench/peers.svg.
 *
 * Usage: deno run -A bench/run.ts [--items N] [--rounds N] [--parts PART,...] [--million] [--runtimes R,...]
 *                                [--out DIR] [--no-build]
 *   --items   items of the peers workload (10,000); the other parts scale from it
 *   --rounds  interleaved rounds per part (3); tables show medians
 *   --parts   any of cycle, async, loop, backlog, group, peers, scaling, pairs, latency, sqlite (all)
 *   --million the backlog part also drains 100x --items (1M; minutes per program)
 *   --runtimes only these of deno, bun, node (all that are installed)
 *   --out     where BENCHMARKS.md and peers.svg go (default: the repository root and bench/)
 *   --no-build  use the existing npm build for Node instead of rebuilding it
 *
 * @module
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { findTools, machineInfo, root, Scratch } from "./_common.ts";
import { commonFlags, fullCycle, groupCommit, type PartOptions, table } from "./cycle.ts";
import { pairs, peers, scaling } from "./peers.ts";
import { asyncPart, loopPart } from "./async.ts";
import { backlogPart } from "./backlog.ts";
import { latencyPart } from "./latency.ts";
import { sqlitePart } from "./sqlite.ts";
import { summary } from "./_targets.ts";

const PARTS = ["cycle", "async", "loop", "backlog", "group", "peers", "scaling", "pairs", "latency", "sqlite"];

const args = process.argv.slice(2);
const { items, rounds } = commonFlags(args);
const partsFlag = args.indexOf("--parts");
const parts = partsFlag >= 0 ? args[partsFlag + 1].split(",") : PARTS;
const unknown = parts.filter((p) => !PARTS.includes(p));
if (unknown.length) {
  console.error(`bench: Unknown part '${unknown[0]}': expected one of ${PARTS.join(", ")}`);
  process.exit(2);
}
const outFlag = args.indexOf("--out");
const outDir = outFlag >= 0 ? args[outFlag + 1] : undefined;
const markdownPath = outDir ? join(outDir, "BENCHMARKS.md") : join(root, "BENCHMARKS.md");
const svgPath = outDir ? join(outDir, "peers.svg") : join(root, "bench", "peers.svg");

const started = Date.now();
if (!args.includes("--no-build")) {
  console.log("bench: building the npm package for the Node runs");
  const build = spawnSync(join(root, "node_modules", ".bin", "deno"), [
    "run",
    "-A",
    join(root, "scripts", "build_npm.ts"),
  ], {
    stdio: "inherit",
  });
  if (build.status !== 0) console.log("bench: the npm build failed; Node runs are skipped");
}

const tools = findTools();
const runtimesFlag = args.indexOf("--runtimes");
if (runtimesFlag >= 0) {
  const wanted = args[runtimesFlag + 1].split(",");
  tools.runtimes = tools.runtimes.filter((r) => wanted.includes(r));
}
if (tools.missing.length) {
  console.log("bench: these are missing and left out of this run:");
  for (const line of tools.missing) console.log(`  - ${line}`);
} else {
  console.log("bench: every runtime and peer is available");
}

const scratch = new Scratch();
scratch.probe = tools.floor;
if (!scratch.spread) {
  console.log("bench: chattr +T failed (not ext4, or no chattr): runs may slow down as freed inodes pile up");
}
const sections: string[] = [];
let svg: string | undefined;
try {
  const options: PartOptions = { items, rounds, scratch, tools, log: (line) => console.log(`bench: ${line}`) };
  for (const part of parts) {
    const partStarted = Date.now();
    let section: string;
    if (part === "cycle") section = await fullCycle(options);
    else if (part === "async") section = await asyncPart(options);
    else if (part === "loop") section = await loopPart(options);
    else if (part === "backlog") section = await backlogPart({ ...options, million: args.includes("--million") });
    else if (part === "group") section = await groupCommit(options);
    else if (part === "peers") {
      const report = await peers(options);
      section = report.markdown + "\n\n![filestore and its peers](bench/peers.svg)";
      svg = report.svg;
    } else if (part === "scaling") section = await scaling(options);
    else if (part === "pairs") section = await pairs(options);
    else if (part === "latency") section = await latencyPart(options);
    else section = await sqlitePart(options);
    section += `\n\n_Part \`${part}\` took ${((Date.now() - partStarted) / 1000).toFixed(0)} s._`;
    console.log(`\n${section}\n`);
    sections.push(section);
  }
} finally {
  scratch.dispose();
}
console.log(`bench: ${scratch.redrawn} run directories were drawn again after a slow probe`);

const seconds = (Date.now() - started) / 1000;
const machine = machineInfo(scratch.base, tools);
const facts = [
  ...Object.entries(machine).map(([k, v]) => [k, v]),
  ["date", new Date(started).toISOString().replace(/\.\d+Z$/, "Z")],
  ["run duration", `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`],
  ["rounds", `${rounds} interleaved rounds per part, each run in a fresh directory; medians`],
  ["missing", tools.missing.length ? tools.missing.join("; ") : "nothing"],
];
const markdown = [
  "# Benchmarks",
  "",
  "Written by `npm run bench` (bench/run.ts). Absolute numbers depend on the disk and on what else runs; compare " +
  "the ratios, which come from programs run side by side in the same rounds.",
  "",
  table(["", "machine"], facts),
  "",
  ...(summary() ? [summary(), ""] : []),
  ...sections.flatMap((s) => [s, ""]),
].join("\n");
if (outDir) mkdirSync(outDir, { recursive: true });
writeFileSync(markdownPath, markdown);
if (svg) writeFileSync(svgPath, svg);
if (summary()) console.log(`\n${summary()}\n`);
console.log(`bench: wrote ${markdownPath}${svg ? ` and ${svgPath}` : ""} after ${seconds.toFixed(0)} s`);
