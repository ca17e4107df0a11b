// A full file system and a read-only one: clear errors, nothing partial, nothing lost.
import { test } from "node:test";
import assert from "node:assert/strict";
import { closeSync, openSync, readdirSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { type Claim, FileStore, FileStoreError, type FileStoreErrorCode } from "../mod.ts";
import { tmpfsSkip, withTmpfs } from "./_tmpfs.ts";

const MiB = 1024 * 1024;

async function rejects(code: FileStoreErrorCode, body: () => unknown, what: string): Promise<FileStoreError> {
  try {
    await body();
  } catch (error) {
    assert.ok(error instanceof FileStoreError, `${what}: expected a FileStoreError, got ${error}`);
    assert.equal(error.code, code, `${what}: ${error.message}`);
    assert.match(error.message, /^Cannot [a-z]+ '/, `${what}: the message quotes the path`);
    return error;
  }
  assert.fail(`${what}: expected ${code}, but it succeeded`);
}

// Fills the file system with one file until write() fails with ENOSPC.
function fill(path: string): void {
  const fd = openSync(path, "w");
  const chunk = new Uint8Array(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

async function* chunks(count: number, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < count; i++) yield new Uint8Array(size).fill(i);
}

function stream(count: number, size: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === count) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(i++));
    },
  });
}

const names = (dir: string) => readdirSync(dir).sort();

test("put fails with NO_SPACE on a full disk, leaves nothing behind, and works once space is freed", {
  skip: tmpfsSkip,
}, async () => {
  await withTmpfs(MiB, async (mnt) => {
    const dir = join(mnt, "store");
    const store = new FileStore(dir, { areas: ["archive"] });
    await store.prepare();
    await store.put("waiting", { name: "waiting" });

    // Bigger than the whole file system: fails while writing tmp/.
    const big = new Uint8Array(2 * MiB).fill(7);
    const attempts: [string, () => unknown][] = [
      ["put(string)", () => store.put("x".repeat(2 * MiB))],
      ["put(bytes)", () => store.put(big)],
      ["put(bytes, name)", () => store.put(big, { name: "named" })],
      ["put(stream)", () => store.put(stream(40, 64 * 1024))],
      ["put(async iterable)", () => store.put(chunks(40, 64 * 1024))],
      ["putSync", () => store.putSync(big)],
      ["putMany", () => store.putMany(["small", { data: big, name: "big" }, "after"])],
      ["putManySync", () => store.putManySync(["small", big])],
    ];
    for (const [what, attempt] of attempts) {
      await rejects("NO_SPACE", attempt, what);
      assert.deepEqual(names(join(dir, "new")), ["waiting"], `${what}: nothing partial appears in new/`);
      assert.deepEqual(names(join(dir, "tmp")), [], `${what}: the tmp file is removed`);
    }

    // Now a disk filled by someone else: even a few bytes do not fit.
    fill(join(mnt, "filler"));
    await rejects("NO_SPACE", () => store.put("tiny"), "put on a full disk");
    await rejects("NO_SPACE", () => store.putSync("tiny", { name: "tiny" }), "putSync on a full disk");
    await rejects("NO_SPACE", () => store.putMany(["a", "b"]), "putMany on a full disk");
    await rejects("NO_SPACE", () => store.copy("waiting", "new", "archive"), "copy on a full disk");
    const writer = await store.create("by-hand");
    await rejects("NO_SPACE", () => writer.write("some bytes"), "FileWriter.write on a full disk");
    await writer.close();
    await store.remove("by-hand", "tmp");
    assert.deepEqual(names(join(dir, "new")), ["waiting"]);
    assert.deepEqual(names(join(dir, "tmp")), []);
    assert.deepEqual(names(join(dir, "archive")), [], "no partial copy");

    // Consuming needs no space: that is how a full spool drains.
    const claim = await store.next();
    assert.ok(claim);
    assert.equal(new TextDecoder().decode(await store.read(claim)), "waiting");
    await store.ack(claim);

    unlinkSync(join(mnt, "filler"));
    const stored = [
      await store.put("string again"),
      await store.put(new Uint8Array([1, 2, 3]), { name: "bytes" }),
      await store.put(chunks(3, 10)),
      store.putSync("sync"),
      ...(await store.putMany(["m1", "m2"])),
    ];
    assert.equal(names(join(dir, "new")).length, stored.length, "the store works again once space is freed");
    assert.deepEqual([...readFileSync(join(dir, "new", "bytes"))], [1, 2, 3]);
    await store.copy("bytes", "new", "archive");
    assert.deepEqual(names(join(dir, "archive")), ["bytes"]);
  });
});

test("a read-only store gives PERMISSION_DENIED for every change and loses nothing", { skip: tmpfsSkip }, async () => {
  await withTmpfs(MiB, async (mnt, remount) => {
    const dir = join(mnt, "store");
    const store = new FileStore(dir, { areas: ["done"] });
    await store.prepare();
    await store.putMany([{ data: "one", name: "one" }, { data: "two", name: "two" }, { data: "three", name: "three" }]);
    const held = (await store.claim("three")) as Claim;
    assert.ok(held);
    const before = Object.fromEntries(["tmp", "new", "cur", "done"].map((area) => [area, names(join(dir, area))]));

    remount("ro");
    try {
      const changes: [string, () => unknown][] = [
        ["put", () => store.put("x")],
        ["put(name)", () => store.put("x", { name: "x" })],
        ["put(stream)", () => store.put(chunks(2, 10))],
        ["putSync", () => store.putSync("x")],
        ["putMany", () => store.putMany(["x", "y"])],
        ["create", () => store.create("x")],
        ["createSync", () => store.createSync("x")],
        ["claim", () => store.claim("one")],
        ["next", () => store.next()],
        ["nextSync", () => store.nextSync()],
        ["ack", () => store.ack(held)],
        ["ack(to)", () => store.ack(held, { to: "done" })],
        ["ackSync", () => store.ackSync(held)],
        ["release", () => store.release(held)],
        ["touch", () => store.touch(held)],
        ["move", () => store.move("one", "new", "done")],
        ["move(overwrite)", () => store.move("one", "new", "done", { overwrite: true })],
        ["copy", () => store.copy("one", "new", "done")],
        ["remove", () => store.remove("two", "new")],
        ["removeSync", () => store.removeSync("two", "new")],
        ["prepare elsewhere", () => new FileStore(join(mnt, "other")).prepare()],
      ];
      for (const [what, change] of changes) await rejects("PERMISSION_DENIED", change, what);

      // Reading still works.
      await store.prepare(); // already prepared: nothing to do
      assert.equal(new TextDecoder().decode(await store.read("one", "new")), "one");
      assert.equal(new TextDecoder().decode(store.readSync(held)), "three");
      assert.deepEqual(await store.list("new"), [join(dir, "new", "one"), join(dir, "new", "two")]);
      assert.equal(await store.count("new"), 2);
      assert.equal((await store.stats()).claims, 1);
    } finally {
      remount("rw");
    }
    const after = Object.fromEntries(["tmp", "new", "cur", "done"].map((area) => [area, names(join(dir, area))]));
    assert.deepEqual(after, before, "nothing was lost or moved");
    await store.ack(held, { to: "done" });
    const claim = await store.next();
    assert.ok(claim, "the store works again once writable");
  });
});
