// One runtime publishes, another takes: every ordered pair of Deno, Bun and Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { onceAcrossRuntimes, runFixture, RUNTIMES, withTempDir } from "./_helpers.ts";

test("a file published by one runtime is moved on and claimed by another", { skip: onceAcrossRuntimes }, async () => {
  await withTempDir(async (dir) => {
    const pairs = RUNTIMES.flatMap((from) => RUNTIMES.filter((to) => to !== from).map((to) => [from, to]));
    assert.equal(pairs.length, 6);
    await Promise.all(pairs.map(async ([from, to]) => {
      const store = join(dir, `${from}-to-${to}`);
      const content = `from ${from} to ${to}: Die Ente bleibt draußen! ${"ü".repeat(1000)}`;
      await runFixture(from, "handoff", ["publish", store, "a-file", content]);
      assert.deepEqual(readdirSync(join(store, "new")).sort(), ["a-file", "a-file-put"], `${from} published`);
      const taken = JSON.parse(await runFixture(to, "handoff", ["take", store, "a-file"]));
      assert.deepEqual(taken, { moved: content, claimed: content, key: "a-file-put" }, `${from} -> ${to}`);
      assert.deepEqual(readdirSync(join(store, "cur")), ["a-file"]);
      assert.deepEqual(readdirSync(join(store, "new")), []);
      assert.deepEqual(readdirSync(join(store, "tmp")), []);
    }));
  });
});
