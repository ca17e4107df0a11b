// Why an item failed: the last error, kept in <store>/.errors/<key>.json while the item moves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { keyOf } from "../mod.ts";
import { withStore } from "./_helpers.ts";

test("a handler's error is recorded with the item, seen on its next try, and removed on success", async () => {
  await withStore(async (store, dir) => {
    const { name } = await store.put("job");
    const key = keyOf(name);
    const seen: (string | undefined)[] = [];
    const summary = await store.consume(async (item) => {
      if (item.attempts === 0) throw new Error("printer on fire");
      const record = await store.lastError(item);
      seen.push(record?.message);
      assert.equal(record?.attempts, 1);
      assert.equal(record?.key, key);
      assert.match(record?.stack ?? "", /printer on fire/);
      assert.ok(Date.parse(record!.at) > 0);
    }, { untilEmpty: true, retryDelay: 0 });
    assert.deepEqual(seen, ["printer on fire"]);
    assert.deepEqual(summary, { handled: 1, failed: 0, retried: 1, lost: 0 });
    assert.equal(await store.lastError(key), null, "removed once the item was acknowledged");
    assert.equal(existsSync(join(dir, ".errors", `${key}.json`)), false);
  });
});

test("an item that failed for good keeps its last error in failed/; records are bounded to 8 KiB", async () => {
  await withStore(async (store, dir) => {
    const [small, big] = await store.putMany(["small", "big"]);
    await store.consume(async (item) => {
      const text = await item.text();
      if (text === "small") throw new Error(`no ${item.attempts + 1}`);
      throw new Error("x".repeat(100_000));
    }, { untilEmpty: true, maxAttempts: 2, retryDelay: 1 });
    const failed = await store.list("failed");
    assert.equal(failed.length, 2);
    const record = await store.lastError(failed.find((path) => path.includes(keyOf(small.name)))!);
    assert.equal(record?.message, "no 2");
    assert.equal(record?.attempts, 2);
    const path = join(dir, ".errors", `${keyOf(big.name)}.json`);
    assert.ok(statSync(path).size <= 8192, `record of ${statSync(path).size} bytes`);
    assert.match((await store.lastError(keyOf(big.name)))!.message, /^x+$/);
    assert.deepEqual(readdirSync(join(dir, "tmp")), [], "records are written through tmp/, nothing left");
    assert.equal(await store.lastError("never-there"), null);
  });
});
