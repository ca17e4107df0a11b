// Exactly-once on a shared distributed file system: one GlusterFS volume
// mounted twice stands in for two machines sharing a store. Producers and
// consumers on Deno, Bun and Node work through both mounts at once.
// Needs root and /dev/fuse (scripts/gluster_env.sh sets the volume up and
// tears it down); elsewhere the tests skip.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { FileStore } from "../mod.ts";
import { fixtureCommand, onceAcrossRuntimes, root, type Runtime } from "./_helpers.ts";
import { itemIdOf } from "./fixtures/_items.ts";

const SCRIPT = join(root, "scripts", "gluster_env.sh");
const SKIPPED = 77;
// Generous bounds: a worker that takes longer is stuck, and the test fails.
const WORKER_TIMEOUT_MS = 120_000;

let volume: { dir: string; mount1: string; mount2: string } | undefined;
let unavailable = "GlusterFS was not set up";

before(() => {
  if (onceAcrossRuntimes) return;
  const dir = mkdtempSync(join(tmpdir(), "filestore-gluster-"));
  const setup = spawnSync("bash", [SCRIPT, "setup", dir], { encoding: "utf8", timeout: 600_000 });
  if (setup.status === SKIPPED) {
    unavailable = setup.stderr.trim().replace(/^gluster_env: (skip: )?/gm, "");
    return;
  }
  if (setup.status !== 0) {
    throw new Error(`scripts/gluster_env.sh setup failed (${setup.status ?? setup.signal}): ${setup.stderr.trim()}`);
  }
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(setup.stdout)?.[1];
  volume = { dir, mount1: value("mount1")!, mount2: value("mount2")! };
});

after(() => {
  if (!volume) return;
  const teardown = spawnSync("bash", [SCRIPT, "teardown", volume.dir], { encoding: "utf8", timeout: 300_000 });
  if (teardown.status !== 0) {
    throw new Error(`scripts/gluster_env.sh teardown failed (${teardown.status}): ${teardown.stderr.trim()}`);
  }
});

interface WorkerResult {
  role: string;
  host: string;
  pid: number;
  produced?: string[];
  claimed?: { id: string | null; key: string; name: string }[];
  done?: string[];
  torn?: string[];
  errors?: string[];
}

/** A fixture process: its pid, and its one-line JSON report when it exits. */
interface Worker {
  runtime: Runtime;
  pid: number;
  result: Promise<WorkerResult>;
}

function startWorker(runtime: Runtime, options: Record<string, unknown>): Worker {
  const [command, ...args] = fixtureCommand(runtime, "gluster_worker", [JSON.stringify(options)]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const result = new Promise<WorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), WORKER_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new Error(`${runtime} ${options.role} worker ${why}: ${stderr.trim() || stdout.trim()}`));
      } else {
        resolve(JSON.parse(line));
      }
    });
  });
  return { runtime, pid: child.pid!, result };
}

function counts(values: Iterable<string | null>): Map<string | null, number> {
  const map = new Map<string | null, number>();
  for (const value of values) map.set(value, (map.get(value) ?? 0) + 1);
  return map;
}

function assertEachOnce(seen: (string | null)[], expected: string[], what: string): void {
  const repeated = [...counts(seen)].filter(([, n]) => n > 1).map(([id, n]) => `${id} x${n}`);
  assert.deepEqual(repeated, [], `${what}: items handled more than once`);
  const missing = expected.filter((id) => !seen.includes(id));
  assert.deepEqual(missing, [], `${what}: items never handled`);
  assert.equal(seen.length, expected.length, `${what}: unexpected items`);
}

/** The ids of the items in an area, read through a store (one mount). */
async function idsIn(store: FileStore, area: string): Promise<(string | null)[]> {
  const ids: (string | null)[] = [];
  for (const path of await store.list(area)) {
    ids.push(itemIdOf(new TextDecoder().decode(await store.read(path, area))));
  }
  return ids;
}

