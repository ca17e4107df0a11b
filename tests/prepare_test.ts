// The constructor and prepare(): no I/O until prepare, parents and extra areas,
// idempotence, and processes preparing one store at once.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore, FileStoreError } from "../mod.ts";
import { fixtureCommand, onceAcrossRuntimes, type Runtime, start, waitFor, withTempDir } from "./_helpers.ts";

test("the constructor does no I/O", async () => {
  await withTempDir((dir) => {
    const store = new FileStore(join(dir, "a", "b", "store"), { areas: ["done"] });
    assert.equal(store.path, join(dir, "a", "b", "store"));
    assert.deepEqual(store.areas, ["tmp", "new", "cur", "done"]);
    assert.deepEqual(readdirSync(dir), [], "nothing was created");
    assert.equal(store.areaPath("done"), join(dir, "a", "b", "store", "done"));
  });
});

test("the constructor refuses an empty path and bad areas", () => {
  assert.throws(() => new FileStore(""), TypeError);
  assert.throws(() => new FileStore("/x", { areas: ["a/b"] }), (e) => e instanceof FileStoreError);
  assert.throws(() => new FileStore("/x", { areas: ["cur"] }), (e) => e instanceof FileStoreError);
});

test("prepare() creates parents, the standard and the extra areas, with dirMode", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "deep", "er", "store");
    const store = new FileStore(path, { areas: ["done", "failed"], dirMode: 0o750 });
    await store.prepare();
    assert.deepEqual(readdirSync(path).sort(), ["cur", "done", "failed", "new", "tmp"]);
    assert.equal(statSync(join(path, "done")).mode & 0o777, 0o750 & ~umask(dir));
    await store.prepare();
    store.prepareSync();
    assert.deepEqual(readdirSync(path).sort(), ["cur", "done", "failed", "new", "tmp"], "again: nothing more");
  });
});

function umask(dir: string): number {
  const probe = join(dir, "umask-probe");
  mkdirSync(probe, { mode: 0o777 });
  try {
    return ~statSync(probe).mode & 0o777;
  } finally {
    rmdirSync(probe);
  }
}

test("processes of different runtimes preparing the same stores at once all succeed", {
  skip: onceAcrossRuntimes,
}, async () => {
  await withTempDir(async (dir) => {
    const rounds = 40;
    const go = join(dir, "go");
    const runtimes: Runtime[] = ["node", "bun", "deno"];
    const processes = runtimes.map((runtime) =>
      start(fixtureCommand(runtime, "prepare", [join(dir, "stores"), String(rounds), go]), { timeoutMs: 60_000 })
    );
    await waitFor(() => readdirSync(dir).filter((f) => f.endsWith(".ready")).length === runtimes.length, "readiness");
    writeFileSync(go, "");
    const results = await Promise.all(processes.map((p) => p.done));
    for (const [i, result] of results.entries()) {
      assert.equal(result.code, 0, `${runtimes[i]} failed:\n${result.stderr}`);
    }
    for (let i = 0; i < rounds; i++) {
      const path = join(dir, "stores", String(i), "nested", "store");
      assert.deepEqual(readdirSync(path).sort(), ["cur", "done", "failed", "new", "tmp"], `store ${i}`);
    }
    assert.ok(existsSync(join(dir, "stores", "0", "nested", "store", "tmp")));
  });
});
