// recover() and clean(): claims of crashed holders come back once; abandoned tmp files go.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore, FileStoreError } from "../mod.ts";
import { currentRuntime, withStore } from "./_helpers.ts";
import { startFixture, waitUntil, within } from "./_workers_helpers.ts";

const isCode = (code: string) => (error: unknown) => error instanceof FileStoreError && error.code === code;

test("a consumer killed in its handler: recover() brings its items back, then each is handled once", async () => {
  await withStore(async (store, dir) => {
    const keys = (await store.putMany(["0", "1", "2", "3", "4"])).map((file) => file.name);
    const markers = join(dir, "..", "markers");
    mkdirSync(markers);
    const worker = startFixture(currentRuntime, "consume", [store.path, markers, "2", "hang"]);
    await within(
      120_000,
      "the worker to enter two handlers",
      Promise.race([
        waitUntil("two markers", () => readdirSync(markers).length === 2, 120_000),
        worker.exited.then((exit) => Promise.reject(new Error(`The worker exited early: ${exit.stderr}`))),
      ]),
    );
    worker.child.kill("SIGKILL");
    assert.equal((await within(60_000, "the worker to die", worker.exited)).signal, "SIGKILL");

    const held = readdirSync(join(store.path, "cur"));
    assert.equal(held.length, 2, "the dead worker's two claims are still in cur/");
    assert.deepEqual(await store.recover({ olderThan: 60_000 }), [], "young leases are left alone");
    const returned = await store.recover({ olderThan: 0 });
    assert.deepEqual(
      returned.map((file) => file.name).sort(),
      readdirSync(markers).map((key) => `${key},A=1`).sort(),
    );
    assert.deepEqual(readdirSync(join(store.path, "cur")), []);

    const log = join(dir, "..", "handled.log");
    const attempts = new Map<string, number>();
    const summary = await store.consume((item) => {
      appendFileSync(log, `${item.key}\n`);
      attempts.set(item.key, item.attempts);
    }, { untilEmpty: true });
    assert.deepEqual(summary, { handled: 5, failed: 0, retried: 0, lost: 0 });
    assert.deepEqual(readFileSync(log, "utf8").split("\n").filter(Boolean).sort(), keys.sort());
    for (const key of readdirSync(markers)) assert.equal(attempts.get(key), 1, "a recovered item counts an attempt");
  }, { areas: ["failed"] });
});

test("recover() leaves live holders, young leases and files without a claim token alone", async () => {
  await withStore(async (store) => {
    const elsewhere = new FileStore(store.path, { host: "other-machine" });
    await store.putMany(["mine", "theirs"]);
    await store.put("moved", { name: "moved-by-hand" });
    await store.move("moved-by-hand", "new", "cur");
    writeFileSync(join(store.path, "cur", "1700000000.M1P2Q3.mailhost:2,S"), "read by a mail reader");
    const mine = await store.next();
    const theirs = await elsewhere.next();
    assert.ok(mine && theirs);
    assert.deepEqual(await store.recover({ olderThan: 0 }).then((r) => r.map((f) => f.name)), [
      `${theirs.key},A=1`,
    ], "a claim from another machine comes back on lease expiry alone; this live process keeps its own");
    assert.deepEqual(store.recoverSync({ olderThan: 0 }), []);
    assert.deepEqual(
      readdirSync(join(store.path, "cur")).sort(),
      ["1700000000.M1P2Q3.mailhost:2,S", "moved-by-hand", mine.name].sort(),
    );
    await store.ack(mine);
  });
});

