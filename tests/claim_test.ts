// claim(), next(), ack(), release() and touch() in one process.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStoreError, parseName } from "../mod.ts";
import { withStore } from "./_helpers.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

test("claim() moves new/NAME to a cur/ name unique to the claim; ack() deletes it", async () => {
  await withStore(async (store, dir) => {
    const { name } = await store.put("job", { sync: false });
    const claim = await store.claim(name);
    assert.ok(claim);
    assert.equal(claim.key, name);
    assert.equal(claim.attempts, 0);
    assert.equal(claim.path, join(dir, "cur", claim.name));
    const pattern = new RegExp(`^${name.replace(/[.\\]/g, "\\$&")},C=P${process.pid}R[0-9a-f]+@.+:2,$`);
    assert.match(claim.name, pattern);
    assert.deepEqual(parseName(claim.name).claim?.pid, process.pid);
    assert.deepEqual(readdirSync(join(dir, "new")), []);
    assert.equal(text(await store.read(claim)), "job");
    assert.equal(await store.claim(name), null, "a second claim loses");
    await store.ack(claim);
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
  });
});

test("two claims of one item get different cur/ names", async () => {
  await withStore(async (store) => {
    await store.put("x", { name: "job", sync: false });
    const first = await store.claim("job");
    assert.ok(first);
    const released = await store.release(first);
    const second = store.claimSync(released);
    assert.ok(second);
    assert.notEqual(second.name, first.name);
    store.ackSync(second);
  });
});

test("next() drains new/ in name order, skipping dot files, symlinks and directories", async () => {
  await withStore(async (store, dir) => {
    for (const name of ["c", "a", "b", "10", "9"]) await store.put(name, { name, sync: false });
    writeFileSync(join(dir, "new", ".dot"), "");
    mkdirSync(join(dir, "new", "0-directory"));
    const order: string[] = [];
    for (let claim; (claim = await store.next());) {
      order.push(claim.key);
      assert.equal(text(await store.read(claim)), claim.key);
      await store.ack(claim);
    }
    assert.deepEqual(order, ["10", "9", "a", "b", "c"]);
    assert.equal(await store.next(), null);
    await store.put("later", { name: "later", sync: false });
    const later = store.nextSync();
    assert.equal(later?.key, "later", "a drained store sees new arrivals");
    assert.equal(store.nextSync(), null);
    assert.deepEqual(readdirSync(join(dir, "new")), [".dot"], "dot files are left alone");
    assert.deepEqual(readdirSync(join(dir, "failed")), ["0-directory"], "a directory is set aside, never handed out");
  });
});

test("release() hands the item back with attempts counted; ack({to}) keeps key and attempts", async () => {
  await withStore(async (store, dir) => {
    await store.put("work", { name: "job", sync: false });
    let claim = await store.next();
    assert.equal(claim?.attempts, 0);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const released = await store.release(claim!);
      assert.equal(released.name, `job,A=${attempt}`);
      assert.deepEqual(readdirSync(join(dir, "new")), [released.name]);
      claim = await store.next();
      assert.ok(claim);
      assert.equal(claim.key, "job");
      assert.equal(claim.attempts, attempt);
    }
    await store.ack(claim!, { to: "failed" });
    assert.deepEqual(readdirSync(join(dir, "failed")), ["job,A=3:2,"]);
    assert.equal(readFileSync(join(dir, "failed", "job,A=3:2,"), "utf8"), "work");
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
  }, { areas: ["failed"] });
});

test("claim() by key finds the item when its name in new/ carries an info part", async () => {
  await withStore(async (store, dir) => {
    writeFileSync(join(dir, "new", "1700000000.M1P2Q3.host,S=5:2,S"), "hello");
    const claim = await store.claim("1700000000.M1P2Q3.host,S=5");
    assert.ok(claim);
    assert.equal(claim.key, "1700000000.M1P2Q3.host,S=5");
    assert.match(claim.name, /^1700000000\.M1P2Q3\.host,S=5,C=P\d+R[0-9a-f]+@.+:2,S$/, "flags are kept");
    assert.equal(text(await store.read(claim)), "hello");
    const released = await store.release(claim);
    assert.equal(released.name, "1700000000.M1P2Q3.host,S=5,A=1:2,S");
    const again = await store.claim(join(dir, "new", "1700000000.M1P2Q3.host,S=5"));
    assert.equal(again?.attempts, 1, "found by key after release too");
    await store.ack(again!, { to: "done" });
    assert.deepEqual(readdirSync(join(dir, "done")), ["1700000000.M1P2Q3.host,S=5,A=1:2,S"]);
  }, { areas: ["done"] });
});

test("touch() moves the claim's mtime and ctime forward", async () => {
  await withStore(async (store) => {
    await store.put("long job", { sync: false });
    const claim = await store.next();
    assert.ok(claim);
    const old = Date.now() / 1000 - 3600;
    utimesSync(claim.path, old, old);
    const before = statSync(claim.path);
    assert.ok(before.mtimeMs <= old * 1000 + 1);
    await store.touch(claim);
    const after = statSync(claim.path);
    assert.ok(after.mtimeMs > before.mtimeMs + 3_000_000, "mtime is now again");
    assert.ok(after.ctimeMs >= before.ctimeMs, "ctime (the lease) does not go back");
    utimesSync(claim.path, old, old);
    store.touchSync(claim);
    assert.ok(statSync(claim.path).mtimeMs > old * 1000 + 3_000_000);
    await store.ack(claim);
    await assert.rejects(store.touch(claim), (e) => e instanceof FileStoreError && e.code === "LOST_CLAIM");
  });
});
