// Faults while running: an area deleted, the store removed under consume(),
// a read-only store under consume(). Clear errors, no crash loop, no busy spin.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rmSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { defaultAdapter, FileStore, FileStoreError, type FileStoreErrorCode, type FsAdapter } from "../mod.ts";
import { withTempDir } from "./_helpers.ts";
import { waitUntil, within } from "./_workers_helpers.ts";
import { tmpfsSkip, withTmpfs } from "./_tmpfs.ts";

const isCode = (code: FileStoreErrorCode) => (error: unknown) => error instanceof FileStoreError && error.code === code;

// The real adapter, counting the listings of one directory: how often a loop looks.
function countingAdapter(dir: () => string): { adapter: FsAdapter; reads: () => number } {
  const real = defaultAdapter();
  let reads = 0;
  const adapter: FsAdapter = {
    ...real,
    sync: {
      ...real.sync,
      readDir: (path) => (path === dir() && reads++, real.sync.readDir(path)),
      openDir: (path) => (path === dir() && reads++, real.sync.openDir(path)),
    },
    async: {
      ...real.async,
      readDir: (path) => (path === dir() && reads++, real.async.readDir(path)),
      openDir: (path) => (path === dir() && reads++, real.async.openDir(path)),
    },
  };
  return { adapter, reads: () => reads };
}

test("an area deleted while running gives NOT_PREPARED, and prepare() brings the store back", async () => {
  await withTempDir(async (top) => {
    const dir = join(top, "store");
    const store = new FileStore(dir, { sync: false });
    await store.prepare();
    await store.put("a", { name: "a" });
    const held = await store.next();
    assert.ok(held);

    rmSync(join(dir, "new"), { recursive: true });
    await assert.rejects(store.put("b"), isCode("NOT_PREPARED"));
    assert.throws(() => store.putSync("b"), isCode("NOT_PREPARED"));
    await assert.rejects(store.next(), isCode("NOT_PREPARED"));
    assert.throws(() => store.nextSync(), isCode("NOT_PREPARED"));
    await assert.rejects(store.list("new"), isCode("NOT_PREPARED"));
    await assert.rejects(store.release(held), isCode("NOT_PREPARED"));

    rmSync(join(dir, "cur"), { recursive: true });
    await assert.rejects(store.ack(held), isCode("NOT_PREPARED"), "not LOST_CLAIM: cur/ itself is gone");
    await assert.rejects(store.touch(held), isCode("NOT_PREPARED"));

    rmSync(join(dir, "tmp"), { recursive: true });
    await assert.rejects(store.put(new Uint8Array(1)), isCode("NOT_PREPARED"));
    await assert.rejects(store.create("x"), isCode("NOT_PREPARED"));

    await store.prepare();
    await store.put("c", { name: "c" });
    const claim = await store.next();
    assert.equal(claim?.key, "c");
    await store.ack(claim);
  });
});

test("consume() stops with NOT_PREPARED when the store is removed under it, without spinning", async () => {
  await withTempDir(async (top) => {
    const dir = join(top, "store");
    const { adapter, reads } = countingAdapter(() => join(dir, "new"));
    const store = new FileStore(dir, { adapter, areas: ["failed"], sync: false });
    await store.prepare();
    await store.putMany(["1", "2", "3", "4", "5"]);
    const handled: string[] = [];
    const running = store.consume((item) => {
      handled.push(item.key);
    }, { concurrency: 2, pollInterval: 25 });
    await waitUntil("five items handled", () => handled.length === 5 && reads() > 3);

    // Idle now, looking every 25 ms. Take the store away.
    const readsBefore = reads();
    const cpuBefore = process.cpuUsage();
    const wallBefore = Date.now();
    rmSync(dir, { recursive: true });
    await assert.rejects(within(30_000, "consume() to stop", running), isCode("NOT_PREPARED"));
    const cpu = process.cpuUsage(cpuBefore);
    const looks = reads() - readsBefore;
    assert.ok(looks <= 2, `consume() looked at new/ ${looks} times after it was removed; once is enough`);
    assert.equal(handled.length, 5, "nothing handled twice");
    console.log(
      `store removed under consume(): ${looks} look(s) at new/, then NOT_PREPARED after ${
        Date.now() - wallBefore
      } ms ` +
        `and ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms of CPU`,
    );
  });
});

test("consume() with a handler running when the store is removed stops once, after that handler", async () => {
  await withTempDir(async (top) => {
    const dir = join(top, "store");
    const { adapter, reads } = countingAdapter(() => join(dir, "new"));
    const store = new FileStore(dir, { adapter, areas: ["failed"], sync: false });
    await store.prepare();
    await store.putMany(["1", "2", "3"]);
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const running = store.consume(async () => {
      calls++;
      await gate;
    }, { concurrency: 3, pollInterval: 25 });
    await waitUntil("three handlers running", () => calls === 3);
    rmSync(dir, { recursive: true });
    const readsBefore = reads();
    release();
    await assert.rejects(within(30_000, "consume() to stop", running), isCode("NOT_PREPARED"));
    assert.equal(calls, 3, "no handler ran again: no crash loop");
    assert.ok(reads() - readsBefore <= 1, `${reads() - readsBefore} looks at new/ after the failure`);
  });
});

test("consume() on a read-only store stops with PERMISSION_DENIED and leaves every item in place", {
  skip: tmpfsSkip,
}, async () => {
  await withTmpfs(1024 * 1024, async (mnt, remount) => {
    const dir = join(mnt, "store");
    const store = new FileStore(dir, { areas: ["failed"], sync: false });
    await store.prepare();
    await store.putMany(["1", "2", "3"]);
    remount("ro");
    try {
      let calls = 0;
      const cpuBefore = process.cpuUsage();
      await assert.rejects(
        within(30_000, "consume() to stop", store.consume(() => void calls++, { pollInterval: 25 })),
        isCode("PERMISSION_DENIED"),
      );
      const cpu = process.cpuUsage(cpuBefore);
      assert.equal(calls, 0);
      assert.equal(await store.count("new"), 3, "nothing lost");
      console.log(`read-only store: consume() stopped after ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms of CPU`);
    } finally {
      remount("rw");
    }
  });
});
