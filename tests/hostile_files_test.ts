// Symlinks, FIFOs and directories planted in the store are never read
// through, never claimed, never hang a read, and are marked in listings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { FileStore, FileStoreError, type FileStoreErrorCode } from "../mod.ts";
import { withTempDir } from "./_helpers.ts";

async function refuses(code: FileStoreErrorCode, body: () => unknown, what: string): Promise<void> {
  await assert.rejects(
    async () => await body(),
    (error) => error instanceof FileStoreError && error.code === code,
    `${what}: expected ${code}`,
  );
}

// A store next to a secret that lives outside it.
function withPlanted(body: (store: FileStore, dir: string, secret: string) => Promise<void>): Promise<void> {
  return withTempDir(async (top) => {
    const secret = join(top, "secret");
    writeFileSync(secret, "outside the store");
    const old = Date.now() / 1000 - 3600;
    utimesSync(secret, old, old);
    const dir = join(top, "store");
    const store = new FileStore(dir, { areas: ["done"], sync: false });
    await store.prepare();
    await body(store, dir, secret);
    assert.equal(readFileSync(secret, "utf8"), "outside the store", "the secret is untouched");
    assert.equal(Math.round(statSync(secret).mtimeMs / 1000), Math.round(old), "and its times too");
  });
}

test("a symlink planted in new/ is never claimed nor read through", async () => {
  await withPlanted(async (store, dir, secret) => {
    symlinkSync(secret, join(dir, "new", "link"));
    symlinkSync(join(dir, "..", "nowhere"), join(dir, "new", "dangling"));
    symlinkSync(dir, join(dir, "new", "dirlink"));
    for (const name of ["link", "dangling", "dirlink"]) {
      await refuses("NOT_A_FILE", () => store.claim(name), `claim(${name})`);
      await refuses("NOT_A_FILE", () => store.claimSync(name), `claimSync(${name})`);
      await refuses("NOT_A_FILE", () => store.read(name, "new"), `read(${name})`);
      await refuses("NOT_A_FILE", () => store.readSync(name, "new"), `readSync(${name})`);
      await refuses("NOT_A_FILE", () => store.copy(name, "new", "done"), `copy(${name})`);
    }
    const kinds = new Map<string, string>();
    for await (const entry of store.entries("new")) kinds.set(entry.name, entry.kind);
    assert.deepEqual(Object.fromEntries(kinds), { link: "symlink", dangling: "symlink", dirlink: "symlink" });
    assert.equal((await store.stats()).areas.new.bytes, 0, "stats never follow a link");
    await store.put("real", { name: "real" });
    const claim = await store.next();
    assert.equal(claim?.key, "real", "next() passes over the links and takes the real file");
    assert.equal(await store.next(), null, "and nothing else");
    assert.equal(store.nextSync(), null);
    assert.deepEqual(readdirSync(join(dir, "new")), [], "the links were set aside");
    assert.deepEqual(readdirSync(join(dir, "failed")).sort(), ["dangling", "dirlink", "link"], "as links, in failed/");
    const stats = await store.stats();
    assert.equal(stats.areas.failed.count, 3, "where stats() counts them");
    assert.equal(stats.areas.failed.bytes, 0, "and never follows them");
  });
});

test("a symlink planted in cur/ is never read, touched or followed", async () => {
  await withPlanted(async (store, dir, secret) => {
    const name = "1700000000.M1P1Q1R00.host,C=P1Rab@host:2,";
    symlinkSync(secret, join(dir, "cur", name));
    await refuses("NOT_A_FILE", () => store.read(name), "read");
    await refuses("NOT_A_FILE", () => store.readSync(name), "readSync");
    await refuses("NOT_A_FILE", () => store.touch(name), "touch");
    await refuses("NOT_A_FILE", () => store.touchSync(name), "touchSync");
    // Acknowledging removes the link itself, never its target.
    await store.ack(name);
    assert.deepEqual(readdirSync(join(dir, "cur")), []);
  });
});

test("a FIFO or a directory planted in an area does not hang a read and is never claimed", async (t) => {
  await withPlanted(async (store, dir) => {
    try {
      execFileSync("mkfifo", [join(dir, "new", "fifo")]);
      execFileSync("mkfifo", [join(dir, "cur", "fifo")]);
    } catch {
      t.skip("mkfifo is not available");
      return;
    }
    mkdirSync(join(dir, "new", "folder"));
    for (const name of ["fifo", "folder"]) {
      await refuses("NOT_A_FILE", () => store.read(name, "new"), `read(${name})`);
      await refuses("NOT_A_FILE", () => store.readSync(name, "new"), `readSync(${name})`);
      await refuses("NOT_A_FILE", () => store.claim(name), `claim(${name})`);
      await refuses("NOT_A_FILE", () => store.copy(name, "new", "done"), `copy(${name})`);
    }
    await refuses("NOT_A_FILE", () => store.read("fifo", "cur"), "read(cur/fifo)");
    await refuses("NOT_A_FILE", () => store.touch("fifo"), "touch(cur/fifo)");
    const kinds = new Map<string, string>();
    for await (const entry of store.entries("new")) kinds.set(entry.name, entry.kind);
    assert.deepEqual(Object.fromEntries(kinds), { fifo: "other", folder: "directory" });
    assert.equal(await store.next(), null, "next() never hands out a FIFO or a directory");
    const aside = new Map<string, string>();
    for await (const entry of store.entries("failed")) aside.set(entry.name, entry.kind);
    assert.deepEqual(Object.fromEntries(aside), { fifo: "other", folder: "directory" }, "it sets them aside");
  });
});

test("prepare() refuses an area that is a symlink", async () => {
  await withTempDir(async (top) => {
    const elsewhere = join(top, "elsewhere");
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, "precious"), "keep me");
    for (const area of ["new", "cur", "tmp", "done"]) {
      const dir = join(top, `store-${area}`);
      mkdirSync(dir);
      symlinkSync(elsewhere, join(dir, area));
      const store = new FileStore(dir, { areas: ["done"] });
      await refuses("IN_THE_WAY", () => store.prepare(), `prepare with ${area} -> elsewhere`);
      assert.throws(() => store.prepareSync(), (e) => e instanceof FileStoreError && e.code === "IN_THE_WAY");
      rmSync(dir, { recursive: true });
    }
    assert.deepEqual(readdirSync(elsewhere), ["precious"]);
  });
});
