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
import { FileStore, parseName } from "../mod.ts";
import { fixtureCommand, onceAcrossRuntimes, root, type Runtime } from "./_helpers.ts";
import { itemContent, itemIdOf } from "./fixtures/_items.ts";

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
  handled?: (string | null)[];
  summary?: unknown;
  held?: string[];
  recovered?: string[];
  seen?: string[];
  claimed?: { id: string | null; key: string; name: string }[];
  done?: string[];
  torn?: string[];
  errors?: string[];
}

/** A fixture process: its pid, its one-line JSON report when it exits, and its lines so far. */
interface Worker {
  runtime: Runtime;
  pid: number;
  result: Promise<WorkerResult>;
  /** Resolves with the first JSON line printed that has `key`; rejects if the process ends first. */
  line(key: string): Promise<WorkerResult & Record<string, unknown>>;
  kill(signal: NodeJS.Signals): void;
}

function startWorker(runtime: Runtime, options: Record<string, unknown>): Worker {
  const [command, ...args] = fixtureCommand(runtime, "gluster_worker", [JSON.stringify(options)]);
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let ended = false;
  const listeners = new Set<() => void>();
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
    listeners.forEach((listener) => listener());
  });
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const result = new Promise<WorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), WORKER_TIMEOUT_MS);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      ended = true;
      listeners.forEach((listener) => listener());
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !line.startsWith("{")) {
        const why = signal ? `was killed by ${signal}` : `exited with ${code}`;
        reject(new Error(`${runtime} ${options.role} worker ${why}: ${stderr.trim() || stdout.trim()}`));
      } else {
        resolve(JSON.parse(line));
      }
    });
  });
  const line = (key: string) =>
    new Promise<WorkerResult & Record<string, unknown>>((resolve, reject) => {
      const check = () => {
        // Complete lines only.
        for (const text of stdout.split("\n").slice(0, -1)) {
          if (!text.startsWith("{")) continue;
          const parsed = JSON.parse(text);
          if (key in parsed) {
            listeners.delete(check);
            return resolve(parsed);
          }
        }
        if (ended) {
          listeners.delete(check);
          reject(new Error(`${runtime} ${options.role} worker ended without printing '${key}': ${stderr.trim()}`));
        }
      };
      listeners.add(check);
      check();
    });
  // The report of a worker that is killed on purpose is not awaited: keep its rejection quiet.
  result.catch(() => {});
  return { runtime, pid: child.pid!, result, line, kill: (signal) => child.kill(signal) };
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

