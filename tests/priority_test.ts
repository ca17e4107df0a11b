// Priorities: a ,P=<n> field (only when not 0), higher claimed first, oldest first within one priority.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { keyOf, nameOfOrderKey, orderKey, parseName } from "../mod.ts";
import { withStore } from "./_helpers.ts";

test("next() claims higher priorities first, oldest first within one priority", async () => {
  await withStore(async (store) => {
    const order = [0, 5, -1, 5, 0, 2, -3, -1];
    for (const [i, priority] of order.entries()) await store.put(`${priority}/${i}`, { priority, sync: false });
    const claimed: string[] = [];
    for (let claim; (claim = await store.next());) {
      claimed.push(new TextDecoder().decode(await store.read(claim)));
      await store.ack(claim);
    }
    assert.deepEqual(claimed, ["5/1", "5/3", "2/5", "0/0", "0/4", "-1/2", "-1/7", "-3/6"]);
  });
});

test("priority 0 writes no field: names and order keys are as without priorities", async () => {
  await withStore(async (store, dir) => {
    const plain = await store.put("a", { priority: 0 });
    assert.doesNotMatch(plain.name, /,P=/);
    const high = await store.put("b", { priority: 7 });
    assert.match(high.name, /,P=7$/);
    assert.equal(keyOf(high.name), high.name.replace(",P=7", ""), "the priority is not part of the key");
    assert.equal(parseName(high.name).priority, 7);
    for (const name of readdirSync(join(dir, "new"))) assert.equal(nameOfOrderKey(orderKey(name)), name);
    // Untimed names of priority 0 still sort after timed ones, and before negative priorities.
    const keys = ["zzz", "1700000000.M1P1Q1.h", "x,P=-1", "y,P=1"].map(orderKey).sort().map(nameOfOrderKey);
    assert.deepEqual(keys, ["y,P=1", "1700000000.M1P1Q1.h", "zzz", "x,P=-1"]);
  });
});

test("a priority that is not an integer is refused with a RangeError naming it; ,P= in a name is refused", async () => {
  await withStore(async (store, dir) => {
    for (const bad of [1.5, Number.NaN, Infinity, "3" as unknown as number]) {
      assert.throws(
        () => store.putSync("x", { priority: bad }),
        (error: Error) => error instanceof RangeError && error.message.includes(`'${String(bad)}'`),
      );
    }
    await assert.rejects(store.putMany(["x"], { priority: 0.5 }), RangeError);
    assert.throws(() => store.putSync("x", { name: "job,P=3" }), { code: "INVALID_NAME" });
    assert.deepEqual(readdirSync(join(dir, "new")), []);
  });
});

test("the priority survives release and a move to failed/, and per-item priorities in putMany()", async () => {
  await withStore(async (store) => {
    const [low, high] = await store.putMany([{ data: "low", priority: -2 }, "high"], { priority: 4 });
    assert.match(low.name, /,P=-2$/);
    assert.match(high.name, /,P=4$/);
    const first = (await store.next())!;
    assert.equal(first.key, keyOf(high.name));
    const released = await store.release(first);
    assert.equal(parseName(released.name).priority, 4);
    const again = (await store.next())!;
    assert.equal(again.key, first.key, "still first after release");
    assert.equal(again.attempts, 1);
    await store.ack(again, { to: "failed" });
    const [failed] = await store.list("failed");
    assert.equal(parseName(failed.slice(failed.lastIndexOf("/") + 1)).priority, 4);
  });
});