test("a holder that returns after its item was recovered and claimed again gets LOST_CLAIM", async () => {
  await withStore(async (store) => {
    const old = new FileStore(store.path, { host: "crashed-machine" });
    await store.put("job");
    const stale = await old.next();
    assert.ok(stale);
    const [returned] = store.recoverSync({ olderThan: 0 });
    assert.equal(returned.name, `${stale.key},A=1`);
    const current = await store.next();
    assert.ok(current);
    assert.equal(current.attempts, 1);

    await assert.rejects(old.touch(stale), isCode("LOST_CLAIM"));
    await assert.rejects(old.ack(stale), isCode("LOST_CLAIM"));
    await assert.rejects(old.release(stale), isCode("LOST_CLAIM"));
    assert.throws(() => old.ackSync(stale), isCode("LOST_CLAIM"));
    assert.deepEqual(readdirSync(join(store.path, "cur")), [current.name], "the new holder's claim is untouched");
    assert.deepEqual(readdirSync(join(store.path, "new")), []);
    assert.equal(new TextDecoder().decode(await store.read(current)), "job");
    await store.ack(current);
  });
});

test("two processes recovering at once return each claim exactly once", async () => {
  await withStore(async (store, dir) => {
    const gone = new FileStore(store.path, { host: "gone-machine", sync: false });
    await gone.putMany(Array.from({ length: 1000 }, (_, i) => String(i)), { sync: false });
    const claims: string[] = [];
    for (let claim; (claim = gone.nextSync());) claims.push(claim.key);
    const go = join(dir, "..", "go");
    const recoverers = [0, 1].map((i) =>
      startFixture(currentRuntime, "recover", [store.path, join(dir, "..", `ready-${i}`), go])
    );
    await waitUntil(
      "both recoverers",
      () => readdirSync(join(dir, "..")).filter((f) => f.startsWith("ready")).length === 2,
    );
    writeFileSync(go, "");
    const exits = await within(120_000, "the recoverers", Promise.all(recoverers.map((r) => r.exited)));
    const returned = exits.flatMap((exit) => {
      assert.equal(exit.code, 0, exit.stderr);
      return JSON.parse(exit.stdout) as string[];
    });
    assert.equal(returned.length, 1000, "no claim was returned twice");
    assert.deepEqual(returned.sort(), claims.map((key) => `${key},A=1`).sort());
    assert.equal(readdirSync(join(store.path, "new")).length, 1000);
  });
});

test("recover() throws NOT_PREPARED on a store that is not there", async () => {
  await withStore(async (store) => {
    const missing = new FileStore(join(store.path, "nowhere"));
    await assert.rejects(missing.recover(), isCode("NOT_PREPARED"));
    assert.throws(() => missing.cleanSync(), isCode("NOT_PREPARED"));
  });
});

test("clean() removes only files in tmp/ that are old by both mtime and ctime", async () => {
  await withStore(async (store) => {
    const tmp = join(store.path, "tmp");
    const twoDaysAgo = Date.now() / 1000 - 48 * 3600;
    writeFileSync(join(tmp, "abandoned"), "");
    writeFileSync(join(tmp, "being-written"), "");
    writeFileSync(join(tmp, "old-mtime"), "");
    // A writer may give a file it is still writing an old mtime (preserving a date): its ctime says it is fresh.
    utimesSync(join(tmp, "old-mtime"), twoDaysAgo, twoDaysAgo);
    assert.deepEqual(await store.clean(), [], "nothing is 36 hours old");
    // A file written in the future by mtime is as fresh as can be.
    const inAnHour = Date.now() / 1000 + 3600;
    utimesSync(join(tmp, "being-written"), inAnHour, inAnHour);
    await store.put("published");
    const removed = await store.clean({ tmpOlderThan: 0 });
    assert.deepEqual(removed.map((f) => f.name).sort(), ["abandoned", "old-mtime"]);
    assert.equal(removed[0].path, join(tmp, removed[0].name));
    assert.deepEqual(readdirSync(tmp), ["being-written"]);
    assert.equal(readdirSync(join(store.path, "new")).length, 1, "new/ is not cleaned");
    assert.deepEqual(store.cleanSync({ tmpOlderThan: 0 }), []);
  });
});
