// Pause and resume across processes: a hidden marker <store>/.paused.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore } from "../mod.ts";
import { currentRuntime, type Runtime, withStore } from "./_helpers.ts";
import { startFixture, waitUntil, within } from "./_workers_helpers.ts";

test("pause(), paused(), resume() and their Sync twins; idempotent; the marker is hidden", async () => {
  await withStore(async (store, dir) => {
    assert.equal(await store.paused(), false);
    await store.pause();
    await store.pause();
    assert.equal(store.pausedSync(), true);
    assert.ok(existsSync(join(dir, ".paused")));
    const other = new FileStore(dir);
    assert.equal(await other.paused(), true, "another store object sees it");
    await store.put("x");
    assert.equal((await store.list("new")).length, 1);
    assert.notEqual(await store.next(), null, "next() does not look at the pause");
    store.resumeSync();
    await store.resume();
    assert.equal(await store.paused(), false);
    store.pauseSync();
    assert.equal(await store.paused(), true);
  });
});

test("consume() claims nothing while paused, finishes what it holds, and goes on after resume()", async () => {
  await withStore(async (store) => {
    await store.putMany(["a", "b"]);
    const handled: string[] = [];
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    const controller = new AbortController();
    const running = store.consume(async (item) => {
      const text = await item.text();
      handled.push(text);
      if (text === "a") {
        await store.pause(); // paused while holding "a"
        release();
      }
      if (text === "b") controller.abort();
    }, { pollInterval: 20, signal: controller.signal });
    await holding;
    await waitUntil("the held item to finish", () =>
      handled.length === 1 && existsSync(store.path + "/new") &&
      store.countSync("cur") === 0);
    assert.equal(store.countSync("new"), 1, "b waits while paused");
    await store.resume();
    await within(60_000, "consume() to go on after resume", running);
    assert.deepEqual(handled, ["a", "b"]);
  });
});

// Another runtime than this one, so the pause crosses runtimes as well as processes.
const other: Runtime = currentRuntime === "node" ? "deno" : "node";

test(`pause() stops consume() in a ${other} process within a poll interval; resume() restarts it`, async () => {
  await withStore(async (store, dir) => {
    const out = join(dir, "..", "out");
    const heart = join(dir, "..", "heart");
    const stop = join(dir, "..", "stop");
    writeFileSync(out, "");
    const worker = startFixture(other, "queue_worker", [dir, out, heart, stop]);
    const handled = () => readFileSync(out, "utf8").split("\n").filter((line) => line !== "").length;
    // Time in the worker, from its heartbeat: waiting for it is waiting on a file, not a sleep.
    const workerTime = () => (existsSync(heart) ? Number(readFileSync(heart, "utf8")) || 0 : 0);
    try {
      await store.put("before");
      await waitUntil("the first item to be handled", () => handled() === 1);
      await store.pause();
      // The worker looks at the marker every 250 ms at most, and polls every 50 ms: 2 s is far past both.
      const paused = Date.now();
      await waitUntil("the worker to see the pause", () => workerTime() > paused + 2000);
      await store.put("while paused");
      const put = Date.now();
      await waitUntil("the worker to run on while paused", () => workerTime() > put + 2000);
      assert.equal(handled(), 1, "nothing claimed while paused");
      assert.equal(store.countSync("new"), 1);
      await store.resume();
      await waitUntil("the item to be handled after resume", () => handled() === 2);
      writeFileSync(stop, "stop");
      const result = await within(60_000, "the worker to stop", worker.exited);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), { handled: 2, failed: 0, retried: 0, lost: 0 });
    } finally {
      writeFileSync(stop, "stop");
      worker.child.kill();
    }
  });
});
