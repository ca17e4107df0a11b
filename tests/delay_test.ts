// Delayed items and retries with a delay: they wait in delayed/ under
// NAME,D=<due> and a consumer's next() moves them to new/NAME once due.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore, parseName } from "../mod.ts";
import { onceAcrossRuntimes, RUNTIMES, withStore } from "./_helpers.ts";
import { startFixture, waitUntil, within } from "./_workers_helpers.ts";

const names = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((n) => !n.startsWith(".")).sort() : []);

// next() until it claims something: the due time passes while we wait.
async function claimWhenDue(store: FileStore) {
  for (const deadline = Date.now() + 60_000; Date.now() < deadline;) {
    const claim = await store.next();
    if (claim) return { claim, at: Date.now() };
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("Timed out after 60000 ms waiting for a delayed item to be claimed");
}

test("a delayed item waits in delayed/ (made on first use) and is claimed once due, not before", async () => {
  await withStore(async (store, dir) => {
    assert.equal(existsSync(join(dir, "delayed")), false);
    const later = await store.put("in an hour", { delay: 3_600_000 });
    assert.match(later.name, /,D=\d+$/);
    assert.equal(later.path, join(dir, "delayed", later.name));
    const soon = await store.put("soon", { delay: 150 });
    const due = parseName(soon.name).due!;
    assert.ok(due >= Date.now() - 150 && due <= Date.now() + 150);
    assert.deepEqual(names(join(dir, "new")), []);
    const { claim, at } = await claimWhenDue(store);
    assert.ok(at >= due, `claimed at ${at}, due at ${due}`);
    assert.equal(new TextDecoder().decode(await store.read(claim)), "soon");
    assert.equal(claim.key, parseName(soon.name).key, "the key survives the delay");
    assert.equal(claim.attempts, 0);
    assert.equal(await store.next(), null, "the item due in an hour stays in delayed/");
    assert.deepEqual(names(join(dir, "delayed")), [later.name]);
    assert.equal(store.nextDue(), parseName(later.name).due);
    const stats = await store.stats();
    assert.equal(stats.areas.delayed.count, 1);
  });
});

test("put({ at }) with a Date or epoch ms; a time in the past is ready now; bad values are refused", async () => {
  await withStore(async (store, dir) => {
    const future = await store.put("x", { at: new Date(Date.now() + 3_600_000) });
    assert.ok(future.path.startsWith(join(dir, "delayed")));
    const past = await store.put("y", { at: Date.now() - 1000 });
    assert.equal(past.path, join(dir, "new", past.name));
    assert.throws(
      () => store.putSync("z", { delay: -1 }),
      (e: Error) => e instanceof RangeError && /'-1'/.test(e.message),
    );
    await assert.rejects(store.put("z", { delay: 5, at: 5 }), TypeError);
    assert.throws(() => store.putSync("z", { name: "job,D=5" }), { code: "INVALID_NAME" });
    assert.deepEqual(names(join(dir, "tmp")), [], "nothing left in tmp/");
  });
});

test("putMany(): delay for the batch, overridden per item", async () => {
  await withStore(async (store, dir) => {
    const stored = await store.putMany(["a", { data: "b", delay: 0 }, { data: "c", name: "third" }], {
      delay: 3_600_000,
    });
    assert.deepEqual(stored.map((file) => file.path.split("/").at(-2)), ["delayed", "new", "delayed"]);
    assert.match(stored[2].name, /^third,D=\d+$/);
    assert.deepEqual(names(join(dir, "new")), [stored[1].name]);
  });
});

test("release({ delay }) moves the claim to delayed/ with one more attempt; it comes back when due", async () => {
  await withStore(async (store, dir) => {
    await store.put("job", { priority: 3 });
    const first = (await store.next())!;
    const released = await store.release(first, { delay: 100 });
    assert.equal(released.path, join(dir, "delayed", released.name));
    const parts = parseName(released.name);
    assert.equal(parts.attempts, 1);
    assert.equal(parts.priority, 3, "the priority survives the delay");
    assert.deepEqual(names(join(dir, "cur")), []);
    const { claim, at } = await claimWhenDue(store);
    assert.ok(at >= parts.due!);
    assert.equal(claim.attempts, 1);
    assert.equal(claim.key, first.key);
    await store.ack(claim);
  });
});

test("consume({ retryDelay }) hands a failing item back through delayed/ and untilEmpty waits for it", async () => {
  await withStore(async (store, dir) => {
    await store.put("flaky");
    const seen: number[] = [];
    const asked: number[] = [];
    const summary = await store.consume((item) => {
      seen.push(item.attempts);
      if (item.attempts < 2) throw new Error(`try ${item.attempts}`);
    }, {
      untilEmpty: true,
      maxAttempts: 3,
      pollInterval: 5000,
      retryDelay: (attempts) => {
        asked.push(attempts);
        return 30;
      },
    });
    assert.deepEqual(seen, [0, 1, 2]);
    assert.deepEqual(asked, [1, 2]);
    assert.deepEqual(summary, { handled: 1, failed: 0, retried: 2, lost: 0 });
    assert.deepEqual(names(join(dir, "delayed")), []);
    assert.deepEqual(names(join(dir, "new")), []);
  });
});

test("consume() wakes for a delayed item put by another store object", async () => {
  await withStore(async (store, dir) => {
    const producer = new FileStore(dir);
    const controller = new AbortController();
    let due = 0;
    const texts: string[] = [];
    const running = store.consume(async (item) => {
      texts.push(await item.text());
      assert.ok(Date.now() >= due);
      controller.abort();
    }, { signal: controller.signal, pollInterval: 50 });
    const { name } = await producer.put("later", { delay: 200 });
    due = parseName(name).due!;
    await within(60_000, "the delayed item to be handled", running);
    assert.deepEqual(texts, ["later"]);
  });
});

test("a delayed item due while consumers on Deno, Bun and Node race is handled exactly once", {
  skip: onceAcrossRuntimes,
}, async () => {
  await withStore(async (store, dir) => {
    const out = join(dir, "..", "out");
    const stop = join(dir, "..", "stop");
    writeFileSync(out, "");
    const go = join(dir, "..", "go");
    const workers = RUNTIMES.map((runtime) =>
      startFixture(runtime, "queue_worker", [
        dir,
        out,
        join(dir, "..", `heart-${runtime}`),
        stop,
        join(dir, "..", `ready-${runtime}`),
        go,
      ])
    );
    try {
      await waitUntil("the workers to start", () => RUNTIMES.every((r) => existsSync(join(dir, "..", `ready-${r}`))));
      writeFileSync(go, "go");
      // Due at one moment for all three: they see it due together and race to promote and claim it.
      const at = Date.now() + 600;
      const items = Array.from({ length: 30 }, (_, i) => ({ data: `item ${i}`, at }));
      await store.putMany(items);
      const lines = () => readFileSync(out, "utf8").split("\n").filter((line) => line !== "");
      await waitUntil("every item to be handled", () => lines().length >= 30);
      writeFileSync(stop, "stop");
      const results = await within(60_000, "the workers to stop", Promise.all(workers.map((w) => w.exited)));
      for (const result of results) assert.equal(result.code, 0, result.stderr);
      const texts = lines().map((line) => line.slice(line.indexOf(" ") + 1)).sort();
      assert.deepEqual(texts, items.map((item) => item.data).sort(), "each item handled once");
      assert.deepEqual(names(join(dir, "delayed")), []);
      assert.deepEqual(names(join(dir, "new")), []);
      assert.deepEqual(names(join(dir, "cur")), []);
    } finally {
      writeFileSync(stop, "stop");
      for (const worker of workers) worker.child.kill();
    }
  });
});
