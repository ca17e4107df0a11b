// Chaos: producers and consumers on Deno, Bun and Node move 20,000
// checksummed items while processes are killed with SIGKILL at random moments
// and restarted, with recover() in between. Every put that returned is
// consumed; every ack that returned happened exactly once; no payload is ever
// torn; tmp/ keeps only files of killed writers, which clean() removes.
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore, parseName } from "../mod.ts";
import { onceAcrossRuntimes, type Runtime, withTempDir } from "./_helpers.ts";
import { type Running, startFixture, waitUntil, within } from "./_workers_helpers.ts";
import { seeded } from "./_prng.ts";

const ITEMS = 20_000;
const PER_PRODUCER = 500;

interface Worker {
  role: "producer" | "consumer";
  runtime: Runtime;
  mode?: "manual" | "consume";
  running?: Running;
  pid?: number;
  generation: number;
}

// Lines of a log; a line cut short by a kill (no newline) is dropped.
function lines(path: string): string[][] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, "utf8");
  return text.slice(0, text.lastIndexOf("\n") + 1).split("\n").filter(Boolean).map((line) => line.split(" "));
}

test("chaos: SIGKILLed producers and consumers on three runtimes lose nothing and tear nothing", {
  skip: onceAcrossRuntimes,
  timeout: 300_000,
}, async () => {
  const r = seeded("chaos");
  await withTempDir(async (top) => {
    const dir = join(top, "store");
    const logs = join(top, "logs");
    mkdirSync(logs);
    const store = new FileStore(dir, { areas: ["done", "failed"] });
    await store.prepare();

    const workers: Worker[] = [
      ...(["deno", "bun", "node"] as const).map((runtime): Worker => ({ role: "producer", runtime, generation: 0 })),
      { role: "consumer", runtime: "deno", mode: "manual", generation: 0 },
      { role: "consumer", runtime: "bun", mode: "consume", generation: 0 },
      { role: "consumer", runtime: "node", mode: "manual", generation: 0 },
      { role: "consumer", runtime: "node", mode: "consume", generation: 0 },
    ];
    const logFiles: string[] = [];
    const killedProducers = new Set<number>();
    let started = 0, killed = 0, recovered = 0;
    let putsLogged = 0;
    const countPuts = () => {
      putsLogged = logFiles.filter((f) => f.includes("producer")).reduce((n, f) => n + lines(f).length, 0);
      return putsLogged;
    };

    const start = (worker: Worker, w: number) => {
      const log = join(logs, `${worker.role}-${w}-${worker.runtime}-${++worker.generation}.log`);
      logFiles.push(log);
      const args = worker.role === "producer"
        ? [dir, log, `${w}.${worker.generation}`, String(PER_PRODUCER)]
        : [dir, log, worker.mode!];
      worker.running = startFixture(worker.runtime, `chaos_${worker.role}`, args);
      worker.pid = worker.running.child.pid;
      started++;
    };
    const stop = async (worker: Worker) => {
      const running = worker.running!;
      running.child.kill("SIGKILL");
      const end = await within(30_000, `${worker.runtime} ${worker.role} to die`, running.exited);
      if (end.signal !== "SIGKILL" && end.code !== 0) {
        assert.fail(`${worker.runtime} ${worker.role} failed before the kill:\n${end.stderr}`);
      }
      if (worker.role === "producer" && end.signal === "SIGKILL") killedProducers.add(worker.pid!);
      worker.running = undefined;
    };

    workers.forEach(start);
    const producing = () => countPuts() < ITEMS;
    // The chaos: every 50-350 ms kill a random process and start it again;
    // producers that finished their share are replaced while items are short.
    while (producing()) {
      await new Promise((resolve) => setTimeout(resolve, 50 + r.int(300)));
      const victim = workers[r.int(workers.length)];
      if (victim.running) {
        await stop(victim);
        killed++;
      }
      for (const [w, worker] of workers.entries()) {
        if (worker.running && worker.role === "producer") {
          const end = await Promise.race([worker.running.exited, Promise.resolve(undefined)]);
          if (end) {
            assert.equal(end.code, 0, `${worker.runtime} producer failed:\n${end.stderr}`);
            worker.running = undefined;
          }
        }
        if (!worker.running && (worker.role === "consumer" || countPuts() < ITEMS)) start(worker, w);
      }
      if (r.next() < 0.3) recovered += (await store.recover({ olderThan: 0 })).length;
    }

    // Calm: producers finish, consumers drain; claims of killed consumers come back by recover().
    for (const worker of workers.filter((w) => w.role === "producer" && w.running)) {
      const end = await within(60_000, `${worker.runtime} producer to finish`, worker.running!.exited);
      assert.equal(end.code, 0, `${worker.runtime} producer failed:\n${end.stderr}`);
      worker.running = undefined;
    }
    const count = (area: string) => readdirSync(join(dir, area)).length;
    // Each check runs recover(), as an operator's cron would.
    await waitUntil("new/ and cur/ to drain", () => {
      recovered += store.recoverSync({ olderThan: 0 }).length;
      return count("new") === 0 && count("cur") === 0;
    }, 90_000);
    for (const worker of workers.filter((w) => w.running)) await stop(worker);
    recovered += (await store.recover({ olderThan: 0 })).length;
    assert.equal(count("new") + count("cur"), 0);

    // What the logs say.
    const puts = new Map<string, string>(); // key -> id
    const done = new Map<string, number>();
    const acks = new Map<string, number>();
    const torn: string[] = [];
    for (const file of logFiles) {
      for (const [event, key, id] of lines(file)) {
        if (event === "put") puts.set(parseName(key).key, id);
        else if (event === "done") done.set(key, (done.get(key) ?? 0) + 1);
        else if (event === "ack") acks.set(key, (acks.get(key) ?? 0) + 1);
        else if (event === "torn") torn.push(key);
      }
    }
    assert.deepEqual(torn, [], "no consumer ever read a torn payload");
    assert.ok(puts.size >= ITEMS, `${puts.size} puts returned`);

    // done/ holds every acknowledged item once: the durable record of acks.
    const inDone = new Map<string, number>();
    for (const name of readdirSync(join(dir, "done"))) {
      const key = parseName(name).key;
      inDone.set(key, (inDone.get(key) ?? 0) + 1);
      const text = readFileSync(join(dir, "done", name), "utf8");
      const newline = text.indexOf("\n");
      const [, sum] = text.slice(0, newline).split(" ");
      assert.equal(createHash("sha1").update(text.slice(newline + 1)).digest("hex"), sum, `done/${name} is intact`);
    }
    const missing = [...puts.keys()].filter((key) => !inDone.has(key));
    assert.deepEqual(missing.slice(0, 5), [], `${missing.length} returned puts were never consumed`);
    const twiceDone = [...inDone].filter(([, n]) => n > 1);
    assert.deepEqual(twiceDone.slice(0, 5), [], "no item was acknowledged twice");
    const twiceAcked = [...acks].filter(([, n]) => n > 1);
    assert.deepEqual(twiceAcked, [], "exactly once for every ack() that returned");
    const redelivered = [...done].filter(([, n]) => n > 1);
    for (const [key] of redelivered) assert.ok(inDone.has(key));
    assert.equal(readdirSync(join(dir, "failed")).length, 0);

    // tmp/ keeps only files of killed producers (the pid is in the unique name); clean() removes them.
    const leftovers = readdirSync(join(dir, "tmp"));
    for (const name of leftovers) {
      const pid = Number(/P(\d+)Q/.exec(name)?.[1]);
      assert.ok(killedProducers.has(pid), `tmp/${name} belongs to a killed producer`);
    }
    const cleaned = await store.clean({ tmpOlderThan: 0 });
    assert.equal(cleaned.length, leftovers.length);
    assert.deepEqual(readdirSync(join(dir, "tmp")), []);

    console.log(
      `chaos: ${puts.size} puts returned, ${inDone.size} items consumed (${inDone.size - puts.size} of them put by ` +
        `producers killed before logging), ${started} processes started, ${killed} killed with SIGKILL, ` +
        `${recovered} claims recovered, ${redelivered.length} items handled twice because their consumer died ` +
        `before acknowledging, ${leftovers.length} tmp files of killed producers cleaned`,
    );
  });
});
