// uniqueName(): the Maildir format, host escaping, and uniqueness in a process,
// across worker threads and across processes of all runtimes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { FileStore } from "../mod.ts";
import { compiled, onceAcrossRuntimes, runFixture, RUNTIMES, withTempDir } from "./_helpers.ts";

const FORMAT = /^(\d{10,})\.M(\d{1,6})P(\d+)Q(\d+)R([0-9a-f]{16})\.(.+)$/;

test("uniqueName() follows TIME.M<usec>P<pid>Q<seq>R<hex>.HOST", () => {
  const store = new FileStore("/srv/q", { host: "box" });
  const before = Math.floor(Date.now() / 1000);
  const first = FORMAT.exec(store.uniqueName());
  const second = FORMAT.exec(store.uniqueName());
  const after = Math.ceil(Date.now() / 1000);
  assert.ok(first && second);
  assert.ok(Number(first[1]) >= before - 1 && Number(first[1]) <= after + 1, "seconds since the epoch");
  assert.ok(Number(first[2]) < 1_000_000);
  assert.equal(Number(first[3]), process.pid);
  assert.equal(Number(second[4]), Number(first[4]) + 1, "the delivery counter counts");
  assert.equal(first[6], "box");
  assert.notEqual(first[5], second[5]);
});

test("uniqueName() escapes '/' and ':' in the host name the Maildir way", () => {
  const store = new FileStore("/srv/q", { host: "a/b:c" });
  assert.equal(store.host, "a\\057b\\072c");
  const match = FORMAT.exec(store.uniqueName());
  assert.equal(match?.[6], "a\\057b\\072c");
  assert.ok(!store.uniqueName().includes("/"));
  assert.equal(new FileStore("/srv/q").host.includes(":"), false);
});

test("uniqueName() is unique over 100,000 calls", () => {
  const store = new FileStore("/srv/q");
  const names = new Set<string>();
  for (let i = 0; i < 100_000; i++) names.add(store.uniqueName());
  assert.equal(names.size, 100_000);
});

test("uniqueName() is unique across worker threads", async () => {
  const url = new URL(`./fixtures/names_worker.${compiled ? "js" : "ts"}`, import.meta.url);
  const batches = await Promise.all([1, 2, 3, 4].map(() =>
    new Promise<string[]>((resolve, reject) => {
      const worker = new Worker(url, { workerData: { count: 10_000 } });
      worker.once("message", (names: string[]) => {
        resolve(names);
        void worker.terminate();
      });
      worker.once("error", reject);
    })
  ));
  const store = new FileStore("/srv/q");
  const all = [...batches.flat(), ...Array.from({ length: 10_000 }, () => store.uniqueName())];
  assert.equal(all.length, 50_000);
  assert.equal(new Set(all).size, 50_000);
  for (const name of batches[0].slice(0, 10)) assert.match(name, FORMAT);
});

test("uniqueName() is unique across processes of all runtimes", { skip: onceAcrossRuntimes }, async () => {
  await withTempDir(async (dir) => {
    const files = RUNTIMES.flatMap((runtime) => [0, 1].map((i) => join(dir, `${runtime}-${i}`)));
    await Promise.all(
      files.map((file, i) => runFixture(RUNTIMES[Math.floor(i / 2)], "unique_names", ["20000", file])),
    );
    const all = files.flatMap((file) => readFileSync(file, "utf8").split("\n").filter((n) => n !== ""));
    assert.equal(all.length, 120_000);
    assert.equal(new Set(all).size, 120_000);
    assert.equal(new Set(all.map((name) => FORMAT.exec(name)?.[3])).size, 6, "six processes, six pids");
  });
});
