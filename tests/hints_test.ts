// The wake-ups of consume(): when a busy loop stops watching new/, and that it watches again before it waits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Hints } from "../src/_hints.ts";
import { countingWatches, withTempDir } from "./_helpers.ts";

test("a loop that finds work sixteen times without waiting stops watching, and watches again at its next wait", async () => {
  await withTempDir(async (dir) => {
    const watched = join(dir, "new");
    mkdirSync(watched);
    const counted = countingWatches(watched);
    const started = Date.now();
    const hints = new Hints(counted.adapter, watched);
    try {
      for (let i = 0; i < 15; i++) hints.busy();
      // Within 100 ms the count decides; after that the time rule may close it first.
      if (Date.now() - started < 100) assert.equal(counted.closed(), 0, "fifteen finds keep the watcher");
      hints.busy();
      assert.equal(counted.closed(), 1, "the sixteenth find closes the watcher");
      hints.busy();
      assert.equal(counted.closed(), 1, "closed once");

      // What came while nobody watched sent no hint: the next wait reopens and returns at once.
      await hints.wait(600_000);
      assert.equal(counted.opened(), 2, "the watcher is open again");

      // A wait starts the count again: a loop woken for an item at a time keeps its watcher.
      const again = Date.now();
      for (let i = 0; i < 15; i++) hints.busy();
      if (Date.now() - again < 100) assert.equal(counted.closed(), 1, "fifteen finds after a wait keep it");

      // And the reopened watcher wakes a wait when files arrive (its timeout far away): one is
      // written every 20 ms, in case a runtime's watcher misses what comes right after it opened.
      let woken = false;
      const waiting = hints.wait(600_000).then(() => (woken = true));
      for (let i = 0; !woken && i < 1500; i++) {
        writeFileSync(join(watched, `arrived ${i}`), "x");
        await Promise.race([waiting, new Promise((resolve) => setTimeout(resolve, 20))]);
      }
      assert.ok(woken, "a file arriving wakes the wait");
    } finally {
      hints.close();
    }
    assert.equal(counted.opened(), counted.closed(), "every watcher opened was closed");
  });
});
