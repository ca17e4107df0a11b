// Adapters' listings: a directory opened by one form (sync or async) reads to the end through the other, as the
// store's calls move between inline and the thread pool in the middle of a listing.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import type { DirEntry, FsAdapter } from "../mod.ts";
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

test("adapters say whether a listing reads the directory whole or streams it", () => {
  const onDeno = "Deno" in globalThis, onBun = "Bun" in globalThis, linux = process.platform === "linux";
  // Node's opendir streams; Deno's node:fs and Bun's read whole, Bun's unless FILESTORE_FFI=1 lets it stream.
  const bunStreams = onBun && linux && process.env.FILESTORE_FFI === "1";
  assert.equal(nodeAdapter().readsDirWhole, onDeno || (onBun && !bunStreams));
  // Deno's sync listings stream through getdents64 where FFI is allowed.
  if (onDeno) assert.equal(denoAdapter().readsDirWhole, !(linux && ffiGranted()));
});

function ffiGranted(): boolean {
  const deno =
    (globalThis as unknown as { Deno: { permissions: { querySync(d: { name: string }): { state: string } } } })
      .Deno;
  return deno.permissions.querySync({ name: "ffi" }).state === "granted";
}

for (const [name, make] of adapters) {
  test(`the ${name} adapter's sync listing: every name and kind across many reads, never . or ..`, async (t) => {
    await withTempDir(async (dir) => {
      const adapter = make();
      const listed = join(dir, "listed");
      mkdirSync(listed);
      // Long names, so that the entries fill several of the kernel's reads.
      const files = Array.from({ length: 1500 }, (_, i) => `${String(i).padStart(5, "0")}.${"n".repeat(150)}`);
      for (const file of files) writeFileSync(join(listed, file), "");
      // A name may begin with U+FEFF: a character of the name, never a byte-order mark to drop.
      for (const name of ["caf\u00e9-\u{1f600}", "\ufeffstarts-with-a-bom", "\ufeff"]) {
        files.push(name);
        writeFileSync(join(listed, name), "");
      }
      mkdirSync(join(listed, "a-directory"));
      symlinkSync("nowhere", join(listed, "a-link"));
      let fifo = false;
      try {
        execFileSync("mkfifo", [join(listed, "a-fifo")]);
        fifo = true;
      } catch {
        t.diagnostic("mkfifo is not available: the FIFO is left out");
      }
      const handle = adapter.sync.openDir(listed);
      const seen: DirEntry[] = [];
      for (let batch; (batch = adapter.sync.readDirBatch(handle, 700)).length > 0;) {
        assert.ok(batch.length <= 700, `a batch of ${batch.length} is over its limit`);
        seen.push(...batch);
      }
      adapter.sync.closeDir(handle);
      const kinds = new Map(seen.map((e) => [e.name, e.kind]));
      assert.equal(kinds.size, seen.length, "no name comes twice");
      assert.deepEqual(seen.filter((e) => e.kind === "file").map((e) => e.name).sort(), files.sort());
      assert.equal(kinds.get("a-directory"), "directory");
      assert.equal(kinds.get("a-link"), "symlink");
      // Deno's node:fs cannot tell a FIFO from an unknown type: either way never a file.
      if (fifo) assert.match(kinds.get("a-fifo")!, /^(other|unknown)$/);
      assert.equal(kinds.size, files.length + 2 + (fifo ? 1 : 0), "nothing else, no . or ..");
      assert.deepEqual(
        [...kinds.keys()].sort(),
        adapter.sync.readDir(listed).map((e) => e.name).sort(),
        "the same names as readDir",
      );
      assert.throws(() => adapter.sync.openDir(join(listed, files[0])), { code: "ENOTDIR" });
      // The async form: the same entries, the same errors.
      const other = await adapter.async.openDir(listed);
      const seenAsync: DirEntry[] = [];
      for (let batch; (batch = await adapter.async.readDirBatch(other, 700)).length > 0;) seenAsync.push(...batch);
      await adapter.async.closeDir(other);
      assert.deepEqual(new Map(seenAsync.map((e) => [e.name, e.kind])), kinds);
      await assert.rejects(adapter.async.openDir(join(listed, files[0])), { code: "ENOTDIR" });
      await assert.rejects(adapter.async.openDir(join(listed, "missing")), { code: "ENOENT" });
    });
  });

  test(`the ${name} adapter's sync listing reads as it goes where it says it streams`, async () => {
    await withTempDir((dir) => {
      const adapter = make();
      const listed = join(dir, "listed");
      mkdirSync(listed);
      const count = 2000;
      for (let i = 0; i < count; i++) writeFileSync(join(listed, `${i}.${"x".repeat(60)}`), "");
      const handle = adapter.sync.openDir(listed);
      let seen = adapter.sync.readDirBatch(handle, 10).length;
      // Gone before the listing reaches them: a stream does not see them, a whole read still does.
      for (const name of readdirSync(listed)) unlinkSync(join(listed, name));
      for (let batch; (batch = adapter.sync.readDirBatch(handle, 1000)).length > 0;) seen += batch.length;
      adapter.sync.closeDir(handle);
      if (adapter.readsDirWhole) assert.equal(seen, count);
      else assert.ok(seen < count / 2, `${seen} of ${count} deleted entries still listed: the listing was read whole`);
    });
  });
}

// Bun streams through bun:ffi only with FILESTORE_FFI=1: this file runs again with it, in a child process.
test("on Bun with FILESTORE_FFI=1, these listing tests pass streaming through getdents64", {
  skip: !("Bun" in globalThis) || process.env.FILESTORE_FFI === "1" || process.platform !== "linux"
    ? "only on Bun (on Linux), once"
    : false,
}, () => {
  const run = spawnSync(process.execPath, ["test", fileURLToPath(import.meta.url)], {
    encoding: "utf8",
    env: { ...process.env, FILESTORE_FFI: "1" },
    timeout: 300_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  assert.equal(run.status, 0, output.slice(-3000));
  assert.match(output, / 0 fail/);
  assert.doesNotMatch(output, /\(fail\)/);
});
