/**
 * The cost per item on a shared file system beside the local one: put (with
 * and without fsync), and claim + read + ack, on the local temp directory and
 * on a throwaway GlusterFS volume (set up and torn down by
 * scripts/gluster_env.sh; root and /dev/fuse needed, skipped otherwise). On
 * GlusterFS the consumer works through a second mount, as another machine
 * would. Prints milliseconds per item, median of the rounds.
 *
 * Usage: deno run -A bench/shared_fs.ts [--items N] [--rounds R]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { FileStore } from "../mod.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? Number(args[at + 1]) : fallback;
};
const items = option("items", 200);
const rounds = option("rounds", 3);
const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const payload = "x".repeat(1024);

interface Costs {
  putSync: number;
  putNoSync: number;
  claimReadAck: number;
}

// One round in fresh directories: the producer works through `producerDir`,
// the consumer through `consumerDir` (the same store, perhaps another mount).
async function round(producerDir: string, consumerDir: string, name: string): Promise<Costs> {
  const producer = new FileStore(join(producerDir, name), { host: "producer" });
  const consumer = new FileStore(join(consumerDir, name), { host: "consumer" });
  await producer.prepare();
  let started = performance.now();
  for (let i = 0; i < items; i++) await producer.put(payload);
  const putSync = (performance.now() - started) / items;
  started = performance.now();
  for (let i = 0; i < items; i++) await producer.put(payload, { sync: false });
  const putNoSync = (performance.now() - started) / items;
  started = performance.now();
  let claimed = 0;
  for (let claim; (claim = await consumer.next());) {
    await consumer.read(claim);
    await consumer.ack(claim);
    claimed++;
  }
  const claimReadAck = (performance.now() - started) / claimed;
  if (claimed !== 2 * items) throw new Error(`Claimed ${claimed} of ${2 * items} items`);
  return { putSync, putNoSync, claimReadAck };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function measure(label: string, producerDir: string, consumerDir: string): Promise<void> {
  const results: Costs[] = [];
  for (let r = 0; r < rounds; r++) results.push(await round(producerDir, consumerDir, `bench-${r}`));
  const ms = (key: keyof Costs) => median(results.map((c) => c[key])).toFixed(3).padStart(8);
  console.log(`${label.padEnd(34)} ${ms("putSync")} ${ms("putNoSync")} ${ms("claimReadAck")}`);
}

const started = performance.now();
console.log(`${items} items of 1 KiB per put kind, ${rounds} rounds, median ms per item`);
console.log(`${"".padEnd(34)} ${"put".padStart(8)} ${"put,nosync".padStart(8)} ${"claim+read+ack".padStart(8)}`);
const local = mkdtempSync(join(tmpdir(), "filestore-bench-"));
try {
  await measure("local (temp dir)", local, local);
} finally {
  rmSync(local, { recursive: true, force: true });
}

const dir = mkdtempSync(join(tmpdir(), "filestore-gluster-bench-"));
const script = join(root, "scripts", "gluster_env.sh");
const setup = spawnSync("bash", [script, "setup", dir], { encoding: "utf8" });
try {
  if (setup.status !== 0) {
    console.log(`GlusterFS skipped: ${setup.stderr.trim()}`);
  } else {
    const mount = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(setup.stdout)![1];
    await measure("GlusterFS replica 2, one mount", mount("mount1"), mount("mount1"));
    await measure("GlusterFS replica 2, two mounts", mount("mount1"), mount("mount2"));
  }
} finally {
  spawnSync("bash", [script, "teardown", dir], { stdio: "inherit" });
  rmSync(dir, { recursive: true, force: true });
}
console.log(`run took ${((performance.now() - started) / 1000).toFixed(1)} s`);
