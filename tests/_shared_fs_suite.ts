// The tests every shared file system must pass, defined once for each engine
// (tests/gluster_test.ts, tests/moosefs_test.ts): two mounts of one volume
// stand in for two machines; producers and consumers on Deno, Bun and Node
// work through both at once. Workers: tests/fixtures/gluster_worker.ts.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { FileStore, parseName } from "../mod.ts";
import { onceAcrossRuntimes, type Runtime } from "./_helpers.ts";
import { assertEachOnce, idsIn, startWorker, waitUntil } from "./_shared_fs.ts";
import { itemContent, itemIdOf } from "./fixtures/_items.ts";

/** Two mounts of one volume, and a local scratch directory. */
export interface TwoMounts {
  dir: string;
  mount1: string;
  mount2: string;
}

/** A worker's report, with the fields of tests/fixtures/gluster_worker.ts. */
interface Report {
  host: string;
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

/**
 * Defines the tests for one engine. `mounts` gives the two mounts, or why
 * there are none (the tests then skip with it). `timeResolutionMs`: how fine
 * the engine's file times are (MooseFS keeps whole seconds).
 */
export function sharedFileSystemTests(
  engine: string,
  mounts: () => TwoMounts | string,
  { timeResolutionMs = 1 } = {},
): void {
  test(
    `${engine}: next() and claim() racing through two mounts claim every item exactly once`,
    { skip: onceAcrossRuntimes },
    async (t) => {
      const volume = mounts();
      if (typeof volume === "string") return t.skip(volume);
      const { mount1, mount2, dir } = volume;
      const areas = ["done", "failed"];
      const storeA = new FileStore(join(mount1, "race"), { host: "alpha", areas });
      const storeB = new FileStore(join(mount2, "race"), { host: "beta", areas });
      await storeA.prepare();
      const stop = join(dir, "race.stop");
      const on = (mount: string, host: string, runtime: Runtime, options: Record<string, unknown>) =>
        startWorker("gluster_worker", runtime, { store: join(mount, "race"), host, ...options });

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
      const produced = (await Promise.all(producers.map((w) => w.result as Promise<Report>))).flatMap((r) =>
        r.produced!
      );
      writeFileSync(stop, "");
      const results = await Promise.all(consumers.map((w) => w.result as Promise<Report>));
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
    `${engine}: a read through one mount right after the other replaced the file retries past ESTALE`,
    { skip: onceAcrossRuntimes },
    async (t) => {
      const volume = mounts();
      if (typeof volume === "string") return t.skip(volume);
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
    `${engine}: a claim's lease (its ctime) starts at the claim and moves with touch(), seen through the other mount`,
    { skip: onceAcrossRuntimes },
    async (t) => {
      const volume = mounts();
      if (typeof volume === "string") return t.skip(volume);
      const storeA = new FileStore(join(volume.mount1, "lease"), { host: "alpha" });
      const storeB = new FileStore(join(volume.mount2, "lease"), { host: "beta" });
      await storeA.prepare();
      // Lets the clock move past a time stamp, so a later change has a later ctime.
      const after = async (ms: number) => {
        while (Date.now() <= ms + timeResolutionMs + 20) await new Promise((resolve) => setTimeout(resolve, 10));
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
      // Mount 2 may answer from its attribute cache for a moment (about a second).
      let touched = 0;
      await waitUntil(
        async () => (touched = (await storeB.adapter.async.lstat(claim.path)).ctimeMs) > claimedAt,
        `touch() through mount 1 to move ctime as mount 2 sees it (${claimedAt} -> ${touched})`,
        10_000,
      );
      const fresh = await storeA.stats({ lease: 60_000 });
      assert.equal(fresh.claims, 1);
      assert.equal(fresh.stuck, 0, "a claim just touched is not stuck");
      await storeB.ack(claim);
    },
  );

  test(
    `${engine}: consume() in processes on both mounts handles each item once`,
    { skip: onceAcrossRuntimes },
    async (t) => {
      const volume = mounts();
      if (typeof volume === "string") return t.skip(volume);
      const { mount1, mount2, dir } = volume;
      const areas = ["done", "failed"];
      const storeA = new FileStore(join(mount1, "consume"), { host: "alpha", areas });
      const storeB = new FileStore(join(mount2, "consume"), { host: "beta", areas });
      await storeA.prepare();
      const stop = join(dir, "consume.stop");
      const on = (mount: string, host: string, runtime: Runtime, options: Record<string, unknown>) =>
        startWorker("gluster_worker", runtime, { store: join(mount, "consume"), host, ...options });

      const producers = [
        on(mount1, "alpha", "node", { role: "produce", prefix: "a", count: 80, size: 1024 }),
        on(mount2, "beta", "deno", { role: "produce", prefix: "b", count: 80, size: 1024 }),
      ];
      const consumers = [
        on(mount1, "alpha", "deno", { role: "consume", stop }),
        on(mount2, "beta", "bun", { role: "consume", stop }),
        on(mount2, "beta", "node", { role: "consume", stop }),
      ];
      const produced = (await Promise.all(producers.map((w) => w.result as Promise<Report>))).flatMap((r) =>
        r.produced!
      );
      writeFileSync(stop, "");
      const results = await Promise.all(consumers.map((w) => w.result as Promise<Report>));
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
    `${engine}: recover() through one mount returns the claims of a consumer killed on the other, each once`,
    { skip: onceAcrossRuntimes },
    async (t) => {
      const volume = mounts();
      if (typeof volume === "string") return t.skip(volume);
      const { mount1, mount2, dir } = volume;
      const storeA = new FileStore(join(mount1, "recover"), { host: "alpha" });
      const storeB = new FileStore(join(mount2, "recover"), { host: "beta" });
      await storeA.prepare();
      const count = 12;
      const ids = Array.from({ length: count }, (_, i) => `r-${i}`);
      await storeA.putMany(ids.map((id) => itemContent(id)));

      // A consumer on machine "alpha" claims everything and is killed.
      const holder = startWorker("gluster_worker", "bun", { role: "hold", store: storeA.path, host: "alpha", count });
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
        startWorker("gluster_worker", "deno", {
          role: "recover",
          store: storeA.path,
          host: "alpha",
          olderThan,
          go,
          stop,
        }),
        startWorker("gluster_worker", "node", {
          role: "recover",
          store: storeB.path,
          host: "beta",
          olderThan,
          go,
          stop,
          sync: true,
        }),
        startWorker("gluster_worker", "bun", {
          role: "recover",
          store: storeB.path,
          host: "beta",
          olderThan,
          go,
          stop,
        }),
      ];
      await Promise.all(recoverers.map((w) => w.line("ready")));
      await waitUntil(async () => {
        const stats = await storeB.stats({ lease: olderThan });
        return stats.stuck === count;
      }, "the leases to run out");
      writeFileSync(go, "");
      await waitUntil(async () => (await storeB.count("new")) === count, "all claims to be back in new/");
      writeFileSync(stop, "");
      const results = await Promise.all(recoverers.map((w) => w.result as Promise<Report>));
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
    `${engine}: a holder whose claim was recovered through the other mount gets LOST_CLAIM and leaves the new claim alone`,
    { skip: onceAcrossRuntimes },
    async (t) => {
      const volume = mounts();
      if (typeof volume === "string") return t.skip(volume);
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
    `${engine}: watch() through one mount sees files arriving through the other (by polling)`,
    { skip: onceAcrossRuntimes },
    async (t) => {
      const volume = mounts();
      if (typeof volume === "string") return t.skip(volume);
      const storeA = new FileStore(join(volume.mount1, "watch"), { host: "alpha" });
      const storeB = new FileStore(join(volume.mount2, "watch"), { host: "beta" });
      await storeA.prepare();
      const seed = (await storeA.put("seed")).name;
      const count = 20;
      const watchers = (["deno", "bun", "node"] as const).map((runtime) =>
        startWorker("gluster_worker", runtime, {
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
      for (const [i, result] of (await Promise.all(watchers.map((w) => w.result as Promise<Report>))).entries()) {
        assertEachOnce(result.seen!, names, `seen by the ${watchers[i].runtime} watcher`);
      }
    },
  );
}
