// The gocept.filestore walkthrough, line by line, with the exact listings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore } from "../mod.ts";
import { withTempDir } from "./_helpers.ts";

test("the seed's walkthrough works", async () => {
  await withTempDir(async (storeDir) => {
    const filestore = new FileStore(storeDir);
    assert.deepEqual(readdirSync(storeDir), [], "so far nothing has happened");

    await filestore.prepare();
    assert.deepEqual(readdirSync(storeDir).sort(), ["cur", "new", "tmp"]);
    await filestore.prepare();
    assert.deepEqual(readdirSync(storeDir).sort(), ["cur", "new", "tmp"], "calling prepare again does nothing");

    const f = await filestore.create("a-file");
    assert.equal(f.path, join(storeDir, "tmp", "a-file"));
    assert.deepEqual(await filestore.list("tmp"), [join(storeDir, "tmp", "a-file")]);
    await f.write("Die Ente bleibt draussen!");
    await f.close();

    await filestore.move("a-file", "tmp", "new");
    assert.deepEqual(await filestore.list("tmp"), []);
    assert.deepEqual(await filestore.list("new"), [join(storeDir, "new", "a-file")]);

    await filestore.move("a-file", "new", "cur");
    assert.deepEqual(await filestore.list("new"), []);
    const [listed] = await filestore.list("cur");
    assert.equal(listed, join(storeDir, "cur", "a-file"));
    assert.equal(readFileSync(listed, "utf8"), "Die Ente bleibt draussen!", "list() paths open directly");

    await filestore.copy("a-file", "cur", "new");
    assert.deepEqual(await filestore.list("new"), [join(storeDir, "new", "a-file")]);
    assert.equal(readFileSync(join(storeDir, "new", "a-file"), "utf8"), "Die Ente bleibt draussen!");
    assert.deepEqual(await filestore.list("tmp"), [], "the copy's temporary file is gone");

    await filestore.remove("a-file", "new");
    await filestore.remove(listed, "cur");
    assert.deepEqual(await filestore.list("new"), []);
    assert.deepEqual(await filestore.list("cur"), []);
  });
});

test("the walkthrough works with the synchronous twins", async () => {
  await withTempDir((storeDir) => {
    const filestore = new FileStore(storeDir);
    filestore.prepareSync();
    filestore.prepareSync();
    assert.deepEqual(readdirSync(storeDir).sort(), ["cur", "new", "tmp"]);
    const f = filestore.createSync("a-file");
    f.writeSync("Die Ente bleibt draussen!");
    f.closeSync();
    assert.deepEqual(filestore.listSync("tmp"), [join(storeDir, "tmp", "a-file")]);
    filestore.moveSync("a-file", "tmp", "new");
    filestore.moveSync(join(storeDir, "new", "a-file"), "new", "cur");
    assert.deepEqual(filestore.listSync("cur"), [join(storeDir, "cur", "a-file")]);
    filestore.copySync("a-file", "cur", "new");
    filestore.removeSync("a-file", "cur");
    assert.deepEqual(filestore.listSync("cur"), []);
    assert.equal(new TextDecoder().decode(filestore.readSync("a-file", "new")), "Die Ente bleibt draussen!");
  });
});
