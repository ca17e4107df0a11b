// The runner's all(): independent operations, each settled on its own, in
// order, with both runners; and putMany built on it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultAdapter, FileStoreError } from "../mod.ts";
import { all, call, runAsync, runSync, type Steps } from "../src/_io.ts";
import { withStore, withTempDir } from "./_helpers.ts";

function* readText(path: string): Steps<string> {
  return new TextDecoder().decode(yield* call("readFile", path));
}

function* readMany(paths: string[], limit: number): Steps<string[]> {
  const settled = yield* all(paths.map(readText), limit);
  return settled.map((r) => r.status === "fulfilled" ? r.value : `error:${(r.reason as { code?: string }).code}`);
}

test("all() settles every operation in order, with the sync and the async runner", async () => {
  await withTempDir(async (dir) => {
    const paths = Array.from({ length: 40 }, (_, i) => join(dir, `f${i}`));
    paths.forEach((path, i) => i % 7 !== 3 && writeFileSync(path, `item ${i}`));
    const expected = paths.map((_, i) => i % 7 === 3 ? "error:ENOENT" : `item ${i}`);
    const adapter = defaultAdapter();
    assert.deepEqual(runSync(readMany(paths, 4), adapter.sync), expected);
    assert.deepEqual(await runAsync(readMany(paths, 4), adapter.async), expected);
    assert.deepEqual(await runAsync(readMany(paths, 1), adapter.async), expected);
    assert.deepEqual(await runAsync(readMany([], 16), adapter.async), []);
  });
});

test("putMany writes a batch larger than its concurrency limit and publishes it in order", async () => {
  await withStore(async (store, dir) => {
    const items = Array.from({ length: 50 }, (_, i) => `item ${i}`);
    const stored = await store.putMany(items);
    assert.equal(stored.length, 50);
    for (const [i, file] of stored.entries()) {
      assert.equal(new TextDecoder().decode(await store.read(file.name, "new")), items[i]);
    }
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    const again = store.putManySync(items.slice(0, 20), { sync: false });
    assert.equal(again.length, 20);
    assert.equal(readdirSync(join(dir, "new")).length, 70);
  });
});

test("putMany with a taken name keeps the items before it and leaves no tmp file", async () => {
  await withStore(async (store, dir) => {
    await store.put("first", { name: "taken" });
    for (const run of [(items: never[]) => store.putMany(items), (items: never[]) => store.putManySync(items)]) {
      const items = ["a", "b", { data: "c", name: "taken" }, "d"] as never[];
      const error = await (async () => {
        try {
          await run(items);
        } catch (e) {
          return e;
        }
      })();
      assert.ok(error instanceof FileStoreError, `expected a FileStoreError, got ${error}`);
      assert.equal(error.code, "ALREADY_EXISTS");
      assert.equal((error as FileStoreError & { published?: unknown[] }).published?.length, 2);
      assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    }
    assert.equal(readdirSync(join(dir, "new")).length, 5);
    assert.equal(new TextDecoder().decode(await store.read("taken", "new")), "first");
  });
});
