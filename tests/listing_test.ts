// The seed's API: create (modes), list, move, copy, remove, read; entries() and count().
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, symlinkSync, watch, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStoreError } from "../mod.ts";
import { onceAcrossRuntimes, runFixture, RUNTIMES, waitFor, withStore } from "./_helpers.ts";

test("create 'w' truncates, 'wx' refuses a taken name, 'a' appends; await using closes", async () => {
  await withStore(async (store, dir) => {
    const path = join(dir, "tmp", "f");
    {
      await using file = await store.create("f");
      await file.write("first version");
      assert.equal(file.path, path);
    }
    assert.equal(readFileSync(path, "utf8"), "first version");
    {
      await using file = await store.create("f", "w");
      await file.write("second");
    }
    assert.equal(readFileSync(path, "utf8"), "second", "'w' truncates");
    {
      await using file = await store.create("f", "a");
      await file.write(" + more");
      await file.write(new TextEncoder().encode(" + bytes"));
    }
    assert.equal(readFileSync(path, "utf8"), "second + more + bytes", "'a' appends");
    await assert.rejects(store.create("f", "wx"), (e) => e instanceof FileStoreError && e.code === "ALREADY_EXISTS");
    assert.equal(readFileSync(path, "utf8"), "second + more + bytes");
    const fresh = await store.create("g", "wx");
    assert.equal(fresh.closed, false);
    await fresh.close();
    assert.equal(fresh.closed, true);
    await assert.rejects(fresh.write("late"), (e) => e instanceof FileStoreError);
    const sync = store.createSync("h", "a");
    sync.writeSync("h");
    sync.closeSync();
    assert.equal(readFileSync(join(dir, "tmp", "h"), "utf8"), "h");
    await assert.rejects(store.create("x", "r" as "w"), TypeError);
  });
});

test("list() is sorted, skips dot files, and shows symlinks and directories", async () => {
  await withStore(async (store, dir) => {
    for (const name of ["b", "a", "C", "a0", "ä", "10", "9"]) writeFileSync(join(dir, "new", name), name);
    writeFileSync(join(dir, "new", ".hidden"), "");
    symlinkSync("/nonexistent", join(dir, "new", "link"));
    mkdirSync(join(dir, "new", "sub"));
    const expected = ["10", "9", "C", "a", "a0", "b", "link", "sub", "ä"].map((n) => join(dir, "new", n));
    assert.deepEqual(await store.list("new"), expected, "sorted by code unit, dot files skipped");
    assert.deepEqual(store.listSync("new"), expected);
    assert.deepEqual(await store.list("cur"), []);
    assert.equal(await store.count("new"), 9);
    assert.equal(store.countSync("new"), 9);
    const entries = [];
    for await (const entry of store.entries("new")) entries.push(entry);
    entries.sort((a, b) => (a.name < b.name ? -1 : 1));
    assert.deepEqual(entries.map((e) => e.kind), [
      "file",
      "file",
      "file",
      "file",
      "file",
      "file",
      "symlink",
      "directory",
      "file",
    ]);
    assert.deepEqual(entries.map((e) => e.path), expected);
  });
});

test("list(), entries() and count() are identical on every runtime", { skip: onceAcrossRuntimes }, async () => {
  await withStore(async (store, dir) => {
    for (const name of ["b", "a", "Z", "ä", "1.M2P3Q4.host:2,S"]) await store.put(name, { name, sync: false });
    writeFileSync(join(dir, "new", ".dot"), "");
    symlinkSync("/etc/hostname", join(dir, "new", "link"));
    await store.move("b", "new", "cur");
    const outputs = await Promise.all(RUNTIMES.map((runtime) => runFixture(runtime, "list", [dir])));
    const parsed = outputs.map((output) => JSON.parse(output));
    assert.deepEqual(parsed[0].listed.new, await store.list("new"));
    assert.equal(parsed[0].count, 5);
    assert.equal(parsed[0].entries.find((e: { name: string }) => e.name === "link").kind, "symlink");
    for (const [i, result] of parsed.entries()) assert.deepEqual(result, parsed[0], `${RUNTIMES[i]} differs`);
  });
});

test("move() takes a full path from list() and refuses a path from another area", async () => {
  await withStore(async (store, dir) => {
    await store.put("x", { name: "a", sync: false });
    const [listed] = await store.list("new");
    await store.move(listed, "new", "cur");
    assert.deepEqual(await store.list("cur"), [join(dir, "cur", "a")]);
    const [inCur] = await store.list("cur");
    await assert.rejects(
      store.move(inCur, "new", "done"),
      (e) => e instanceof FileStoreError && e.code === "INVALID_NAME" && e.message.includes(inCur),
    );
    await assert.rejects(store.move(join(dir, "new", "..", "cur", "a"), "new", "cur"), FileStoreError);
    assert.deepEqual(await store.list("cur"), [join(dir, "cur", "a")], "nothing moved");
    await store.move({ name: "a", path: inCur }, "cur", "done");
    assert.equal(readFileSync(join(dir, "done", "a"), "utf8"), "x");
    await store.move("a", "done", "done");
    assert.equal(readFileSync(join(dir, "done", "a"), "utf8"), "x", "a move onto itself keeps the file");
    await store.put("y", { name: "a", sync: false });
    await store.move("a", "new", "done", { overwrite: true });
    assert.equal(readFileSync(join(dir, "done", "a"), "utf8"), "y", "overwrite replaces");
  }, { areas: ["done"] });
});

test("copy() goes through tmp/: the target is never written in place", async () => {
  await withStore(async (store, dir) => {
    const big = "0123456789abcdef".repeat(1 << 16); // 1 MiB
    await store.put(big, { name: "big", sync: false });
    const seen: { tmp: string[]; target: string[] } = { tmp: [], target: [] };
    const watchers = [
      watch(join(dir, "tmp"), (type, name) => seen.tmp.push(`${type}:${name}`)),
      watch(join(dir, "done"), (type, name) => seen.target.push(`${type}:${name}`)),
    ];
    try {
      await store.copy("big", "new", "done");
      // A sentinel after the copy: once it is seen, every earlier event was delivered.
      writeFileSync(join(dir, "done", "sentinel"), "");
      await waitFor(() => seen.target.some((e) => e.endsWith(":sentinel")), "the watcher");
    } finally {
      for (const watcher of watchers) watcher.close();
    }
    assert.ok(seen.tmp.length > 0, "the copy was written in tmp/");
    assert.deepEqual(seen.target.filter((e) => e.endsWith(":big")), ["rename:big"], "one atomic appearance");
    assert.equal(readFileSync(join(dir, "done", "big"), "utf8"), big);
    assert.equal(readFileSync(join(dir, "new", "big"), "utf8"), big, "the source stays");
    assert.deepEqual(await store.list("tmp"), []);
  }, { areas: ["done"] });
});

test("remove() and read() take names, paths and stored files", async () => {
  await withStore(async (store, dir) => {
    const stored = await store.put("one", { name: "one", sync: false });
    await store.put("two", { name: "two", sync: false });
    assert.equal(new TextDecoder().decode(await store.read(stored, "new")), "one");
    assert.equal(new TextDecoder().decode(await store.read(join(dir, "new", "two"), "new")), "two");
    await store.remove(stored, "new");
    store.removeSync(join(dir, "new", "two"), "new");
    assert.deepEqual(await store.list("new"), []);
  });
});
