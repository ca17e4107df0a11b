// The executor that runs the async API: inline or on the thread pool, the
// same results and errors, and an event loop that keeps turning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defaultAdapter, FileStore, FileStoreError, type FsAdapter, type IoMode } from "../mod.ts";
import { FsyncGate } from "../src/_fsync_gate.ts";
import { SlowShare } from "../src/_slow_score.ts";
import { withTempDir } from "./_helpers.ts";

async function cycle(store: FileStore, count: number): Promise<string[]> {
  for (let i = 0; i < count; i++) await store.put(String(i), { sync: false });
  const seen: string[] = [];
  for (let claim; (claim = await store.next());) {
    seen.push(new TextDecoder().decode(await store.read(claim)));
    await store.ack(claim);
  }
  return seen;
}

test("the async API gives the same results and errors inline and on the pool", async () => {
  await withTempDir(async (dir) => {
    for (const io of ["inline", "pool", "auto"] as IoMode[]) {
      const store = new FileStore(join(dir, io), { io });
      await store.prepare();
      assert.deepEqual(await cycle(store, 200), Array.from({ length: 200 }, (_, i) => String(i)), io);
      await assert.rejects(store.read("missing", "new"), (e) => e instanceof FileStoreError && e.code === "NOT_FOUND");
      await assert.rejects(
        store.put("x", { name: "a/b" }),
        (e) => e instanceof FileStoreError && e.code === "INVALID_NAME",
      );
      assert.equal(store.executor.inline, io === "inline" ? true : io === "pool" ? false : store.executor.inline);
      assert.deepEqual(readdirSync(join(dir, io, "cur")), []);
    }
  });
});

test("timers keep running while an async loop runs inline", async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(dir, { io: "inline" });
    await store.prepare();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      // Without turns of the event loop this loop would be one long chain of microtasks.
      const started = performance.now();
      await cycle(store, 1500);
      const elapsed = performance.now() - started;
      assert.ok(elapsed < 20 || ticks > 0, `no timer ran during ${elapsed.toFixed(0)} ms of inline work`);
    } finally {
      clearInterval(timer);
    }
  });
});

test("an unknown io mode is refused with the value quoted", () => {
  assert.throws(() => new FileStore("/srv/q", { io: "fast" as IoMode }), /Invalid io mode 'fast'/);
});

test("a durable put waits on the pool only for its fsyncs while calls run inline", async () => {
  await withTempDir(async (dir) => {
    for (const io of ["inline", "pool"] as IoMode[]) {
      const calls: string[] = [];
      const real = defaultAdapter();
      // Records the async primitives the executor asks for, and their hints; changes nothing.
      const async = new Proxy(real.async, {
        get(target, key) {
          const fn = Reflect.get(target, key) as (...args: unknown[]) => unknown;
          return (...args: unknown[]) => {
            const inline = key === "writeFile"
              ? (args[2] as { openInline?: boolean }).openInline === true
              : key === "syncDir" && args[1] === true;
            calls.push(`${String(key)}${inline ? " (open inline)" : ""}`);
            return fn.apply(target, args);
          };
        },
      });
      const store = new FileStore(join(dir, io), { io, adapter: { ...real, name: real.name, async } });
      await store.prepare();
      calls.length = 0;
      await store.put("durable", { name: "one" });
      await store.putMany(["a", "b"]);
      const expected = io === "inline"
        ? ["writeFile (open inline)", "syncDir (open inline)", "writeFile (open inline)", "writeFile (open inline)"]
        : ["writeFile", "syncDir", "writeFile", "writeFile"];
      assert.deepEqual(calls.filter((c) => c.startsWith("writeFile") || c.startsWith("syncDir")).slice(0, 4), expected);
      assert.equal(
        calls.filter((c) => c.startsWith("syncDir")).length,
        2,
        `${io}: one fsync of new/ per put and per batch`,
      );
      assert.equal(new TextDecoder().decode(readFileSync(join(dir, io, "new", "one"))), "durable");
      assert.equal(readdirSync(join(dir, io, "new")).length, 3);
      assert.deepEqual(readdirSync(join(dir, io, "tmp")), []);
    }
  });
});

test("fsyncs run inline only after a run of fast ones, and go back to the pool when slow", () => {
  const gate = new FsyncGate();
  assert.equal(gate.inline, false, "the pool first");
  for (let i = 0; i < 15; i++) gate.ranOnPool(0.5);
  assert.equal(gate.inline, false, "15 fast fsyncs are not enough");
  gate.ranOnPool(5);
  for (let i = 0; i < 15; i++) gate.ranOnPool(0.5);
  assert.equal(gate.inline, false, "a slow one restarts the run");
  gate.ranOnPool(0.5);
  assert.equal(gate.inline, true, "16 fast ones in a row");

  gate.ranInline(3);
  assert.equal(gate.inline, true, "one slow fsync alone may be the scheduler");
  gate.ranInline(3);
  gate.ranInline(3);
  assert.equal(gate.inline, true, "three slow ones, the score decaying, are still tolerated");
  gate.ranInline(3);
  assert.equal(gate.inline, false, "four slow ones in a row are not");
  for (let i = 0; i < 31; i++) gate.ranOnPool(0.5);
  assert.equal(gate.inline, false, "after a return to the pool, twice the run is needed");
  gate.ranOnPool(0.5);
  assert.equal(gate.inline, true);

  gate.ranInline(25);
  assert.equal(gate.inline, false, "a stall sends fsyncs back at once");
  for (let i = 0; i < 10_000; i++) gate.ranOnPool(0.5);
  assert.equal(gate.inline, true, "the run needed is capped");
});

