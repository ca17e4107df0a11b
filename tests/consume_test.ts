// consume(): worker loops that handle each item once, retry, fail, renew leases and stop cleanly.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type ConsumeItem, FileStore, FileStoreError } from "../mod.ts";
import { countingWatches, onceAcrossRuntimes, RUNTIMES, withStore, withTempDir } from "./_helpers.ts";
import { startFixture, waitUntil, within } from "./_workers_helpers.ts";

const isCode = (code: string) => (error: unknown) => error instanceof FileStoreError && error.code === code;

test("consume() handles every item once and acknowledges it", async () => {
  await withStore(async (store) => {
    await store.putMany(Array.from({ length: 50 }, (_, i) => `item ${i}`));
    const texts: string[] = [];
    let running = 0;
    let most = 0;
    const summary = await store.consume(async (item) => {
      most = Math.max(most, ++running);
      texts.push(await item.text());
      assert.equal((await item.read()).byteLength, new TextEncoder().encode(await item.text()).byteLength);
      running--;
    }, { concurrency: 4, untilEmpty: true });
    assert.deepEqual(summary, { handled: 50, failed: 0, retried: 0, lost: 0 });
    assert.deepEqual(texts.sort(), Array.from({ length: 50 }, (_, i) => `item ${i}`).sort());
    assert.ok(most <= 4, `at most 4 handlers at once, saw ${most}`);
    assert.deepEqual(readdirSync(join(store.path, "new")), []);
    assert.deepEqual(readdirSync(join(store.path, "cur")), [], "acknowledged items are deleted");
  }, { areas: ["failed"] });
});

test("consume() moves handled items to doneArea", async () => {
  await withStore(async (store) => {
    const { name } = await store.put("x");
    const summary = await store.consume(() => {}, { doneArea: "done", untilEmpty: true });
    assert.equal(summary.handled, 1);
    assert.deepEqual(readdirSync(join(store.path, "done")), [`${name}:2,`]);
  }, { areas: ["done", "failed"] });
});

test("consume() hands a failing item back, then moves it to failedArea after maxAttempts", async () => {
  await withStore(async (store) => {
    const { name } = await store.put("bad");
    const attempts: number[] = [];
    const summary = await store.consume((item) => {
      attempts.push(item.attempts);
      throw new Error("handler failure");
    }, { untilEmpty: true, maxAttempts: 3 });
    assert.deepEqual(attempts, [0, 1, 2]);
    assert.deepEqual(summary, { handled: 0, failed: 1, retried: 2, lost: 0 });
    assert.deepEqual(readdirSync(join(store.path, "failed")), [`${name},A=2:2,`]);
    assert.deepEqual(readdirSync(join(store.path, "new")), []);
    assert.deepEqual(readdirSync(join(store.path, "cur")), []);
  }, { areas: ["failed"] });
});

test("consume() moves an item that already had maxAttempts to failedArea without handling it", async () => {
  await withStore(async (store) => {
    await store.put("crashes its worker", { name: "poison" });
    // Two crashes of its holder, each followed by recover(), left it at two attempts.
    for (let i = 0; i < 2; i++) await store.release((await store.next())!);
    let calls = 0;
    const summary = await store.consume(() => void calls++, { untilEmpty: true, maxAttempts: 2 });
    assert.equal(calls, 0);
    assert.deepEqual(summary, { handled: 0, failed: 1, retried: 0, lost: 0 });
    assert.deepEqual(readdirSync(join(store.path, "failed")), ["poison,A=2:2,"]);
  }, { areas: ["failed"] });
});

test("consume() refuses a failedArea or doneArea the store does not have", async () => {
  await withStore(async (store) => {
    await store.put("kept");
    await assert.rejects(store.consume(() => {}, { untilEmpty: true, failedArea: "broken" }), (error) => {
      assert.ok(isCode("INVALID_AREA")(error));
      assert.match((error as Error).message, /'broken'.*areas: \["broken"\]/);
      return true;
    });
    await assert.rejects(
      store.consume(() => {}, { untilEmpty: true, failedArea: "new", doneArea: "archive" }),
      isCode("INVALID_AREA"),
    );
    assert.equal(readdirSync(join(store.path, "new")).length, 1, "nothing was claimed");
  });
});

