// Maildir compatibility with files made by hand the way real mail tools name
// and place them, and the flags API.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStoreError, flagsOf, withFlags } from "../mod.ts";
import { withStore } from "./_helpers.ts";

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
const names = (dir: string): string[] => readdirSync(dir).sort();

function assertCode(code: string): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof FileStoreError, `expected a FileStoreError, got ${error}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

test("flagsOf() and withFlags() read and write the info part", () => {
  assert.equal(flagsOf("1.M2P3.host,S=12:2,FS"), "FS");
  assert.equal(flagsOf("1.M2P3.host:1,experimental"), "");
  assert.equal(flagsOf("1.M2P3.host"), "");
  assert.equal(withFlags("1.M2P3.host,S=12", "TbSaF"), "1.M2P3.host,S=12:2,FSTab");
  assert.equal(withFlags("key:2,S", ""), "key:2,");
  assert.throws(() => withFlags("key", "S1"), assertCode("INVALID_NAME"));
});

test("setFlags(), addFlags() and removeFlags() rename within the area, flags in ASCII order", async () => {
  await withStore(async (store, dir) => {
    const { name } = await store.put("body", { sync: false });
    assert.equal(await store.flags(name), "", "a new file has no flags");
    const set = await store.setFlags(name, "SFa");
    assert.equal(set.name, `${name}:2,FSa`);
    assert.deepEqual(names(join(dir, "new")), [`${name}:2,FSa`], "flagged in place in new/");
    assert.equal((await store.addFlags(name, "RS")).name, `${name}:2,FRSa`);
    assert.equal(store.removeFlagsSync(name, "Fa").name, `${name}:2,RS`);
    assert.equal(store.addFlagsSync(`${name}:2,`, "T").name, `${name}:2,RST`, "a stale info part still finds it");
    assert.equal(await store.flags(name), "RST");
    assert.equal(store.flagsSync(name, "new"), "RST");
    assert.equal(store.setFlagsSync(name, "").name, `${name}:2,`);
    assert.equal(text(await store.read(name, "new")), "body", "the content never changes");
    await assert.rejects(store.setFlags(name, "S!"), assertCode("INVALID_NAME"));
    await assert.rejects(store.flags("no-such-key"), assertCode("NOT_FOUND"));
    await assert.rejects(store.addFlags(name, "S", "cur"), assertCode("NOT_FOUND"));
    assert.deepEqual(names(join(dir, "new")), [`${name}:2,`], "failed changes touch nothing");
  });
});

test("setFlags() without a change leaves the name alone", async () => {
  await withStore(async (store, dir) => {
    await store.put("x", { name: "plain", sync: false });
    assert.equal((await store.setFlags("plain", "")).name, "plain", "no flags and none wanted: no info part added");
    await store.setFlags("plain", "S");
    assert.equal((await store.addFlags("plain", "S")).name, "plain:2,S");
    assert.deepEqual(names(join(dir, "new")), ["plain:2,S"]);
  });
});

test("flags() looks in cur/ first, then new/, unless given an area or a path", async () => {
  await withStore(async (store, dir) => {
    writeFileSync(join(dir, "cur", "1700000000.M1P2Q3.mail:2,RS"), "read");
    writeFileSync(join(dir, "new", "1700000000.M1P2Q3.mail"), "unread copy");
    writeFileSync(join(dir, "new", "1700000001.M1P2Q3.mail:2,F"), "flagged in new/");
    assert.equal(await store.flags("1700000000.M1P2Q3.mail"), "RS");
    assert.equal(await store.flags("1700000000.M1P2Q3.mail", "new"), "");
    assert.equal(await store.flags(join(dir, "new", "1700000000.M1P2Q3.mail")), "");
    assert.equal(await store.flags("1700000001.M1P2Q3.mail"), "F");
    await assert.rejects(store.flags("x", "nowhere"), assertCode("INVALID_AREA"));
  });
});

test("every method that takes a name accepts the key, the name with info part, or a path", async () => {
  await withStore(async (store, dir) => {
    await store.put("one", { name: "m1", sync: false });
    await store.setFlags("m1", "S");
    assert.equal(text(await store.read("m1", "new")), "one");
    assert.equal(text(store.readSync("m1:2,", "new")), "one", "another info part");
    assert.equal(text(await store.read(join(dir, "new", "m1"), "new")), "one", "a path without the info part");
    await store.copy("m1", "new", "cur");
    assert.deepEqual(names(join(dir, "cur")), ["m1:2,S"], "the copy keeps the name with its flags");
    await store.remove("m1", "cur");
    store.moveSync("m1", "new", "tmp");
    await store.move("m1:2,S", "tmp", "new");
    assert.deepEqual(names(join(dir, "new")), ["m1:2,S"]);
    const claim = await store.claim("m1");
    assert.ok(claim);
    assert.equal(claim.key, "m1");
    assert.match(claim.name, /^m1,C=P\d+R[0-9a-f]+@[^:]+:2,S$/);
    assert.equal(text(await store.read("m1")), "one", "a claim read by its key");
    await store.ack(claim);
    await assert.rejects(store.read("m1", "new"), assertCode("NOT_FOUND"));
    await assert.rejects(store.remove("m1", "cur"), assertCode("NOT_FOUND"));
    await assert.rejects(store.move("m1", "new", "cur"), assertCode("NOT_FOUND"));
    assert.equal(await store.claim("m1"), null);
  });
});

test("a claim stays valid while a mail reader changes its flags", async () => {
  await withStore(async (store, dir) => {
    await store.put("job", { sync: false });
    const claim = await store.next();
    assert.ok(claim);
    assert.match(claim.name, /:2,$/);
    const flagged = await store.addFlags(claim, "S");
    assert.equal(flagged.name, `${claim.name}S`);
    assert.equal(await store.flags(claim), "S");
    await store.touch(claim);
    assert.equal(text(await store.read(claim)), "job");
    const released = await store.release(claim);
    assert.match(released.name, /,A=1:2,S$/, "released with its flags");
    const again = await store.next();
    assert.ok(again);
    assert.equal(again.attempts, 1);
    assert.equal(await store.flags(again), "S");
    // The first holder's claim was handed back: its name must not find the new claim.
    await assert.rejects(store.ack(claim), assertCode("LOST_CLAIM"));
    await assert.rejects(store.touch(claim), assertCode("LOST_CLAIM"));
    // A name renamed by another program under the holder (flags) is still acknowledged.
    const [current] = names(join(dir, "cur"));
    store.setFlagsSync(join(dir, "cur", current), "RS");
    store.ackSync(again);
    assert.deepEqual(names(join(dir, "cur")), []);
  });
});

test("ack() to another area keeps the flags", async () => {
  await withStore(async (store, dir) => {
    await store.put("job", { name: "j", sync: false });
    const claim = await store.claim("j");
    assert.ok(claim);
    await store.setFlags(claim, "F");
    await store.ack(claim, { to: "done" });
    assert.deepEqual(names(join(dir, "done")), ["j:2,F"]);
    assert.equal(await store.flags("j", "done"), "F");
  }, { areas: ["done"] });
});

test("names written by mail tools are read, claimed and keep their fields", async () => {
  await withStore(async (store, dir) => {
    const shapes: Record<string, string> = {
      courier: "1700000000.M123456P42V000000000000FD01I0000000000123456.mx,S=7",
      dovecot: "1700000001.M1P2.mx,S=7,W=8:2,S", // flagged in place in new/
      mblaze: "1700000002.1234_1.mx:2,", // mdeliver puts an info part on new/ files
      python: "1700000003.M5P6Q7.mx",
      keyword: "1700000004.M5P6Q8.mx:2,Fab",
    };
    for (const [tool, name] of Object.entries(shapes)) writeFileSync(join(dir, "new", name), tool);
    const got: Record<string, { key: string; flags: string; name: string }> = {};
    for (let claim; (claim = await store.next());) {
      got[text(await store.read(claim))] = { key: claim.key, flags: await store.flags(claim), name: claim.name };
    }
    assert.deepEqual(Object.keys(got).sort(), Object.keys(shapes).sort());
    assert.equal(got.courier.key, shapes.courier, ",S= belongs to the key");
    assert.equal(got.courier.flags, "");
    assert.equal(got.dovecot.key, "1700000001.M1P2.mx,S=7,W=8");
    assert.equal(got.dovecot.flags, "S");
    assert.match(got.dovecot.name, /^1700000001\.M1P2\.mx,S=7,W=8,C=P\d+R[0-9a-f]+@[^:]+:2,S$/);
    assert.equal(got.mblaze.key, "1700000002.1234_1.mx");
    assert.equal(got.keyword.flags, "Fab");
    for (const { name } of Object.values(got)) assert.equal(name.split(":").length, 2, "one info part");
  });
});

test("files a mail reader flagged in cur/ are read, flagged and removed by key", async () => {
  await withStore(async (store, dir) => {
    writeFileSync(join(dir, "cur", "1700000000.M1P2Q3.mx,S=4:2,RS"), "read");
    assert.equal(text(await store.read("1700000000.M1P2Q3.mx,S=4")), "read");
    await store.removeFlags("1700000000.M1P2Q3.mx,S=4", "R");
    assert.deepEqual(names(join(dir, "cur")), ["1700000000.M1P2Q3.mx,S=4:2,S"]);
    await store.remove("1700000000.M1P2Q3.mx,S=4", "cur");
    assert.deepEqual(names(join(dir, "cur")), []);
  });
});

test("dot files are skipped and tmp names with ':' are tolerated", async () => {
  await withStore(async (store, dir) => {
    for (const area of ["tmp", "new", "cur"]) writeFileSync(join(dir, area, ".hidden"), "x");
    writeFileSync(join(dir, "tmp", "1700000000.R3f2a.mx:2,S"), "neomutt writing");
    assert.deepEqual(await store.list("new"), []);
    assert.equal(await store.count("cur"), 0);
    assert.equal(await store.next(), null, "a dot file is never claimed");
    assert.deepEqual(await store.list("tmp"), [join(dir, "tmp", "1700000000.R3f2a.mx:2,S")]);
    await store.move("1700000000.R3f2a.mx", "tmp", "new");
    const claim = await store.next();
    assert.ok(claim);
    assert.equal(await store.flags(claim), "S");
    await assert.rejects(store.claim(".hidden"), assertCode("INVALID_NAME"));
    await assert.rejects(store.flags(".hidden"), assertCode("INVALID_NAME"));
    assert.ok(existsSync(join(dir, "new", ".hidden")));
  });
});

test("Dovecot's files in the root and Maildir++ folders are tolerated", async () => {
  await withStore(async (store, dir) => {
    writeFileSync(join(dir, "dovecot-uidlist"), "3 V1700000000 N1 G0\n");
    writeFileSync(join(dir, "dovecot-keywords"), "0 $Forwarded\n");
    writeFileSync(join(dir, "dovecot.index.log"), "");
    writeFileSync(join(dir, "dovecot.index.cache"), "");
    writeFileSync(join(dir, "subscriptions"), "Sent\n");
    for (const area of ["cur", "new", "tmp"]) mkdirSync(join(dir, ".Sent", area), { recursive: true });
    await store.prepare();
    store.prepareSync();
    await store.put("mail", { sync: false });
    const stats = await store.stats();
    assert.deepEqual(Object.keys(stats.areas), ["tmp", "new", "cur"]);
    assert.equal(stats.areas.new.count, 1);
    assert.equal((await store.list("new")).length, 1);
    const claim = await store.next();
    assert.ok(claim);
    await store.ack(claim);
    assert.equal(readFileSync(join(dir, "dovecot-uidlist"), "utf8"), "3 V1700000000 N1 G0\n", "left alone");
  });
});
