// The executor that runs the async API: inline or on the thread pool, the
// same results and errors, and an event loop that keeps turning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { FileStore, FileStoreError, type IoMode } from "../mod.ts";
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
