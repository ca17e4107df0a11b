/**
 * Shared by the benchmark drivers: locating runtimes and peers, spawning
 * measured processes, fresh scratch directories, medians, machine facts.
 * Runs on Deno, Bun, and Node (compiled), with node: builtins only.
 *
 * @module
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

const here = dirname(fileURLToPath(import.meta.url));
/** True when this file runs as compiled JavaScript (npm/esm/bench/). */
export const compiled = import.meta.url.endsWith(".js");
/** The repository root. */
export const root = compiled ? join(here, "..", "..", "..") : join(here, "..");

/** The runtimes filestore runs on. */
export type Runtime = "deno" | "bun" | "node";
export const RUNTIMES: readonly Runtime[] = ["deno", "bun", "node"];

/** A measured process's JSON line. */
export type Result = Record<string, number | string>;

/** What this machine has of the programs the benchmarks compare. */
export interface Toolbox {
  runtimes: Runtime[];
  /** The bench/ directory of the source tree (scripts of the peers live there). */
  benchDir: string;
  /** The node binary. */
  node: string;
  /** The compiled C floor, if gcc is there. */
  floor?: string;
  /** A Python 3 (for mailbox.Maildir). */
  python?: string;
  /** A Python 3 that can import dirq. */
  dirqPython?: string;
  /** The file-queue worker, if the npm package is installed. */
  fileQueue?: string;
  /** One line per missing piece, saying how to install it. */
  missing: string[];
}

function bin(name: string): string {
  return join(root, "node_modules", ".bin", name);
}

function nodeBinary(): string {
  return "Deno" in globalThis || "Bun" in globalThis ? "node" : process.execPath;
}

function works(command: string, args: string[]): boolean {
  try {
    return spawnSync(command, args, { stdio: "ignore" }).status === 0;
  } catch {
    return false;
  }
}

/** The command line of a filestore benchmark worker (bench/_worker.ts, or `script`) on a runtime. */
export function workerCommand(runtime: Runtime, args: string[], script = "_worker"): string[] {
  switch (runtime) {
    case "deno":
      return [bin("deno"), "run", "-A", "--quiet", join(root, "bench", `${script}.ts`), ...args];
    case "bun":
      return [bin("bun"), join(root, "bench", `${script}.ts`), ...args];
    case "node":
      return [nodeBinary(), join(root, "npm", "esm", "bench", `${script}.js`), ...args];
  }
}

/** Compiles bench/floor.c with gcc -O2 into bench/out/, unless it is up to date. */
export function compileFloor(): string | undefined {
  const source = join(root, "bench", "floor.c");
  const binary = join(root, "bench", "out", "floor");
  if (existsSync(binary) && statSync(binary).mtimeMs > statSync(source).mtimeMs) return binary;
  mkdirSync(dirname(binary), { recursive: true });
  return works("gcc", ["-O2", "-o", binary, source]) ? binary : undefined;
}

/** Finds the runtimes and peers, and says how to install what is missing. */
export function findTools(): Toolbox {
  const missing: string[] = [];
  const runtimes: Runtime[] = [];
  for (const runtime of RUNTIMES) {
    const command = runtime === "node" ? nodeBinary() : bin(runtime);
    if (runtime === "node" && !existsSync(join(root, "npm", "esm", "bench", "_worker.js"))) {
      missing.push("node: the npm build is missing; run `deno task build` (npm run build)");
    } else if (works(command, ["--version"])) runtimes.push(runtime);
    else missing.push(`${runtime}: not found; run \`npm ci\``);
  }
  const floor = compileFloor();
  if (!floor) missing.push("C floor: gcc not found; run `apt-get install gcc`");
  const pythons = ["/usr/bin/python3", "python3"].filter((p) => works(p, ["-c", "import mailbox"]));
  const python = pythons[0];
  if (!python) missing.push("mailbox.Maildir: python3 not found; run `apt-get install python3`");
  const dirqPython = pythons.find((p) => works(p, ["-c", "import dirq.QueueSimple"]));
  if (!dirqPython) missing.push("dirq: the Python module is missing; run `apt-get install python3-dirq`");
  let fileQueue: string | undefined = join(root, "bench", "peers", "file_queue_worker.cjs");
  if (!existsSync(join(root, "node_modules", "file-queue", "package.json"))) {
    missing.push("file-queue: the npm package is missing; run `npm ci` (it is a devDependency)");
    fileQueue = undefined;
  } else if (!works(nodeBinary(), ["--version"])) {
    missing.push("file-queue: node not found");
    fileQueue = undefined;
  }
  return { runtimes, benchDir: join(root, "bench"), node: nodeBinary(), floor, python, dirqPython, fileQueue, missing };
}

/** Runs a command and returns the JSON of its last line of output. */
export function runJson(argv: string[]): Promise<Result> {
  return startWaiting(argv).result;
}

