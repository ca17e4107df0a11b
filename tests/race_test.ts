// Real processes of all three runtimes racing on one store: every item is
// claimed exactly once, every payload arrives intact, nobody fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore } from "../mod.ts";
import {
  fixtureCommand,
  onceAcrossRuntimes,
  type ProcessResult,
  type Runtime,
  start,
  waitFor,
  withTempDir,
} from "./_helpers.ts";

const PRODUCED = 10_000; // per producer
const CONTESTED = 5_000;

function lines(file: string): string[] {
  return readFileSync(file, "utf8").split("\n").filter((line) => line !== "");
}

function assertExited(result: ProcessResult, who: string): void {
  assert.equal(result.code, 0, `${who} exited with ${result.code ?? result.signal}:\n${result.stderr}`);
}

test("producers and consumers of all runtimes race: each item exactly once, intact", {
  skip: onceAcrossRuntimes,
}, async () => {
  await withTempDir(async (dir) => {
    const storeDir = join(dir, "store");
    const store = new FileStore(storeDir);
    await store.prepare();
    const go = join(dir, "go");
    const done = join(dir, "producers-done");
    const consumers = (["bun", "node", "deno"] as Runtime[]).map((runtime) => {
      const log = join(dir, `consumer-${runtime}.log`);
      const process = start(fixtureCommand(runtime, "consumer", [storeDir, log, go, done]), { timeoutMs: 180_000 });
      return { runtime, log, process };
    });
    await waitFor(() => consumers.every(({ log }) => existsSync(`${log}.ready`)), "the consumers to start");
    writeFileSync(go, "");
    const producers = (["deno", "node"] as Runtime[]).map((runtime) => {
      const log = join(dir, `producer-${runtime}.log`);
      const process = start(fixtureCommand(runtime, "producer", [storeDir, String(PRODUCED), runtime, log]), {
        timeoutMs: 180_000,
      });
      return { runtime, log, process };
    });
    for (const { runtime, process } of producers) assertExited(await process.done, `producer on ${runtime}`);
    writeFileSync(done, "");
    for (const { runtime, process } of consumers) assertExited(await process.done, `consumer on ${runtime}`);

    const produced = producers.flatMap(({ log }) => lines(log));
    assert.equal(produced.length, 2 * PRODUCED);
    assert.equal(new Set(produced).size, produced.length, "unique names across processes");
    const acked = consumers.flatMap(({ log }) => lines(log));
    assert.equal(acked.length, produced.length, "no item was claimed twice or lost");
    assert.deepEqual(acked.sort(), produced.sort(), "every produced item was acknowledged exactly once");
    for (const { runtime, log } of consumers) {
      console.log(`consumer on ${runtime} acknowledged ${lines(log).length} items`);
    }
    for (const area of ["tmp", "new", "cur"]) assert.equal(await store.count(area), 0, `${area}/ is empty`);
  });
});

test("four processes of mixed runtimes claim the same names: each exactly once", {
  skip: onceAcrossRuntimes,
}, async () => {
  await withTempDir(async (dir) => {
    const storeDir = join(dir, "store");
    const store = new FileStore(storeDir, { sync: false });
    await store.prepare();
    const names = (await store.putMany(Array.from({ length: CONTESTED }, (_, i) => `item ${i}`))).map((f) => f.name);
    const namesFile = join(dir, "names");
    writeFileSync(namesFile, names.join("\n") + "\n");
    const go = join(dir, "go");
    const claimers = (["deno", "node", "bun", "bun"] as Runtime[]).map((runtime, i) => {
      const log = join(dir, `claimer-${i}-${runtime}.log`);
      // Two pairs meet head-on: one pair claims in name order, the other in reverse.
      const order = i % 2 === 0 ? "forward" : "reverse";
      const process = start(fixtureCommand(runtime, "claimer", [storeDir, namesFile, log, go, order]), {
        timeoutMs: 180_000,
      });
      return { runtime, log, process };
    });
    await waitFor(() => claimers.every(({ log }) => existsSync(`${log}.ready`)), "the claimers to start");
    writeFileSync(go, "");
    let won = 0;
    let lost = 0;
    for (const { runtime, process } of claimers) {
      const result = await process.done;
      assertExited(result, `claimer on ${runtime}`);
      const counts = JSON.parse(result.stdout) as { won: number; lost: number };
      console.log(`claimer on ${runtime}: won ${counts.won}, got null ${counts.lost} times`);
      won += counts.won;
      lost += counts.lost;
    }
    assert.equal(won, CONTESTED);
    assert.equal(lost, 3 * CONTESTED, "every losing claim returned null");
    const acked = claimers.flatMap(({ log }) => lines(log));
    assert.deepEqual(acked.sort(), [...names].sort(), "each name was won exactly once");
    for (const area of ["tmp", "new", "cur"]) assert.equal(await store.count(area), 0, `${area}/ is empty`);
  });
});
