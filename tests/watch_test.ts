// watch(): arrivals seen once, by events or polling, and a clean end on abort.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { FileStoreError, type StoreEntry } from "../mod.ts";
import { currentRuntime, withStore } from "./_helpers.ts";
import { startFixture, within } from "./_workers_helpers.ts";

test("watch() yields existing files only when asked, then each arrival once", async () => {
  await withStore(async (store) => {
    await store.put("a", { name: "existing" });
    const controller = new AbortController();
    const all = store.watch("new", { signal: controller.signal, existing: true, pollInterval: 50 });
    const first = await all.next();
    assert.equal(first.done, false);
    assert.deepEqual(first.value, { name: "existing", path: join(store.path, "new", "existing"), kind: "file" });

    const later = store.watch("new", { signal: controller.signal, pollInterval: 50 });
    const pending = later.next();
    let settled = false;
    pending.finally(() => (settled = true));
    // Files put while the watch starts may count as existing: keep delivering until one is seen.
    const put: string[] = [];
    for (let i = 0; !settled && i < 2000; i++) {
      put.push((await store.put(`later ${i}`)).name);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const seen = (await pending).value as StoreEntry;
    assert.notEqual(seen.name, "existing");
    assert.ok(put.includes(seen.name), "the watch yields an arrival");

    // The first watch sees every arrival, each once, in name order within a scan.
    const names: string[] = [];
    while (names.length < put.length) names.push(((await all.next()).value as StoreEntry).name);
    assert.deepEqual(names.sort(), put.sort());
    controller.abort();
    assert.equal((await all.next()).done, true, "an aborted watch ends cleanly");
    assert.equal((await later.next()).done, true);
  });
});

test("watch() sees 20,000 files put by another process while its consumer is blocked", async () => {
  await withStore(async (store, dir) => {
    const count = 20_000;
    const doneFile = join(dir, "..", "producer-done");
    const signal = AbortSignal.timeout(300_000);
    const seen = new Set<string>();
    let duplicates = 0;
    let producer: ReturnType<typeof startFixture> | undefined;
    await store.put("go", { name: "first" });
    for await (const entry of store.watch("new", { signal, existing: true })) {
      if (entry.name === "first") {
        producer = startFixture(currentRuntime, "produce", [store.path, String(count), doneFile]);
        // Block the event loop (not just this task) until the producer is done, so the
        // directory events pile up far past inotify's 16,384 queue and are dropped.
        const nap = new Int32Array(new SharedArrayBuffer(4));
        const deadline = Date.now() + 240_000;
        while (!existsSync(doneFile) && Date.now() < deadline) Atomics.wait(nap, 0, 0, 5);
        continue;
      }
      if (seen.has(entry.name)) duplicates++;
      seen.add(entry.name);
      if (seen.size === count) break;
    }
    const exit = await within(60_000, "the producer to exit", producer!.exited);
    assert.equal(exit.code, 0, exit.stderr);
    assert.equal(seen.size, count, "every file is seen");
    assert.equal(duplicates, 0, "no file is seen twice");
  });
});

for (const mode of ["waiting", "suspended"]) {
  test(`a process whose watch is aborted while ${mode} exits on its own`, async () => {
    await withStore(async (store) => {
      const watcher = startFixture(currentRuntime, "watch_abort", [store.path, mode]);
      // The fixture polls every 10 minutes: a timer or watcher left behind would outlive this bound.
      const exit = await within(120_000, "the watching process to exit", watcher.exited);
      assert.equal(exit.code, 0, exit.stderr);
      assert.match(exit.stdout, /seen first/);
      assert.match(exit.stdout, /ended/);
      if (mode === "waiting") assert.match(exit.stdout, /next done/);
    });
  });
}

test("watch() throws NOT_PREPARED when the store disappears", async () => {
  await withStore(async (store) => {
    await store.put("x");
    const watch = store.watch("new", { existing: true, pollInterval: 50 });
    assert.equal((await watch.next()).done, false);
    rmSync(store.path, { recursive: true });
    await assert.rejects(watch.next(), (error) => error instanceof FileStoreError && error.code === "NOT_PREPARED");
  });
});

test("watch() rejects an unknown area", async () => {
  await withStore(async (store) => {
    await assert.rejects(
      store.watch("nowhere").next(),
      (error) => error instanceof FileStoreError && error.code === "INVALID_AREA",
    );
  });
});
