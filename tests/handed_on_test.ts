// A name brought back beside an item's later one (GlusterFS's self-heal after
// a server outage did this: an acknowledged item's claim back in cur/, one
// inode under two names) is never handed out again: not by recover(), not by
// next(). Two claims of one file are never both dropped. A second name that
// is not the item's later one changes nothing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { linkSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from "node:fs";
import { join } from "node:path";
import { type Claim, FileStore } from "../mod.ts";
import { runSync } from "../src/_io.ts";
import { otherNamesOf } from "../src/store/handed_on.ts";
import { withStore } from "./_helpers.ts";

const AREAS = { areas: ["done", "failed"] };

/** Links `path` back after `body` renamed it away, as a heal that merges directories does. */
async function bringsBack(path: string, body: () => Promise<unknown>): Promise<void> {
  const keep = `${path}.keep`;
  linkSync(path, keep);
  await body();
  linkSync(keep, path);
  unlinkSync(keep);
}

test("recover() drops a claim brought back beside its acknowledged copy instead of handing it out again", async () => {
  await withStore(async (store, dir) => {
    const { name } = await store.put("once only");
    const claim = await store.next();
    assert.ok(claim);
    await bringsBack(claim.path, () => store.ack(claim, { to: "done" }));
    assert.deepEqual(readdirSync(join(dir, "cur")), [claim.name], "the claim's name is back");
    const elsewhere = new FileStore(dir, { host: "other-machine", ...AREAS });
    assert.deepEqual(await elsewhere.recover({ olderThan: 0 }), [], "nothing handed back");
    assert.deepEqual(readdirSync(join(dir, "cur")), [], "the extra name is gone");
    assert.deepEqual(readdirSync(join(dir, "new")), []);
    assert.deepEqual(readdirSync(join(dir, "done")), [`${name}:2,`]);
    assert.equal(readFileSync(join(dir, "done", `${name}:2,`), "utf8"), "once only", "the item itself is intact");
  }, AREAS);
});

test("next() does not hand out a new/ name brought back beside the item's acknowledged copy", async () => {
  await withStore(async (store, dir) => {
    const { name, path } = await store.put("once only");
    await bringsBack(path, async () => {
      const claim = await store.next();
      assert.ok(claim);
      await store.ack(claim, { to: "done" });
    });
    assert.deepEqual(readdirSync(join(dir, "new")), [name], "the new/ name is back");
    assert.equal(await store.next(), null, "it is not handed out");
    assert.deepEqual(readdirSync(join(dir, "new")), []);
    assert.deepEqual(readdirSync(join(dir, "cur")), [], "nor left claimed");
    assert.equal(readFileSync(join(dir, "done", `${name}:2,`), "utf8"), "once only");
    assert.equal(store.nextSync(), null);
  }, AREAS);
});

test("a claim brought back beside its released copy is dropped, and the released one is handled once", async () => {
  await withStore(async (store, dir) => {
    await store.put("retry me");
    const claim = await store.next();
    assert.ok(claim);
    await bringsBack(claim.path, () => store.release(claim));
    const elsewhere = new FileStore(dir, { host: "other-machine", ...AREAS });
    assert.deepEqual(await elsewhere.recover({ olderThan: 0 }), []);
    const handled: string[] = [];
    await store.consume(async (item) => void handled.push(await item.text()), { untilEmpty: true, doneArea: "done" });
    assert.deepEqual(handled, ["retry me"]);
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
  }, AREAS);
});

test("a claim with another name outside the store is recovered as usual", async () => {
  await withStore(async (store, dir) => {
    const { name } = await store.put("backed up by hand");
    const claim = await store.next();
    assert.ok(claim);
    const backups = join(dir, "..", "backups");
    mkdirSync(backups);
    linkSync(claim.path, join(backups, "copy"));
    const elsewhere = new FileStore(dir, { host: "other-machine", ...AREAS });
    assert.deepEqual((await elsewhere.recover({ olderThan: 0 })).map((file) => file.name), [`${name},A=1`]);
    const again = await store.next();
    assert.ok(again, "handed out again");
    assert.equal(new TextDecoder().decode(await store.read(again)), "backed up by hand");
  }, AREAS);
});

/**
 * Puts `text`; `store` claims it, its new/ name comes back, and a consumer on
 * another host claims that too: two claims of one file in cur/.
 */
