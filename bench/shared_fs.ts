/**
 * The cost per item on shared file systems beside the local one.
 *
 * 1. put (with and without fsync) and claim + read + ack, on the local temp
 *    directory and on each engine, the consumer working through a second
 *    mount as another machine would.
 * 2. Large backlogs: `--backlog 1000,10000,50000` fills new/ with that many
 *    items (putMany, no fsync) and drains them with two consumers at once, one
 *    per mount; prints the drain cost per item and its ratio to the smallest
 *    backlog's (the target: within 2x).
 *
 * Engines: GlusterFS (replica 2 through loopback, scripts/gluster_env.sh) and
 * MooseFS (scripts/moosefs_env.sh); each needs root and /dev/fuse and is
 * skipped with the reason otherwise. `--engines gluster,moosefs` picks.
 *
 * Usage: deno run -A bench/shared_fs.ts [--items N] [--rounds R]
 *          [--backlog 1000,10000,50000] [--engines gluster,moosefs]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { FileStore } from "../mod.ts";

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : fallback;
};
const items = Number(option("items", "200"));
const rounds = Number(option("rounds", "3"));
const backlogs = option("backlog", "").split(",").filter(Boolean).map(Number);
const engines = option("engines", "gluster,moosefs").split(",");
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
  const ms = (key: keyof Costs) => median(results.map((c) => c[key])).toFixed(3).padStart(10);
  console.log(`${label.padEnd(34)} ${ms("putSync")} ${ms("putNoSync")} ${ms("claimReadAck")}`);
}

// Fills new/ with `count` items, then drains it with one consumer per mount at once.
async function backlog(label: string, mounts: string[], count: number, baseline: number[]): Promise<void> {
  const name = `backlog-${count}`;
  const producer = new FileStore(join(mounts[0], name), { host: "producer" });
  await producer.prepare();
  let started = performance.now();
  for (let done = 0; done < count; done += 500) {
    const batch = Math.min(500, count - done);
    await producer.putMany(Array.from({ length: batch }, () => payload), { sync: false });
  }
  const fill = (performance.now() - started) / count;
  started = performance.now();
  const claimedBy = await Promise.all(mounts.map(async (mount, i) => {
    const consumer = new FileStore(join(mount, name), { host: `consumer${i}` });
    let claimed = 0;
    for (let claim; (claim = await consumer.next());) {
      await consumer.read(claim);
      await consumer.ack(claim);
      claimed++;
    }
    return claimed;
  }));
  const drain = (performance.now() - started) / count;
  const total = claimedBy.reduce((a, b) => a + b, 0);
  if (total !== count) throw new Error(`Drained ${total} of ${count} items`);
  if (baseline.length === 0) baseline.push(drain);
  console.log(
    `${label.padEnd(22)} ${String(count).padStart(7)} ${fill.toFixed(3).padStart(10)} ` +
      `${drain.toFixed(3).padStart(10)} ${(drain / baseline[0]).toFixed(2).padStart(6)}x  ${claimedBy.join("/")}`,
  );
  rmSync(join(mounts[0], name), { recursive: true, force: true });
}

/** Sets an engine up with its script, runs `body` with its mounts, tears it down. */
async function withEngine(script: string, body: (mounts: string[]) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "filestore-bench-fs-"));
  const path = join(root, "scripts", script);
  const setup = spawnSync("bash", [path, "setup", dir], { encoding: "utf8" });
  try {
    if (setup.status !== 0) return console.log(`${script} skipped: ${setup.stderr.trim()}`);
    const mount = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(setup.stdout)![1];
    await body([mount("mount1"), mount("mount2")]);
  } finally {
    spawnSync("bash", [path, "teardown", dir], { stdio: "inherit" });
    rmSync(dir, { recursive: true, force: true });
  }
}

const ENGINES: Record<string, { script: string; label: string }> = {
  gluster: { script: "gluster_env.sh", label: "GlusterFS replica 2" },
  moosefs: { script: "moosefs_env.sh", label: "MooseFS" },
};

const started = performance.now();
if (backlogs.length === 0) {
  console.log(`${items} items of 1 KiB per put kind, ${rounds} rounds, median ms per item`);
  console.log(`${"".padEnd(34)} ${"put".padStart(10)} ${"put,nosync".padStart(10)} ${"claim+read+ack".padStart(10)}`);
  const local = mkdtempSync(join(tmpdir(), "filestore-bench-"));
  try {
    await measure("local (temp dir)", local, local);
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
  for (const engine of engines) {
    const { script, label } = ENGINES[engine];
    await withEngine(script, async ([mount1, mount2]) => {
      await measure(`${label}, one mount`, mount1, mount1);
      await measure(`${label}, two mounts`, mount1, mount2);
    });
  }
} else {
  console.log(`backlogs of 1 KiB items drained through two mounts at once, ms per item`);
  console.log(
    `${"".padEnd(22)} ${"items".padStart(7)} ${"fill".padStart(10)} ${"drain".padStart(10)} ${
      "ratio".padStart(7)
    }  claims per mount`,
  );
  const local = mkdtempSync(join(tmpdir(), "filestore-bench-"));
  try {
    const baseline: number[] = [];
    for (const count of backlogs) await backlog("local (one dir twice)", [local, local], count, baseline);
  } finally {
    rmSync(local, { recursive: true, force: true });
  }
  for (const engine of engines) {
    const { script, label } = ENGINES[engine];
    await withEngine(script, async (mounts) => {
      const baseline: number[] = [];
      for (const count of backlogs) await backlog(label, mounts, count, baseline);
    });
  }
}
console.log(`run took ${((performance.now() - started) / 1000).toFixed(1)} s`);