// Holds the thread as a slow file system holds a synchronous call.
function holdThread(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) { /* held */ }
}

// The real adapter, its sync calls held `stallMs` whenever `stalls(n)` says so
// for the n-th one, its async calls `asyncDelayMs` late; counts both kinds.
function slowedAdapter(stalls: (n: number) => boolean, stallMs: number, asyncDelayMs: number) {
  const real = defaultAdapter();
  const counts = { sync: 0, async: 0 };
  const sync = new Proxy(real.sync, {
    get(target, key) {
      const fn = Reflect.get(target, key) as (...args: unknown[]) => unknown;
      return (...args: unknown[]) => {
        if (stalls(++counts.sync)) holdThread(stallMs);
        return fn.apply(target, args);
      };
    },
  });
  const async = new Proxy(real.async, {
    get(target, key) {
      const fn = Reflect.get(target, key) as (...args: unknown[]) => Promise<unknown>;
      return async (...args: unknown[]) => {
        counts.async++;
        if (asyncDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, asyncDelayMs));
        return fn.apply(target, args);
      };
    },
  });
  const adapter: FsAdapter = { ...real, name: real.name, sync, async };
  return { adapter, counts };
}

test("a store on a slow file system runs its first call inline, then probes rarely", async () => {
  await withTempDir(async (dir) => {
    const { adapter, counts } = slowedAdapter(() => true, 3, 3);
    const store = new FileStore(dir, { adapter });
    store.prepareSync();
    counts.sync = 0;
    const started = performance.now();
    for (let i = 0; i < 40; i++) await store.put(String(i), { sync: false });
    const elapsed = performance.now() - started;
    assert.equal(store.executor.inline, false, "the calls run on the pool");
    // The first call, then probes 10 ms apart doubling to a second: about log2(elapsed / 10) of them.
    const probes = Math.ceil(Math.log2(elapsed / 10 + 1)) + 1;
    assert.ok(
      counts.sync <= 1 + probes,
      `${counts.sync} of ${counts.sync + counts.async} calls inline in ${elapsed} ms`,
    );
    assert.ok(counts.async >= 40, `${counts.async} calls on the pool`);
    assert.equal(readdirSync(join(dir, "new")).length, 40);
  });
});

test("one slow first call does not send a store to the pool", async () => {
  await withTempDir(async (dir) => {
    // Only the first call after prepare stalls: a cold process, a collection.
    let armed = false;
    const { adapter, counts } = slowedAdapter((n) => armed && n === 1, 3, 0);
    const store = new FileStore(dir, { adapter });
    store.prepareSync();
    counts.sync = 0;
    armed = true;
    assert.deepEqual(await cycle(store, 20), Array.from({ length: 20 }, (_, i) => String(i)));
    assert.equal(store.executor.inline, true, "inline after the second call");
    assert.equal(counts.async, 0, `${counts.async} calls went to the pool`);
  });
});

test("stalls here and there, as on a busy machine, keep a fast store's calls inline", async () => {
  await withTempDir(async (dir) => {
    // Four stalled calls in a row every 40 (the scheduler taking the core, a
    // directory lock held by a process that lost its own).
    let armed = false;
    const { adapter, counts } = slowedAdapter((n) => armed && n % 40 >= 36, 3, 0);
    const store = new FileStore(dir, { adapter });
    store.prepareSync();
    // A cold process's first call can take over 0.5 ms (Node, in CI) and send
    // the store to the pool for a few dozen calls: warm up until it is inline.
    const deadline = performance.now() + 20_000;
    for (let i = 0; performance.now() < deadline && !(i >= 40 && store.executor.inline); i++) {
      await store.put(`warm ${i}`, { sync: false });
      const claim = await store.next();
      if (claim) await store.ack(claim);
    }
    assert.equal(store.executor.inline, true, "inline after the warm-up");
    counts.sync = 0;
    counts.async = 0;
    armed = true;
    for (let i = 0; i < 150; i++) await store.put(String(i), { sync: false });
    for (let claim; (claim = await store.next());) await store.ack(claim);
    assert.equal(store.executor.inline, true, `on the pool after ${counts.sync} inline calls`);
    assert.ok(counts.async <= 2, `${counts.async} calls went to the pool`);
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
  });
});

test("half of the last 16 calls slow is slow; fewer, however close together, are not", () => {
  const share = new SlowShare();
  for (let i = 0; i < 7; i++) assert.equal(share.add(true), false, `${i + 1} slow in a row`);
  for (let i = 0; i < 16; i++) share.add(false);
  for (let i = 0; i < 1000; i++) assert.equal(share.add(i % 16 < 7), false, "7 of every 16");
  for (let i = 0; i < 9; i++) share.add(false);
  let tripped = 0;
  for (let i = 0; i < 16; i++) if (share.add(i % 2 === 0)) tripped++;
  assert.equal(tripped, 1, "8 of 16, spread out");
  share.reset();
  for (let i = 0; i < 7; i++) share.add(true);
  assert.equal(share.add(true), true, "the 8th slow one");
  assert.equal(share.add(true), false, "counting starts again");
});