/** A process started by {@linkcode startWaiting}: ready to go, then its JSON. */
export interface Waiting {
  ready: Promise<void>;
  result: Promise<Result>;
}

/** Starts a process that prints `ready` and then waits for a go file before it starts measuring. */
export function startWaiting(argv: string[]): Waiting {
  const child: ChildProcess = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
  let out = "", err = "";
  let signalReady!: () => void;
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout!.on("data", (chunk) => {
    out += chunk;
    if (out.includes("ready\n")) signalReady();
  });
  child.stderr!.on("data", (chunk) => (err += chunk));
  const result = new Promise<Result>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      signalReady();
      const last = out.trim().split("\n").pop() ?? "";
      if (code !== 0) return reject(new Error(`'${argv.join(" ")}' failed (${code}): ${err.trim() || last}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`'${argv.join(" ")}' printed no JSON: '${last}'`));
      }
    });
  });
  return { ready, result };
}

/**
 * Fresh directories for measured runs. The base directory carries ext4's
 * TOPDIR flag (chattr +T), so every run directory lands in a block group of
 * its own: new files then do not scan past the inodes that earlier runs (or
 * other programs) freed, which on this machine slows creates up to 20x for
 * minutes and drowns every comparison in noise.
 */
export class Scratch {
  readonly base: string;
  readonly spread: boolean;
  #n = 0;

  constructor(parent = tmpdir()) {
    this.base = mkdtempSync(join(parent, "filestore-bench-"));
    this.spread = works("chattr", ["+T", this.base]);
  }

  /**
   * A new, empty run directory. With the C floor at hand, it first times
   * 100 creates in a fresh directory and takes another one (up to 6 tries)
   * when they are much slower than the best seen: that block group is full of
   * freed inodes, and a run there would measure the allocator, not the program.
   */
  async fresh(label: string): Promise<string> {
    const name = () => join(this.base, `${label.replace(/[^A-Za-z0-9._-]/g, "_")}-${++this.#n}`);
    if (!this.probe) return name();
    let best = { dir: "", us: Infinity };
    for (let attempt = 0; attempt < 6; attempt++) {
      const dir = name();
      const us = Number((await runJson([this.probe, "probe", dir, "100"])).us);
      this.#fastest = Math.min(this.#fastest, us);
      if (us < best.us) best = { dir, us };
      if (us <= Math.max(3 * this.#fastest, 15)) break;
      this.redrawn++;
    }
    return best.dir;
  }

  /** How many run directories were given up after a slow probe. */
  redrawn = 0;
  /** The C floor binary, used to probe run directories. */
  probe?: string;
  #fastest = Infinity;

  /** Removes a run directory. */
  drop(path: string): void {
    rmSync(path, { recursive: true, force: true });
  }

  dispose(): void {
    rmSync(this.base, { recursive: true, force: true });
  }
}

/** The median of some numbers. */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Rotates a list by `n`, so that interleaved rounds do not always run in the same order. */
export function rotate<T>(list: readonly T[], n: number): T[] {
  const k = list.length ? n % list.length : 0;
  return [...list.slice(k), ...list.slice(0, k)];
}

function firstLine(command: string, args: string[]): string {
  try {
    const run = spawnSync(command, args, { encoding: "utf8" });
    return (run.stdout || run.stderr || "").trim().split("\n")[0] ?? "";
  } catch {
    return "";
  }
}

// The file system holding `dir`, from /proc/mounts: the longest mount point that contains it.
function mountOf(dir: string): string {
  try {
    let best = { point: "", text: "" };
    for (const line of readFileSync("/proc/mounts", "utf8").split("\n")) {
      const [device, point, type, options] = line.split(" ");
      if (!point || !(dir === point || dir.startsWith(point.endsWith("/") ? point : `${point}/`))) continue;
      if (point.length >= best.point.length) best = { point, text: `${type} on ${device} (${options})` };
    }
    return best.text;
  } catch {
    return "";
  }
}

/** The facts about the machine a result depends on. */
export function machineInfo(dir: string, tools: Toolbox): Record<string, string> {
  const cpu = cpus();
  const mount = mountOf(dir);
  let kernel = firstLine("uname", ["-sr"]);
  if (!kernel) kernel = readFileSync("/proc/version", "utf8").split(" ").slice(0, 3).join(" ");
  const info: Record<string, string> = {
    cpu: `${cpu[0]?.model ?? "unknown"} (${cpu.length} cores)`,
    kernel,
    "file system": mount || "unknown",
  };
  for (const runtime of tools.runtimes) {
    const command = runtime === "node" ? nodeBinary() : bin(runtime);
    info[runtime] = firstLine(command, ["--version"]);
  }
  if (tools.floor) info.gcc = firstLine("gcc", ["--version"]);
  if (tools.python) info.python = firstLine(tools.python, ["--version"]);
  return info;
}
