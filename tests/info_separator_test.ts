// A store whose info separator is ';' (the Windows default, where ':' cannot be
// in a file name): names, flags, keys, claims, releases and recovery, on Linux.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { DEFAULT_INFO_SEPARATOR, FileStore, keyOf } from "../mod.ts";
import { withTempDir } from "./_helpers.ts";

test("a store with infoSeparator ';' writes and reads every name with ';', never ':'", async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"), { infoSeparator: ";", host: "win" });
    await store.prepare();
    const { name } = await store.put("job", { sync: false });
    await store.setFlags(name, "F", "new");
    assert.deepEqual(readdirSync(join(dir, "store", "new")), [`${name};2,F`]);
    assert.equal(await store.flags(name), "F", "found by its key");

    const claim = await store.next();
    assert.ok(claim);
    assert.equal(claim.key, name);
    assert.match(claim.name, /,C=P\d+R[0-9a-f]+@win;2,F$/);
    assert.equal(new TextDecoder().decode(await store.read(claim)), "job");
    await store.touch(claim);
    await store.addFlags(claim, "S");
    assert.equal(await store.flags(claim.key, "cur"), "FS");

    const released = await store.release(claim);
    assert.equal(released.name, `${name},A=1;2,FS`);
    const again = await store.next();
    assert.ok(again && again.attempts === 1 && again.key === name);
    assert.deepEqual(await store.recover({ olderThan: 0 }), [], "a live holder keeps its claim");
    await store.ack(again);
    for (const area of ["tmp", "new", "cur"]) assert.deepEqual(readdirSync(join(dir, "store", area)), [], area);
    const everyName = JSON.stringify([name, claim.name, released.name]);
    assert.ok(!everyName.includes(":"), `no ':' in ${everyName}`);
  });
});

test("with ';' a ':' is part of the base, as another program on Windows would leave it", async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"), { infoSeparator: ";", host: "win" });
    await store.prepare();
    writeFileSync(join(dir, "store", "new", "1700000000.M1P2Q3.mx:odd;2,S"), "seen");
    assert.equal(keyOf("1700000000.M1P2Q3.mx:odd;2,S", ";"), "1700000000.M1P2Q3.mx:odd");
    assert.equal(await store.flags("1700000000.M1P2Q3.mx:odd", "new"), "S");
    const claim = await store.next();
    assert.equal(claim?.key, "1700000000.M1P2Q3.mx:odd");
    assert.equal(readFileSync(claim!.path, "utf8"), "seen");
    await store.ack(claim!);
  });
});

test("the default separator is ':' off Windows, and anything but ':' or ';' is refused", () => {
  assert.equal(DEFAULT_INFO_SEPARATOR, process.platform === "win32" ? ";" : ":");
  assert.equal(new FileStore("/srv/q").infoSeparator, DEFAULT_INFO_SEPARATOR);
  assert.throws(() => new FileStore("/srv/q", { infoSeparator: "!" as ":" }), /Invalid infoSeparator '!'/);
});
