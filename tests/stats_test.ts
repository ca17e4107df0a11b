import { test } from "node:test";
import assert from "node:assert/strict";
import { symlinkSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { withStore } from "./_helpers.ts";

test("stats() counts, sizes and ages each area", async () => {
  await withStore(async (store, dir) => {
    await store.put("12345", { name: "five", sync: false });
    await store.put("123", { name: "three", sync: false });
    const old = Date.now() / 1000 - 3600;
    utimesSync(join(dir, "new", "three"), old, old);
    symlinkSync("/etc/hostname", join(dir, "new", "link"));
    const stats = await store.stats();
    assert.equal(stats.path, dir);
    assert.equal(stats.areas.new.count, 3);
    assert.equal(stats.areas.new.bytes, 8, "symlinks add no bytes");
    assert.equal(stats.areas.new.oldest, "three");
    assert.ok(stats.areas.new.oldestAgeMs! >= 3_500_000);
    assert.deepEqual(stats.areas.tmp, { count: 0, bytes: 0, oldest: null, oldestAgeMs: null });
    assert.equal(stats.claims, 0);
  }, { areas: ["failed"] });
});

test("stats() counts claims and the stuck ones", async () => {
  await withStore(async (store) => {
    await store.putMany(["a", "b"], { sync: false });
    const first = await store.next();
    await store.next();
    assert.ok(first);
    let stats = await store.stats({ lease: 60_000 });
    assert.equal(stats.claims, 2);
    assert.equal(stats.stuck, 0);
    stats = await store.stats({ lease: -1 });
    assert.equal(stats.stuck, 2, "with a lease already over, every claim is stuck");
    await store.ack(first);
    stats = await store.stats({ lease: -1 });
    assert.equal(stats.claims, 1);
  });
});
