/**
 * Runs every benchmark (`npm run bench`, `deno task bench`): the full-cycle
 * matrix, backlog drain, group commit, the peers and multi-process scaling.
 * Says which peers are missing and how to install them, then writes
 * BENCHMARKS.md (with the machine and the run's duration) and the chart
 * bench/peers.svg.
 *
 * Usage: deno run -A bench/run.ts [--items N] [--rounds N] [--parts cycle,backlog,group,peers,scaling]
 *                                [--out DIR] [--no-build]
 *   --items   items of the peers workload (10,000); the other parts scale from it
 *   --rounds  interleaved rounds per part (3); tables show medians
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
import { backlog, commonFlags, fullCycle, groupCommit, type PartOptions, table } from "./cycle.ts";
import { peers, scaling } from "./peers.ts";

const args = process.argv.slice(2);
const { items, rounds } = commonFlags(args);
const partsFlag = args.indexOf("--parts");
const parts = partsFlag >= 0 ? args[partsFlag + 1].split(",") : ["cycle", "backlog", "group", "peers", "scaling"];
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
    let section: string;
    if (part === "cycle") section = await fullCycle(options);
    else if (part === "backlog") section = await backlog(options);
    else if (part === "group") section = await groupCommit(options);
    else if (part === "peers") {
      const report = await peers(options);
      section = report.markdown + "\n\n![filestore and its peers](bench/peers.svg)";
      svg = report.svg;
    } else if (part === "scaling") section = await scaling(options);
    else throw new Error(`Unknown part '${part}': expected cycle, backlog, group, peers or scaling`);
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
  ...sections.flatMap((s) => [s, ""]),
].join("\n");
if (outDir) mkdirSync(outDir, { recursive: true });
writeFileSync(markdownPath, markdown);
if (svg) writeFileSync(svgPath, svg);
console.log(`bench: wrote ${markdownPath}${svg ? ` and ${svgPath}` : ""} after ${seconds.toFixed(0)} s`);