test("the simplest worker runs: failed/ is made on first use", async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"));
    await store.prepare();
    await store.putMany(["good", "bad"]);
    const summary = await new FileStore(join(dir, "store")).consume(async (item) => {
      if ((await item.text()) === "bad") throw new Error("no");
    }, { untilEmpty: true, maxAttempts: 1 });
    assert.deepEqual(summary, { handled: 1, failed: 1, retried: 0, lost: 0 });
    assert.equal(readdirSync(join(dir, "store", "failed")).length, 1);
    assert.deepEqual(store.areas, ["tmp", "new", "cur"], "failed is not declared, only made");
  });
});

test("consume() renews the lease of a running handler", async () => {
  await withStore(async (store) => {
    await store.put("slow");
    const summary = await store.consume(async (item) => {
      const claimed = statSync(item.path).ctimeMs;
      // lease / 3 = 20 ms: wait until the renewal has touched the file.
      await waitUntil("the lease to be renewed", () => statSync(item.path).mtimeMs > claimed + 1, 30_000);
    }, { lease: 60, untilEmpty: true });
    assert.equal(summary.handled, 1);
  }, { areas: ["failed"] });
});

test("consume() tells a handler whose claim was recovered, and counts it as lost", async () => {
  await withTempStores(async (worker, recoverer) => {
    await worker.put("job");
    const summary = await worker.consume(async (item: ConsumeItem) => {
      if (item.attempts > 0) return;
      // Another machine's recoverer takes the item back while this handler runs.
      const returned = await recoverer.recover({ olderThan: 0 });
      assert.equal(returned.length, 1);
      await within(
        30_000,
        "the item's signal",
        new Promise((resolve) => item.signal.addEventListener("abort", resolve)),
      );
      assert.ok(isCode("LOST_CLAIM")(item.signal.reason));
    }, { lease: 60, untilEmpty: true });
    assert.deepEqual(summary, { handled: 1, failed: 0, retried: 0, lost: 1 }, "handled once, after it came back");
  });
});

async function withTempStores(body: (worker: FileStore, recoverer: FileStore) => Promise<void>): Promise<void> {
  await withStore(async (store) => {
    const worker = new FileStore(store.path, { host: "worker-machine", areas: ["failed"] });
    const recoverer = new FileStore(store.path, { host: "recovering-machine" });
    await body(worker, recoverer);
  });
}

test("consume() stops on abort after the handlers in flight finish", async () => {
  await withStore(async (store) => {
    await store.putMany(["a", "b", "c", "d"]);
    const controller = new AbortController();
    let finished = 0;
    const summary = await store.consume(async (item) => {
      controller.abort();
      assert.equal(item.signal.aborted, true, "the item's signal follows the loop's");
      await new Promise((resolve) => setTimeout(resolve, 20));
      finished++;
    }, { concurrency: 2, signal: controller.signal });
    assert.equal(finished, 1);
    assert.deepEqual(summary, { handled: 1, failed: 0, retried: 0, lost: 0 });
    assert.equal(readdirSync(join(store.path, "new")).length, 3, "the rest stays in new/");
  }, { areas: ["failed"] });
});

test("consume() waits for arrivals and handles them", async () => {
  await withStore(async (store) => {
    const controller = new AbortController();
    const seen: string[] = [];
    const loop = store.consume(async (item) => {
      seen.push(await item.text());
      if (seen.length === 3) controller.abort();
    }, { signal: controller.signal, pollInterval: 100 });
    for (const text of ["one", "two", "three"]) await store.put(text);
    const summary = await within(60_000, "consume() to handle three arrivals", loop);
    assert.equal(summary.handled, 3);
    assert.deepEqual(seen.sort(), ["one", "three", "two"]);
  }, { areas: ["failed"] });
});

test("consume() throws NOT_PREPARED when the store disappears, after the handler finishes", async () => {
  await withStore(async (store) => {
    await store.put("x");
    let finished = false;
    await assert.rejects(
      store.consume(() => {
        rmSync(store.path, { recursive: true });
        finished = true;
      }, { pollInterval: 50 }),
      isCode("NOT_PREPARED"),
    );
    assert.ok(finished);
  }, { areas: ["failed"] });
  await withStore(async (store) => {
    // Removed while the loop waits on an empty new/.
    let handled!: () => void;
    const first = new Promise<void>((resolve) => (handled = resolve));
    const loop = store.consume(() => handled(), { pollInterval: 50 });
    await store.put("x");
    await first;
    rmSync(store.path, { recursive: true });
    await within(60_000, "consume() to stop", assert.rejects(loop, isCode("NOT_PREPARED")));
  }, { areas: ["failed"] });
  await withStore(async (store) => {
    // Only cur/ is gone: claims fail with ENOENT, which must not make next() spin.
    await store.put("x");
    rmSync(join(store.path, "cur"), { recursive: true });
    await within(60_000, "consume() to stop", assert.rejects(store.consume(() => {}), isCode("NOT_PREPARED")));
    assert.equal(readdirSync(join(store.path, "new")).length, 1, "the item is still there");
  }, { areas: ["failed"] });
});

