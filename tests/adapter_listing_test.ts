// Adapters' listings: a directory opened by one form (sync or async) reads to the end through the other, as the
// store's calls move between inline and the thread pool in the middle of a listing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { FsAdapter } from "../mod.ts";
import { nodeAdapter } from "../src/adapters/node.ts";
import { denoAdapter } from "../src/adapters/deno.ts";
import { withTempDir } from "./_helpers.ts";

const adapters: [string, () => FsAdapter][] = [["node", nodeAdapter]];
if ("Deno" in globalThis) adapters.push(["deno", denoAdapter]);

// Deno's node:fs keeps apart what Dir.read() and Dir.readSync() have read, so
// entries come twice when they are mixed; the Deno adapter, Deno's default, does not use them.
const mixingBreaks = (name: string) =>
  name === "node" && "Deno" in globalThis ? "Deno's node:fs Dir repeats entries when read() and readSync() mix" : false;

for (const [name, make] of adapters) {
  test(`the ${name} adapter: a listing opened sync reads async, and the other way round`, {
    skip: mixingBreaks(name),
  }, async () => {
    await withTempDir(async (dir) => {
      const adapter = make();
      const listed = join(dir, "listed");
      mkdirSync(listed);
      const expected = Array.from({ length: 25 }, (_, i) => `entry-${String(i).padStart(2, "0")}`);
      for (const entry of expected) writeFileSync(join(listed, entry), entry);
      mkdirSync(join(listed, "a-directory"));

      const opened = adapter.sync.openDir(listed);
      const first = [...adapter.sync.readDirBatch(opened, 10), ...await adapter.async.readDirBatch(opened, 10)];
      for (let batch; (batch = await adapter.async.readDirBatch(opened, 10)).length > 0;) first.push(...batch);
      await adapter.async.closeDir(opened);

      const other = await adapter.async.openDir(listed);
      const second = [...await adapter.async.readDirBatch(other, 7)];
      for (let batch; (batch = adapter.sync.readDirBatch(other, 7)).length > 0;) second.push(...batch);
      adapter.sync.closeDir(other);

      for (const entries of [first, second]) {
        const files = entries.filter((e) => e.kind === "file").map((e) => e.name).sort();
        assert.deepEqual(files, expected);
        assert.deepEqual(entries.filter((e) => e.kind === "directory").map((e) => e.name), ["a-directory"]);
      }
      assert.throws(() => adapter.sync.openDir(join(dir, "missing")), { code: "ENOENT" });
      await assert.rejects(adapter.async.openDir(join(dir, "missing")), { code: "ENOENT" });
    });
  });
}

test("adapters say whether a listing reads the directory whole (Deno) or streams it (Node, Bun)", () => {
  const onDeno = "Deno" in globalThis;
  assert.equal(nodeAdapter().readsDirWhole, onDeno);
  if (onDeno) assert.equal(denoAdapter().readsDirWhole, true);
});