test(
  "next() and claim() racing through two mounts claim every item exactly once",
  { skip: onceAcrossRuntimes },
  async (t) => {
    if (!volume) return t.skip(unavailable);
    const { mount1, mount2, dir } = volume;
    const areas = ["done", "failed"];
    const storeA = new FileStore(join(mount1, "race"), { host: "alpha", areas });
    const storeB = new FileStore(join(mount2, "race"), { host: "beta", areas });
    await storeA.prepare();
    const stop = join(dir, "race.stop");
    const on = (mount: string, host: string, runtime: Runtime, options: Record<string, unknown>) =>
      startWorker(runtime, { store: join(mount, "race"), host, ...options });

    const started = Date.now();
    const producers = [
      on(mount1, "alpha", "deno", { role: "produce", prefix: "a", count: 120, size: 2048 }),
      on(mount2, "beta", "bun", { role: "produce", prefix: "b", count: 120, size: 2048 }),
    ];
    const consumers = [
      on(mount1, "alpha", "node", { role: "race", mode: "next", stop }),
      on(mount1, "alpha", "bun", { role: "race", mode: "claim", stop }),
      on(mount2, "beta", "deno", { role: "race", mode: "nextSync", stop }),
      on(mount2, "beta", "node", { role: "race", mode: "claim", stop }),
    ];
    const produced = (await Promise.all(producers.map((w) => w.result))).flatMap((r) => r.produced!);
    writeFileSync(stop, "");
    const results = await Promise.all(consumers.map((w) => w.result));
    t.diagnostic(
      `${produced.length} items in ${Date.now() - started} ms; claimed per consumer: ` +
        results.map((r, i) => `${consumers[i].runtime}@${r.host} ${r.claimed!.length}`).join(", "),
    );

    assert.deepEqual(results.flatMap((r) => r.errors!), [], "no worker saw an error");
    assert.deepEqual(results.flatMap((r) => r.torn!), [], "no item was torn");
    const claimed = results.flatMap((r) => r.claimed!);
    assertEachOnce(claimed.map((c) => c.id), produced, "claims");
    assert.equal(new Set(claimed.map((c) => c.key)).size, claimed.length, "every key was claimed once");
    for (const store of [storeA, storeB]) {
      assert.deepEqual(await store.list("new"), [], `new/ is empty through ${store.host}`);
      assert.deepEqual(await store.list("cur"), [], `cur/ is empty through ${store.host}`);
      assertEachOnce(await idsIn(store, "done"), results.flatMap((r) => r.done!), `done/ through ${store.host}`);
    }
  },
);

test(
  "a read through one mount right after the other replaced the file retries past ESTALE",
  { skip: onceAcrossRuntimes },
  async (t) => {
    if (!volume) return t.skip(unavailable);
    const storeA = new FileStore(join(volume.mount1, "stale"), { host: "alpha" });
    const storeB = new FileStore(join(volume.mount2, "stale"), { host: "beta" });
    await storeA.prepare();
    let staleWithoutRetry = 0;
    for (let i = 0; i < 4; i++) {
      const name = `item-${i}`;
      await storeA.put("old", { name });
      // A client that holds the file open and sees it replaced by another client
      // gets ESTALE on the next open of that name, for about a second.
      const held = openSync(join(storeB.path, "new", name), "r");
      try {
        writeFileSync(join(storeA.path, "tmp", name), "new");
        await storeA.move(name, "tmp", "new", { overwrite: true });
        if (i === 0) {
          try {
            readFileSync(join(storeB.path, "new", name));
          } catch (error) {
            // Node names it "Unknown system error -116": libuv does not know ESTALE.
            const { code, errno } = error as { code?: string; errno?: number };
            if (code === "ESTALE" || errno === -116) staleWithoutRetry++;
            else throw error;
          }
        }
        const read = i % 2 === 0 ? await storeB.read(name, "new") : storeB.readSync(name, "new");
        assert.equal(new TextDecoder().decode(read), "new", `read ${i} gives the replacement`);
      } finally {
        try {
          closeSync(held);
        } catch {
          // Closing a replaced file can fail with ESTALE too.
        }
      }
    }
    t.diagnostic(`a plain read right after the replacement failed with ESTALE: ${staleWithoutRetry > 0}`);
  },
);

test(
  "a claim's lease (its ctime) starts at the claim and moves with touch(), seen through the other mount",
  { skip: onceAcrossRuntimes },
  async (t) => {
    if (!volume) return t.skip(unavailable);
    const storeA = new FileStore(join(volume.mount1, "lease"), { host: "alpha" });
    const storeB = new FileStore(join(volume.mount2, "lease"), { host: "beta" });
    await storeA.prepare();
    // Lets the clock move past a time stamp, so a later change has a later ctime.
    const after = async (ms: number) => {
      while (Date.now() <= ms + 20) await new Promise((resolve) => setTimeout(resolve, 10));
    };
    const { path } = await storeA.put("job");
    const put = (await storeA.adapter.async.lstat(path)).ctimeMs;
    await after(put);
    const claim = await storeB.claim(basename(path));
    assert.ok(claim, "the other mount claims the item");
    const claimedAt = (await storeA.adapter.async.lstat(join(storeA.path, "cur", claim.name))).ctimeMs;
    assert.ok(claimedAt > put, `the rename through mount 2 moved ctime as mount 1 sees it (${put} -> ${claimedAt})`);
    await after(claimedAt);
    await storeA.touch(claim.name);
    const touched = (await storeB.adapter.async.lstat(claim.path)).ctimeMs;
    assert.ok(
      touched > claimedAt,
      `touch() through mount 1 moved ctime as mount 2 sees it (${claimedAt} -> ${touched})`,
    );
    const fresh = await storeA.stats({ lease: 60_000 });
    assert.equal(fresh.claims, 1);
    assert.equal(fresh.stuck, 0, "a claim just touched is not stuck");
    await storeB.ack(claim);
  },
);