async function twoClaimsOfOneFile(store: FileStore, dir: string, text: string) {
  const { name, path } = await store.put(text);
  const claims: Claim[] = [];
  await bringsBack(path, async () => claims.push((await store.next())!));
  assert.ok(claims[0]);
  assert.deepEqual(readdirSync(join(dir, "new")), [name], "the new/ name is back");
  const other = new FileStore(dir, { host: "other-machine", ...AREAS });
  assert.equal(await other.next(), null, "a second consumer is not handed the held item");
  // Its claim stays (dropping one of two claims could race the other holder doing the same).
  assert.equal(readdirSync(join(dir, "cur")).length, 2);
  return { name, first: claims[0], other, recoverer: new FileStore(dir, { host: "third-machine", ...AREAS }) };
}

test("next() does not hand out a new/ name brought back while the item's first holder still holds it", async () => {
  await withStore(async (store, dir) => {
    const { name, first, recoverer } = await twoClaimsOfOneFile(store, dir, "held once");
    await store.ack(first, { to: "done" });
    assert.equal(readFileSync(join(dir, "done", `${name}:2,`), "utf8"), "held once");
    assert.deepEqual(readdirSync(join(dir, "new")), []);
    const recovered = await recoverer.recover({ olderThan: 0 });
    assert.deepEqual(recovered, [], "after the ack the second claim is not handed back");
    assert.deepEqual(readdirSync(join(dir, "cur")), [], "but dropped");
  }, AREAS);
});

test("two claims of one file are never both dropped: each sees the other as held, not handed on", async () => {
  await withStore(async (store, dir) => {
    await twoClaimsOfOneFile(store, dir, "the only copy");
    const names = readdirSync(join(dir, "cur"));
    // What two holders checking at the same moment would each be told.
    for (const name of names) {
      const info = store.adapter.sync.lstat(join(dir, "cur", name));
      const others = runSync(otherNamesOf(store, name, info), store.adapter.sync);
      assert.deepEqual(others, { heldAs: names.filter((n) => n !== name) }, name);
    }
  }, AREAS);
});

test("recover() hands back one of two lapsed claims of one file and drops the other", async () => {
  await withStore(async (store, dir) => {
    const { name, other, recoverer } = await twoClaimsOfOneFile(store, dir, "claimed twice, handled once");
    // Both holders are gone; a third host recovers (a pass may meet the later name first).
    const recovered = [
      ...await recoverer.recover({ olderThan: 0 }),
      ...await recoverer.recover({ olderThan: 0 }),
    ];
    assert.deepEqual(recovered.map((file) => file.name), [`${name},A=1`]);
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
    assert.deepEqual(readdirSync(join(dir, "new")), [`${name},A=1`]);
    const handled: string[] = [];
    await other.consume(async (item) => void handled.push(await item.text()), { untilEmpty: true, doneArea: "done" });
    assert.deepEqual(handled, ["claimed twice, handled once"]);
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
  }, AREAS);
});

test("recover() is not held back by another program's name of the claimed file in cur/", async () => {
  await withStore(async (store, dir) => {
    const { name } = await store.put("linked by a mail tool");
    const claim = await store.next();
    assert.ok(claim);
    // No claim token, and it sorts before the claim: it must not count as a claim that goes first.
    linkSync(claim.path, join(dir, "cur", `${name},A=1:2,S`));
    const recoverer = new FileStore(dir, { host: "third-machine", ...AREAS });
    assert.deepEqual((await recoverer.recover({ olderThan: 0 })).map((file) => file.name), [`${name},A=1`]);
    assert.deepEqual(readdirSync(join(dir, "cur")), [`${name},A=1:2,S`], "the other program's name is left alone");
  }, AREAS);
});

test("next() drops a new/ name brought back beside the item's copy in failed/, declared or not", async () => {
  await withStore(async (store, dir) => {
    const { name, path } = await store.put("gave up on");
    await bringsBack(path, async () => {
      const claim = await store.next();
      assert.ok(claim);
      await store.ack(claim, { to: "failed" });
    });
    assert.deepEqual(readdirSync(join(dir, "new")), [name]);
    assert.equal(await store.next(), null);
    assert.deepEqual(readdirSync(join(dir, "new")), []);
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
    assert.equal(readFileSync(join(dir, "failed", `${name}:2,`), "utf8"), "gave up on");
  });
});