test(
  "consume() loops in Deno, Bun and Node processes share 5,000 items, each handled once",
  { skip: onceAcrossRuntimes },
  async () => {
    await withStore(async (store, dir) => {
      const count = 5_000;
      await store.putMany(Array.from({ length: count }, (_, i) => `item-${i}`), { sync: false });
      const logs = RUNTIMES.map((runtime) => join(dir, "..", `handled-by-${runtime}.log`));
      const ready = RUNTIMES.map((runtime) => join(dir, "..", `ready-${runtime}`));
      const go = join(dir, "..", "go");
      const workers = RUNTIMES.map((runtime, i) =>
        startFixture(runtime, "consume", [store.path, logs[i], "8", "log", ready[i], go])
      );
      // Start them together, so that they race (a fast starter would otherwise take everything).
      await within(
        120_000,
        "the consumers to start",
        Promise.race([
          waitUntil("the ready files", () => ready.every((file) => existsSync(file)), 120_000),
          ...workers.map((w) =>
            w.exited.then((exit) => Promise.reject(new Error(`A consumer exited: ${exit.stderr}`)))
          ),
        ]),
      );
      writeFileSync(go, "");
      const exits = await within(180_000, "the consumers to finish", Promise.all(workers.map((w) => w.exited)));
      let handled = 0;
      const lines: string[] = [];
      for (const [i, exit] of exits.entries()) {
        assert.equal(exit.code, 0, `${RUNTIMES[i]}: ${exit.stderr}`);
        const summary = JSON.parse(exit.stdout);
        assert.equal(summary.lost, 0);
        handled += summary.handled;
        try {
          lines.push(...readFileSync(logs[i], "utf8").split("\n").filter(Boolean));
        } catch {
          // This consumer started after the others had emptied new/.
        }
      }
      assert.equal(handled, count);
      const busy = exits.filter((exit) => JSON.parse(exit.stdout).handled > 0).length;
      assert.ok(busy >= 2, `the work is shared: ${exits.map((exit) => exit.stdout.trim()).join(" ")}`);
      assert.equal(lines.length, count, "no item was handled twice");
      assert.equal(new Set(lines).size, count, "every item was handled");
      assert.deepEqual(readdirSync(join(store.path, "new")), []);
      assert.deepEqual(readdirSync(join(store.path, "cur")), []);
    }, { areas: ["failed"] });
  },
);

test("consume() stops watching while it is busy and watches again before it waits", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    const { adapter, opened, closed } = countingWatches(path);
    const store = new FileStore(path, { adapter, areas: ["failed"] });
    await store.prepare();
    await store.putMany(Array.from({ length: 30 }, (_, i) => `backlog ${i}`));
    const controller = new AbortController();
    let handled = 0;
    let closedWhileBusy = 0;
    const loop = store.consume(async (item) => {
      handled++;
      if (handled < 30) await new Promise((resolve) => setTimeout(resolve, 10)); // 300 ms of work without a wait
      if (handled === 30) {
        closedWhileBusy = closed();
        // Put once the loop waits (most likely; found by its look after reopening otherwise): with
        // pollInterval at 10 minutes, only a reopened watcher can bring it in time.
        setTimeout(() => store.put("late").catch(() => {}), 300);
      }
      if ((await item.text()) === "late") controller.abort();
    }, { signal: controller.signal, pollInterval: 600_000 });
    const summary = await within(60_000, "consume() to handle an arrival after its busy stretch", loop);
    assert.equal(summary.handled, 31);
    assert.ok(closedWhileBusy >= 1, `the watcher was closed while the loop was busy (closed ${closedWhileBusy} times)`);
    assert.ok(opened() >= 2, `the watcher was opened again before the loop waited (opened ${opened()} times)`);
    assert.equal(opened(), closed(), "every watcher opened was closed");
  });
});
