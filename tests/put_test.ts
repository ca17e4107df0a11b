// put() with every kind of data, its durability options, and putMany().
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { defaultAdapter, FileStore, FileStoreError, type FsAdapter, type StoredFile } from "../mod.ts";
import { withStore, withTempDir } from "./_helpers.ts";

async function* chunks(...parts: string[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

test("put() takes a string, bytes, a ReadableStream and an async iterable", async () => {
  await withStore(async (store, dir) => {
    const results: [StoredFile, string][] = [
      [await store.put("a string"), "a string"],
      [await store.put(new TextEncoder().encode("some bytes")), "some bytes"],
      [await store.put(new Blob(["a ", "stream"]).stream()), "a stream"],
      [await store.put(chunks("an ", "async ", "iterable")), "an async iterable"],
      [await store.put(chunks()), ""],
      [store.putSync("sync"), "sync"],
    ];
    for (const [stored, content] of results) {
      assert.equal(stored.path, join(dir, "new", stored.name));
      assert.equal(readFileSync(stored.path, "utf8"), content);
      assert.equal(statSync(stored.path).mode & 0o777, 0o600, "fileMode");
    }
    assert.equal(new Set(results.map(([s]) => s.name)).size, results.length);
    assert.deepEqual(readdirSync(join(dir, "tmp")), [], "nothing is left in tmp/");
    await assert.rejects(store.put(42 as unknown as string), TypeError);
  });
});

test("put() with a name publishes under it; fileMode applies", async () => {
  await withStore(async (store, dir) => {
    const stored = await store.put("report", { name: "report.csv" });
    assert.deepEqual(stored, { name: "report.csv", path: join(dir, "new", "report.csv") });
    assert.equal(statSync(stored.path).mode & 0o777, 0o640);
    const streamed = await store.put(chunks("x"), { name: "streamed" });
    assert.equal(readFileSync(streamed.path, "utf8"), "x");
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
  }, { fileMode: 0o640 });
});

test("a failing stream leaves nothing behind", async () => {
  await withStore(async (store, dir) => {
    async function* broken(): AsyncIterable<Uint8Array> {
      yield new TextEncoder().encode("half");
      throw new Error("the source broke");
    }
    // The caller's own error comes back unchanged: it is not a store failure.
    await assert.rejects(store.put(broken()), (e) => {
      assert.ok(!(e instanceof FileStoreError));
      assert.equal((e as Error).message, "the source broke");
      return true;
    });
    await assert.rejects(store.put(broken(), { name: "named" }), /the source broke/);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    assert.deepEqual(readdirSync(join(dir, "new")), []);
  });
});

/** The real adapter, recording which primitives each operation uses (it changes nothing). */
function recording(calls: string[]): FsAdapter {
  const real = defaultAdapter();
  const wrap = <T extends object>(fs: T): T =>
    new Proxy(fs, {
      get(target, key) {
        const fn = Reflect.get(target, key) as (...args: unknown[]) => unknown;
        return (...args: unknown[]) => {
          const options = args[2] as { sync?: boolean } | undefined;
          calls.push(key === "writeFile" ? `writeFile(sync=${options?.sync})` : String(key));
          return fn.apply(target, args);
        };
      },
    });
  return { ...real, name: real.name, sync: wrap(real.sync), async: wrap(real.async) };
}

test("durability: sync fsyncs the file and new/; sync: false does neither", async () => {
  await withTempDir(async (dir) => {
    const calls: string[] = [];
    const store = new FileStore(join(dir, "s"), { adapter: recording(calls) });
    await store.prepare();
    const synced = (): string[] => calls.filter((c) => c.includes("sync") || c === "fsync" || c === "syncDir");

    calls.length = 0;
    await store.put("durable");
    assert.deepEqual(synced(), ["writeFile(sync=true)", "syncDir"]);
    calls.length = 0;
    await store.put("fast", { sync: false });
    assert.deepEqual(synced(), ["writeFile(sync=false)"]);
    calls.length = 0;
    await store.put(chunks("streamed"));
    assert.deepEqual(synced(), ["fsync", "syncDir"]);
    calls.length = 0;
    await store.putMany(["a", "b", "c"]);
    assert.deepEqual(synced(), [
      "writeFile(sync=true)",
      "writeFile(sync=true)",
      "writeFile(sync=true)",
      "syncDir",
    ], "one fsync of new/ for the batch");

    const fast = new FileStore(join(dir, "s"), { adapter: recording(calls), sync: false });
    calls.length = 0;
    await fast.put("default off");
    assert.deepEqual(synced(), ["writeFile(sync=false)"]);
    calls.length = 0;
    fast.putSync("forced on", { sync: true });
    assert.deepEqual(synced(), ["writeFile(sync=true)", "syncDir"]);
    assert.equal(readdirSync(join(dir, "s", "new")).length, 8);
  });
});

test("putMany() delivers in order, with the given names", async () => {
  await withStore(async (store, dir) => {
    const stored = await store.putMany(["first", new TextEncoder().encode("second"), { data: "third", name: "3rd" }]);
    assert.equal(stored.length, 3);
    assert.deepEqual(stored.map((s) => readFileSync(s.path, "utf8")), ["first", "second", "third"]);
    assert.equal(stored[2].name, "3rd");
    assert.equal(readdirSync(join(dir, "new")).length, 3);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    assert.deepEqual(store.putManySync([]), []);
    assert.equal(store.putManySync(["x", { data: "y" }]).length, 2);
  });
});

test("putMany() with a failing item in the middle: earlier items delivered, later ones leave nothing", async () => {
  await withStore(async (store, dir) => {
    await store.put("original", { name: "taken", sync: false });
    const items = ["a", { data: "b", name: "b" }, { data: "clash", name: "taken" }, "d", { data: "e", name: "e" }];
    let caught: unknown;
    try {
      await store.putMany(items, { sync: false });
    } catch (error) {
      caught = error;
    }
    assert.ok(caught instanceof FileStoreError);
    assert.equal(caught.code, "ALREADY_EXISTS");
    assert.ok(caught.message.includes("'taken'"));
    const published = (caught as FileStoreError & { published?: StoredFile[] }).published;
    assert.ok(published);
    assert.deepEqual(published.map((s) => readFileSync(s.path, "utf8")), ["a", "b"]);
    assert.deepEqual(
      readdirSync(join(dir, "new")).sort(),
      [published[0].name, "b", "taken"].sort(),
      "d and e were not delivered",
    );
    assert.equal(readFileSync(join(dir, "new", "taken"), "utf8"), "original");
    assert.deepEqual(readdirSync(join(dir, "tmp")), [], "nothing is left in tmp/");

    assert.throws(() => store.putManySync(["x", { data: "y", name: "taken" }, "z"]), FileStoreError);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);
    assert.equal(readdirSync(join(dir, "new")).length, 4, "only x was added");
  });
});
