/**
 * The demo: one store in a temp directory, producer processes on Deno and
 * Node, consumer processes on Bun, Node and Deno, and N files (20,000 by
 * default) moved through it. Shows live progress, then a table: produced,
 * consumed per runtime, duplicates, lost, items/s. Exits non-zero if any item
 * was lost or consumed twice, or a process failed. Removes its temp dir.
 *
 * Durability: puts use `sync: false` (no fsync; each file is still written in
 * tmp/ and renamed into new/, so no consumer ever sees half a file, but a
 * power loss may lose the last items). `--sync` fsyncs every batch of 100.
 *
 * Node runs the compiled npm build (npm/esm/), which the demo builds first
 * when it is missing or older than the sources.
 *
 * The store lives in memory (/dev/shm) where there is one and TMPDIR is not
 * set: the demo shows the mechanism, not a disk. `--dir DIR` puts it elsewhere.
 *
 * Usage: deno run -A scripts/demo.ts [--count N] [--dir DIR] [--sync] [--no-build]
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import process from "node:process";
import { FileStore } from "../mod.ts";

type Runtime = "deno" | "bun" | "node";
const LABEL: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };
const PRODUCERS: Runtime[] = ["deno", "node"];
const CONSUMERS: Runtime[] = ["bun", "node", "deno"];

const here = dirname(fileURLToPath(import.meta.url));
const compiled = import.meta.url.endsWith(".js");
const root = compiled ? join(here, "..", "..", "..") : join(here, "..");
const bin = join(root, "node_modules", ".bin");
const current: Runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    count: { type: "string", default: "20000" },
    sync: { type: "boolean", default: false },
    "no-build": { type: "boolean", default: false },
    dir: { type: "string" },
    help: { type: "boolean", short: "h" },
  },
});
if (values.help) {
  console.log(`Usage: npm run demo -- [--count N] [--dir DIR] [--sync] [--no-build]

  --count N    items to move through the store (default 20000)
  --dir DIR    make the temp store under DIR (default: /dev/shm where there is
               one and TMPDIR is not set, else the system's temp directory)
  --sync       fsync every batch of 100 puts (default: sync: false)
  --no-build   do not rebuild npm/ for Node even when it is older than the sources`);
  process.exit(0);
}
const count = Number(values.count);
if (!Number.isInteger(count) || count < 1) {
  console.error(`demo: Invalid --count '${values.count}': expected a whole number above 0`);
  process.exit(2);
}

const tty = process.stdout.isTTY === true;
const color = tty && !process.env.NO_COLOR;
const paint = (code: string) => (text: string) => color ? `\x1b[${code}m${text}\x1b[0m` : text;
const bold = paint("1"), dim = paint("2"), green = paint("32"), red = paint("31"), cyan = paint("36");
const n = (value: number) => value.toLocaleString("en-US");

function command(runtime: Runtime, script: string, args: string[]): [string, string[]] {
  switch (runtime) {
    case "deno":
      return [
        current === "deno" ? process.execPath : join(bin, "deno"),
        ["run", "-A", "--quiet", join(root, "scripts", `${script}.ts`), ...args],
      ];
    case "bun":
      return [current === "bun" ? process.execPath : join(bin, "bun"), [
        join(root, "scripts", `${script}.ts`),
        ...args,
      ]];
    case "node":
      return [current === "node" ? process.execPath : "node", [
        join(root, "npm", "esm", "scripts", `${script}.js`),
        ...args,
      ]];
  }
}

// The newest modification time under the given files and directories.
function newest(paths: string[]): number {
  let latest = 0;
  for (const path of paths) {
    const info = statSync(path);
    if (info.isDirectory()) latest = Math.max(latest, newest(readdirSync(path).map((name) => join(path, name))));
    else latest = Math.max(latest, info.mtimeMs);
  }
  return latest;
}

function ensureBuild(): void {
  const outputs = ["demo_producer", "demo_consumer"].map((s) => join(root, "npm", "esm", "scripts", `${s}.js`));
  const sources = ["mod.ts", "src", "scripts/demo_producer.ts", "scripts/demo_consumer.ts"].map((p) => join(root, p));
  const fresh = outputs.every(existsSync) && Math.min(...outputs.map((o) => statSync(o).mtimeMs)) >= newest(sources);
  if (fresh || values["no-build"]) return;
  console.log(dim("Building the npm package for Node (npm/) ..."));
  const [deno, args] = command("deno", "build_npm", []);
  const build = spawnSync(deno, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
  if (build.status !== 0) {
    console.error(red(`demo: Cannot build the npm package: build_npm exited with ${build.status}`));
    process.exit(1);
  }
}

interface Worker {
  role: "producer" | "consumer";
  runtime: Runtime;
  child: ChildProcess;
  progress: number;
  total: number;
  ids: number[];
  exit: Promise<number | null>;
  error: string;
}

function start(role: Worker["role"], runtime: Runtime, args: string[]): Worker {
  const [cmd, cmdArgs] = command(runtime, `demo_${role}`, args);
  const child = spawn(cmd, cmdArgs, { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
  const worker: Worker = {
    role,
    runtime,
    child,
    progress: 0,
    total: 0,
    ids: [],
    exit: Promise.resolve(null),
    error: "",
  };
  let buffer = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    buffer += chunk;
    let newline;
    while ((newline = buffer.indexOf("\n")) !== -1) {
      const [word, value = ""] = buffer.slice(0, newline).split(" ");
      buffer = buffer.slice(newline + 1);
      if (word === "progress") worker.progress = Number(value);
      else if (word === "produced") worker.total = worker.progress = Number(value);
      else if (word === "consumed") {
        worker.ids = value === "" ? [] : value.split(",").map(Number);
        worker.total = worker.progress = worker.ids.length;
      }
    }
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => worker.error += chunk);
  worker.exit = new Promise((resolve) => {
    child.on("error", (error) => {
      worker.error += error.message;
      resolve(null);
    });
    child.on("close", (code) => resolve(code));
  });
  return worker;
}

function bar(fraction: number, width: number): string {
  const full = Math.round(fraction * width);
  return cyan("█".repeat(full)) + dim("░".repeat(width - full));
}

// Where the temp store goes: in memory where possible, so that the demo
// measures the processes and not a shared disk's journal.
function tempBase(): string {
  if (values.dir !== undefined) return resolve(values.dir);
  if (process.env.TMPDIR === undefined && process.platform === "linux") {
    try {
      accessSync("/dev/shm", constants.W_OK);
      return "/dev/shm";
    } catch {
      // No /dev/shm here.
    }
  }
  return tmpdir();
}

ensureBuild();
const base = tempBase();
const dir = mkdtempSync(join(base, "filestore-demo-"));
const storeDir = join(dir, "store");
const finished = join(dir, "producers-finished");
const workers: Worker[] = [];
const stopAll = () => workers.forEach((w) => w.child.exitCode === null && w.child.kill("SIGTERM"));
process.once("SIGINT", () => {
  if (tty) process.stdout.write("\n");
  stopAll();
  rmSync(dir, { recursive: true, force: true });
  process.exit(130);
});

let exitCode = 1;
try {
  const store = new FileStore(storeDir, { areas: ["failed"] });
  await store.prepare();
  console.log(
    `${bold("filestore demo")}: ${n(count)} files, ${PRODUCERS.length} producers ` +
      `(${PRODUCERS.map((r) => LABEL[r]).join(", ")}) → one store → ${CONSUMERS.length} consumers ` +
      `(${CONSUMERS.map((r) => LABEL[r]).join(", ")}), each a process of its own`,
  );
  console.log(
    dim(`  store       ${storeDir}${base === "/dev/shm" ? " (in memory; --dir DIR for a disk)" : ""}`),
  );
  console.log(
    dim(
      `  durability  ${
        values.sync
          ? "sync: true, one fsync per batch of 100 puts"
          : "sync: false: atomic rename, no fsync (survives crashes of processes, not of the machine)"
      }`,
    ),
  );
  console.log("");

  const started = performance.now();
  for (const runtime of CONSUMERS) workers.push(start("consumer", runtime, [storeDir, finished]));
  const share = Math.ceil(count / PRODUCERS.length);
  PRODUCERS.forEach((runtime, i) => {
    const from = i * share;
    const items = Math.max(0, Math.min(share, count - from));
    workers.push(
      start("producer", runtime, [storeDir, String(from), String(items), ...(values.sync ? ["--sync"] : [])]),
    );
  });
  const producers = workers.filter((w) => w.role === "producer");
  const consumers = workers.filter((w) => w.role === "consumer");

  const line = (): string => {
    const produced = producers.reduce((sum, w) => sum + w.progress, 0);
    const consumed = consumers.reduce((sum, w) => sum + w.progress, 0);
    const seconds = (performance.now() - started) / 1000;
    const per = consumers.map((w) => `${LABEL[w.runtime]} ${n(w.progress)}`).join(", ");
    if (!tty) {
      return `progress: produced ${n(produced)}/${n(count)}, consumed ${n(consumed)} (${per}), ${seconds.toFixed(1)} s`;
    }
    return `  ${bar(consumed / count, 24)} ${bold(n(consumed))}/${n(count)} consumed  ${
      dim(`produced ${n(produced)}`)
    }  ` +
      `${dim(per)}  ${n(Math.round(consumed / Math.max(seconds, 0.001)))}/s`;
  };
  const ticker = setInterval(() => {
    if (tty) process.stdout.write(`\r\x1b[2K${line()}`);
    else console.log(line());
  }, tty ? 100 : 1000);

  const producerCodes = await Promise.all(producers.map((w) => w.exit));
  writeFileSync(finished, "");
  const consumerCodes = await Promise.all(consumers.map((w) => w.exit));
  const seconds = (performance.now() - started) / 1000;
  clearInterval(ticker);
  if (tty) process.stdout.write(`\r\x1b[2K${line()}\n`);

  // Tally: every id 0..count-1 produced once must be consumed once.
  const seen = new Uint8Array(count);
  let duplicates = 0, strays = 0;
  for (const w of consumers) {
    for (const id of w.ids) {
      if (!(id >= 0 && id < count)) strays++;
      else if (seen[id]++ > 0) duplicates++;
    }
  }
  const produced = producers.reduce((sum, w) => sum + w.total, 0);
  const consumed = consumers.reduce((sum, w) => sum + w.total, 0);
  const lost = seen.reduce((missing, times) => missing + (times === 0 ? 1 : 0), 0);
  const left = (await store.count("new")) + (await store.count("cur")) + (await store.count("tmp")) +
    (await store.count("failed"));

  const pct = (part: number) => `${(100 * part / count).toFixed(1)}%`;
  const rows: [string, string, string][] = [
    ...producers.map((w): [string, string, string] => [`produced by ${LABEL[w.runtime]}`, n(w.total), pct(w.total)]),
    ...consumers.map((w): [string, string, string] => [`consumed by ${LABEL[w.runtime]}`, n(w.total), pct(w.total)]),
    ["produced", n(produced), ""],
    ["consumed", n(consumed), ""],
    ["duplicates", n(duplicates), ""],
    ["lost", n(lost), ""],
    ["left in the store", n(left), ""],
    ["seconds", seconds.toFixed(2), ""],
    ["items/s", n(Math.round(count / seconds)), ""],
  ];
  const width = Math.max(...rows.map((r) => r[0].length));
  const valueWidth = Math.max(...rows.map((r) => r[1].length));
  console.log("");
  rows.forEach(([label, value, extra], i) => {
    if (i === producers.length + consumers.length) console.log(dim(`  ${"─".repeat(width + valueWidth + 10)}`));
    console.log(`  ${label.padEnd(width)}  ${bold(value.padStart(valueWidth))}  ${dim(extra.padStart(6))}`.trimEnd());
  });
  console.log("");

  const problems: string[] = [];
  workers.forEach((w, i) => {
    const code = w.role === "producer" ? producerCodes[i - consumers.length] : consumerCodes[i];
    if (code !== 0) problems.push(`${w.role} on ${LABEL[w.runtime]} exited with ${code}: ${w.error.trim()}`);
  });
  if (produced !== count) problems.push(`${n(produced)} of ${n(count)} items were produced`);
  if (duplicates) problems.push(`${n(duplicates)} items were consumed twice`);
  if (lost) problems.push(`${n(lost)} items were lost`);
  if (strays) problems.push(`${n(strays)} unknown items were consumed`);
  if (left) problems.push(`${n(left)} files were left in the store`);
  if (problems.length === 0) {
    console.log(green(`  ✔ every one of ${n(count)} files was consumed exactly once`));
    exitCode = 0;
  } else {
    for (const problem of problems) console.log(red(`  ✘ ${problem}`));
  }
} finally {
  stopAll();
  rmSync(dir, { recursive: true, force: true });
}
process.exit(exitCode);