/** Polls `condition` until it holds, for at most a minute. */
async function waitUntil(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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

test(
  "consume() in processes on both mounts handles each item once",
  { skip: onceAcrossRuntimes },
  async (t) => {
    if (!volume) return t.skip(unavailable);
    const { mount1, mount2, dir } = volume;
    const areas = ["done", "failed"];
    const storeA = new FileStore(join(mount1, "consume"), { host: "alpha", areas });
    const storeB = new FileStore(join(mount2, "consume"), { host: "beta", areas });
    await storeA.prepare();
    const stop = join(dir, "consume.stop");
    const on = (mount: string, host: string, runtime: Runtime, options: Record<string, unknown>) =>
      startWorker(runtime, { store: join(mount, "consume"), host, ...options });

    const producers = [
      on(mount1, "alpha", "node", { role: "produce", prefix: "a", count: 80, size: 1024 }),
      on(mount2, "beta", "deno", { role: "produce", prefix: "b", count: 80, size: 1024 }),
    ];
    const consumers = [
      on(mount1, "alpha", "deno", { role: "consume", stop }),
      on(mount2, "beta", "bun", { role: "consume", stop }),
      on(mount2, "beta", "node", { role: "consume", stop }),
    ];
    const produced = (await Promise.all(producers.map((w) => w.result))).flatMap((r) => r.produced!);
    writeFileSync(stop, "");
    const results = await Promise.all(consumers.map((w) => w.result));
    t.diagnostic(
      `handled per consumer: ${results.map((r, i) => `${consumers[i].runtime}@${r.host} ${r.handled!.length}`)}`,
    );

    assert.deepEqual(results.flatMap((r) => r.torn!), [], "no item was torn");
    assertEachOnce(results.flatMap((r) => r.handled!), produced, "handled");
    for (const r of results) {
      const summary = r.summary as { handled: number; failed: number; retried: number; lost: number };
      assert.deepEqual(summary, { handled: r.handled!.length, failed: 0, retried: 0, lost: 0 });
    }
    for (const store of [storeA, storeB]) {
      assert.deepEqual(await store.list("new"), [], `new/ is empty through ${store.host}`);
      assert.deepEqual(await store.list("cur"), [], `cur/ is empty through ${store.host}`);
      assertEachOnce(await idsIn(store, "done"), produced, `done/ through ${store.host}`);
    }
  },
);

test(
  "recover() through one mount returns the claims of a consumer killed on the other, each once",
  { skip: onceAcrossRuntimes },
  async (t) => {
    if (!volume) return t.skip(unavailable);
    const { mount1, mount2, dir } = volume;
    const storeA = new FileStore(join(mount1, "recover"), { host: "alpha" });
    const storeB = new FileStore(join(mount2, "recover"), { host: "beta" });
    await storeA.prepare();
    const count = 12;
    const ids = Array.from({ length: count }, (_, i) => `r-${i}`);
    await storeA.putMany(ids.map((id) => itemContent(id)));

    // A consumer on machine "alpha" claims everything and is killed.
    const holder = startWorker("bun", { role: "hold", store: storeA.path, host: "alpha", count });
    const held = (await holder.line("held")).held as string[];
    holder.kill("SIGKILL");
    await holder.result.catch(() => {});
    assert.equal(held.length, count);
    assert.deepEqual(await storeB.recover({ olderThan: 60_000 }), [], "young leases are left alone");

    // Recoverers on both machines race; only the lease can tell them the holder is gone.
    const stop = join(dir, "recover.stop");
    const go = join(dir, "recover.go");
    const olderThan = 300;
    const recoverers = [
      startWorker("deno", { role: "recover", store: storeA.path, host: "alpha", olderThan, go, stop }),
      startWorker("node", { role: "recover", store: storeB.path, host: "beta", olderThan, go, stop, sync: true }),
      startWorker("bun", { role: "recover", store: storeB.path, host: "beta", olderThan, go, stop }),
    ];
    await Promise.all(recoverers.map((w) => w.line("ready")));
    await waitUntil(async () => {
      const stats = await storeB.stats({ lease: olderThan });
      return stats.stuck === count;
    }, "the leases to run out");
    writeFileSync(go, "");
    await waitUntil(async () => (await storeB.count("new")) === count, "all claims to be back in new/");
    writeFileSync(stop, "");
    const results = await Promise.all(recoverers.map((w) => w.result));
    t.diagnostic(
      `recovered per process: ${results.map((r, i) => `${recoverers[i].runtime}@${r.host} ${r.recovered!.length}`)}`,
    );
    const recovered = results.flatMap((r) => r.recovered!);
    const keyOf = (name: string) => parseName(name).key;
    assertEachOnce(recovered.map(keyOf), held.map(keyOf), "recovered");
    assert.deepEqual(await storeA.list("cur"), [], "no claim is left in cur/");

    const again: string[] = [];
    for (let claim; (claim = await storeB.next());) {
      assert.equal(claim.attempts, 1, `${claim.name} counts the lost attempt`);
      again.push(itemIdOf(new TextDecoder().decode(await storeB.read(claim)))!);
      await storeB.ack(claim);
    }
    assertEachOnce(again, ids, "claimed again");
  },
);

test(
  "a holder whose claim was recovered through the other mount gets LOST_CLAIM and leaves the new claim alone",
  { skip: onceAcrossRuntimes },
  async (t) => {
    if (!volume) return t.skip(unavailable);
    const storeA = new FileStore(join(volume.mount1, "lost"), { host: "alpha", areas: ["done"] });
    const storeB = new FileStore(join(volume.mount2, "lost"), { host: "beta", areas: ["done"] });
    await storeA.prepare();
    await storeA.put(itemContent("lost-1"));
    const old = await storeA.next();
    assert.ok(old);
    let recovered: unknown[] = [];
    await waitUntil(
      async () => (recovered = await storeB.recover({ olderThan: 100 })).length > 0,
      "the lease to run out",
    );
    assert.equal(recovered.length, 1);
    const current = await storeB.next();
    assert.ok(current, "the recovered item is claimed again through mount 2");
    assert.equal(current.key, old.key);
    // Acknowledging and releasing name the file, and the file system resolves names afresh.
    await assert.rejects(() => storeA.ack(old), { code: "LOST_CLAIM" });
    await assert.rejects(() => storeA.release(old), { code: "LOST_CLAIM" });
    await assert.rejects(() => storeA.ack(old, { to: "done" }), { code: "LOST_CLAIM" });
    // touch() may still reach the file through a stale cache entry for about a
    // second (moving only its times), then it fails too.
    await waitUntil(
      () => storeA.touch(old).then(() => false, (error) => error.code === "LOST_CLAIM" || Promise.reject(error)),
      "touch() to find the claim lost",
    );
    assert.equal(itemIdOf(new TextDecoder().decode(await storeB.read(current))), "lost-1", "the new claim is intact");
    await storeB.ack(current);
    assert.deepEqual([await storeA.list("new"), await storeA.list("cur")], [[], []]);
  },
);

test(
  "watch() through one mount sees files arriving through the other (by polling)",
  { skip: onceAcrossRuntimes },
  async (t) => {
    if (!volume) return t.skip(unavailable);
    const storeA = new FileStore(join(volume.mount1, "watch"), { host: "alpha" });
    const storeB = new FileStore(join(volume.mount2, "watch"), { host: "beta" });
    await storeA.prepare();
    const seed = (await storeA.put("seed")).name;
    const count = 20;
    const watchers = (["deno", "bun", "node"] as const).map((runtime) =>
      startWorker(runtime, {
        role: "watch",
        store: storeB.path,
        host: "beta",
        seed,
        count: count + 1,
        pollInterval: 100,
      })
    );
    // Each watcher has listed new/ once (it saw the seed): what comes now arrives while it watches.
    await Promise.all(watchers.map((w) => w.line("ready")));
    const names = [seed];
    for (let i = 0; i < count; i++) names.push((await storeA.put(`item ${i}`, { sync: false })).name);
    for (const [i, result] of (await Promise.all(watchers.map((w) => w.result))).entries()) {
      assertEachOnce(result.seen!, names, `seen by the ${watchers[i].runtime} watcher`);
    }
  },
);
