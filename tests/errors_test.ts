// Every error code: a catchable FileStoreError with the code, a message quoting
// the offending value, the OS error as cause, and no file lost or created.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FILE_STORE_ERROR_CODES, FileStore, FileStoreError, type FileStoreErrorCode, type StoredFile } from "../mod.ts";
import { snapshot, withStore, withTempDir } from "./_helpers.ts";

/** Awaits `action`, asserts it fails with a FileStoreError of `code` quoting `quoted`, returns the error. */
async function fails(
  action: () => unknown,
  code: FileStoreErrorCode,
  quoted: string,
  options: { osCode?: string } = {},
): Promise<FileStoreError> {
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof FileStoreError, `expected a FileStoreError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.ok(caught.message.includes(quoted), `message ${JSON.stringify(caught.message)} should quote ${quoted}`);
  assert.match(caught.message, /^[A-Z]/, "sentence case");
  if (options.osCode) {
    assert.equal((caught.cause as { code?: string } | undefined)?.code, options.osCode, "the OS error is the cause");
  }
  return caught;
}

const BAD_NAMES: [string, string][] = [
  ["", "''"],
  [".", "'.'"],
  ["..", "'..'"],
  ["a/b", "'a/b'"],
  ["/", "'/'"],
  ["a\\b", "'a\\b'"],
  ["a\0b", "'a\\x00b'"],
  [".hidden", "'.hidden'"],
  ["ä".repeat(100) + "x".repeat(60), "'ää"], // 100 characters of 2 bytes and 60 of 1: 260 bytes
  ["€".repeat(100), "'€€"], // 100 characters, 300 bytes
];

test("INVALID_NAME: every bad name is refused by every operation, and nothing is created", async () => {
  await withStore(async (store, dir) => {
    await store.put("keep", { name: "keep", sync: false });
    const before = snapshot(dir);
    for (const [name, quoted] of BAD_NAMES) {
      // A name with '/' is taken as a path; a path outside the area is refused all the same.
      const shown = name.includes("/") ? quoted.slice(0, -1) : quoted;
      await fails(() => store.create(name), "INVALID_NAME", shown);
      await fails(() => store.put("x", { name }), "INVALID_NAME", shown);
      await fails(() => store.putMany([{ data: "x", name }]), "INVALID_NAME", shown);
      await fails(() => store.putSync("x", { name }), "INVALID_NAME", shown);
      // A '\\' is refused in a new name only: a file another program named so can still be handled.
      if (name.includes("\\")) continue;
      await fails(() => store.move(name, "new", "cur"), "INVALID_NAME", shown);
      await fails(() => store.copy(name, "new", "cur"), "INVALID_NAME", shown);
      await fails(() => store.remove(name, "new"), "INVALID_NAME", shown);
      await fails(() => store.read(name, "new"), "INVALID_NAME", shown);
      await fails(() => store.claim(name), "INVALID_NAME", shown);
    }
    assert.deepEqual(snapshot(dir), before);
  });
});

test("INVALID_NAME: a multi-byte name over 255 bytes of UTF-8 is refused, one of 255 bytes is not", async () => {
  await withStore(async (store) => {
    const long = "€".repeat(100);
    assert.equal(long.length, 100);
    assert.equal(new TextEncoder().encode(long).byteLength, 300);
    const error = await fails(() => store.put("x", { name: long }), "INVALID_NAME", "€€€");
    assert.match(error.message, /255 bytes/);
    const fits = "€".repeat(85); // exactly 255 bytes
    // put() keeps room for the claim fields; create() and move() take any valid name.
    await fails(() => store.put("x", { name: fits }), "INVALID_NAME", "too long to be claimed");
    const file = await store.create(fits);
    await file.write("fits");
    await file.close();
    await store.move(fits, "tmp", "new");
    assert.equal(new TextDecoder().decode(await store.read(fits, "new")), "fits");
  });
});

test("INVALID_NAME: ',A=' and ',C=' are reserved in put names", async () => {
  await withStore(async (store, dir) => {
    const before = snapshot(dir);
    await fails(() => store.put("x", { name: "job,C=P1Rab@host" }), "INVALID_NAME", "'job,C=P1Rab@host'");
    await fails(() => store.put("x", { name: "job,A=3" }), "INVALID_NAME", "'job,A=3'");
    await fails(() => store.putMany(["ok", { data: "x", name: "job,C=x" }]), "INVALID_NAME", "'job,C=x'");
    assert.deepEqual(snapshot(dir), before, "not even the first item of the batch is delivered");
  });
});

test("INVALID_AREA: unknown areas are refused, in options and in calls", async () => {
  await withStore(async (store, dir) => {
    await store.put("x", { name: "a", sync: false });
    const before = snapshot(dir);
    await fails(() => store.list("bogus"), "INVALID_AREA", "'bogus'");
    await fails(() => store.move("a", "new", "bogus"), "INVALID_AREA", "'bogus'");
    await fails(() => store.copy("a", "new", "bogus"), "INVALID_AREA", "'bogus'");
    await fails(() => store.count("bogus"), "INVALID_AREA", "'bogus'");
    await fails(() => store.remove("a", "bogus"), "INVALID_AREA", "'bogus'");
    assert.deepEqual(snapshot(dir), before);
    const claim = await store.claim("a");
    assert.ok(claim);
    await fails(() => store.ack(claim, { to: "done" }), "INVALID_AREA", "'done'");
    assert.ok(snapshot(dir)[`cur/${claim.name}`] === "x", "the claim is kept");
    await fails(() => new FileStore(dir, { areas: ["new"] }), "INVALID_AREA", "'new'");
  });
});

test("NOT_PREPARED: a store never prepared, and a deleted area", async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "never"));
    await fails(() => store.put("x"), "NOT_PREPARED", join(dir, "never", "tmp"), { osCode: "ENOENT" });
    await fails(() => store.list("new"), "NOT_PREPARED", join(dir, "never", "new"), { osCode: "ENOENT" });
    await fails(() => store.next(), "NOT_PREPARED", join(dir, "never", "new"), { osCode: "ENOENT" });
    await fails(() => store.create("a"), "NOT_PREPARED", join(dir, "never", "tmp"), { osCode: "ENOENT" });
    assert.throws(() => store.putSync("x"), (e) => e instanceof FileStoreError && e.code === "NOT_PREPARED");
    assert.deepEqual(snapshot(dir), {}, "nothing was created");

    const prepared = new FileStore(join(dir, "s"));
    await prepared.prepare();
    await prepared.put("kept", { name: "kept", sync: false });
    rmSync(join(dir, "s", "cur"), { recursive: true });
    const before = snapshot(dir);
    await fails(() => prepared.claim("kept"), "NOT_PREPARED", join(dir, "s", "cur"), { osCode: "ENOENT" });
    await fails(() => prepared.next(), "NOT_PREPARED", join(dir, "s", "cur"), { osCode: "ENOENT" });
    assert.throws(() => prepared.nextSync(), (e) => e instanceof FileStoreError && e.code === "NOT_PREPARED");
    await fails(() => prepared.move("kept", "new", "cur"), "NOT_PREPARED", join(dir, "s", "cur"));
    await fails(() => prepared.list("cur"), "NOT_PREPARED", join(dir, "s", "cur"), { osCode: "ENOENT" });
    assert.deepEqual(snapshot(dir), before, "the item stays in new/");
  });
});

test("IN_THE_WAY: a file where the store or an area must be", async () => {
  await withTempDir(async (dir) => {
    writeFileSync(join(dir, "store"), "precious");
    await fails(() => new FileStore(join(dir, "store")).prepare(), "IN_THE_WAY", join(dir, "store"), {
      osCode: "EEXIST",
    });
    assert.equal(readFileSync(join(dir, "store"), "utf8"), "precious");

    mkdirSync(join(dir, "s2"));
    writeFileSync(join(dir, "s2", "new"), "precious too");
    const store = new FileStore(join(dir, "s2"));
    await fails(() => store.prepare(), "IN_THE_WAY", join(dir, "s2", "new"), { osCode: "EEXIST" });
    assert.throws(() => store.prepareSync(), (e) => e instanceof FileStoreError && e.code === "IN_THE_WAY");
    assert.equal(readFileSync(join(dir, "s2", "new"), "utf8"), "precious too");
    // Operations on the half-prepared store name the obstacle.
    await fails(() => store.put("x", { sync: false }), "IN_THE_WAY", join(dir, "s2", "new"));
    assert.deepEqual(snapshot(join(dir, "s2")), { "new": "precious too", "tmp/": "/" }, "no tmp file is left");
  });
});

test("NOT_FOUND: missing files, with ENOENT as cause", async () => {
  await withStore(async (store, dir) => {
    await store.put("x", { name: "other", sync: false });
    const before = snapshot(dir);
    await fails(() => store.move("missing", "new", "cur"), "NOT_FOUND", "missing", { osCode: "ENOENT" });
    await fails(() => store.move("missing", "new", "cur", { overwrite: true }), "NOT_FOUND", "missing", {
      osCode: "ENOENT",
    });
    await fails(() => store.copy("missing", "new", "cur"), "NOT_FOUND", "missing", { osCode: "ENOENT" });
    await fails(() => store.remove("missing", "new"), "NOT_FOUND", "missing", { osCode: "ENOENT" });
    await fails(() => store.read("missing", "new"), "NOT_FOUND", "missing", { osCode: "ENOENT" });
    assert.throws(() => store.readSync("missing", "new"), (e) => e instanceof FileStoreError && e.code === "NOT_FOUND");
    assert.equal(await store.claim("missing"), null, "a claim of a missing name is a lost race, not an error");
    assert.deepEqual(snapshot(dir), before);
  });
});

test("ALREADY_EXISTS: create 'wx', put with a taken name, move and copy onto a name", async () => {
  await withStore(async (store, dir) => {
    await (await store.create("a")).close();
    await fails(() => store.create("a", "wx"), "ALREADY_EXISTS", "a", { osCode: "EEXIST" });

    await store.put("first", { name: "report", sync: false });
    await fails(() => store.put("second", { name: "report", sync: false }), "ALREADY_EXISTS", "report", {
      osCode: "EEXIST",
    });
    await fails(() => store.put("second", { name: "report" }), "ALREADY_EXISTS", "report", { osCode: "EEXIST" });
    assert.throws(
      () => store.putSync("third", { name: "report" }),
      (e) => e instanceof FileStoreError && e.code === "ALREADY_EXISTS",
    );
    await fails(() => store.put(new Blob(["fourth"]).stream(), { name: "report" }), "ALREADY_EXISTS", "report", {
      osCode: "EEXIST",
    });
    assert.equal(readFileSync(join(dir, "new", "report"), "utf8"), "first", "the first file's content is unchanged");

    await store.put("in cur", { name: "report-cur", sync: false });
    await store.move("report-cur", "new", "cur");
    await store.put("in new", { name: "report-cur", sync: false });
    const before = snapshot(dir);
    await fails(() => store.move("report-cur", "new", "cur"), "ALREADY_EXISTS", "report-cur", { osCode: "EEXIST" });
    await fails(() => store.copy("report-cur", "new", "cur"), "ALREADY_EXISTS", "report-cur", { osCode: "EEXIST" });
    assert.deepEqual(snapshot(dir), before, "both files are kept and no copy is left in tmp/");
    assert.equal(before["cur/report-cur"], "in cur");
    assert.equal(before["new/report-cur"], "in new");
  });
});

function filesystemOf(path: string): string | undefined {
  try {
    return execFileSync("stat", ["-f", "-c", "%T", path], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

const shmType = filesystemOf("/dev/shm");
const tmpType = withTempDirSync((dir) => filesystemOf(dir));
function withTempDirSync<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync("/tmp/filestore-fs-");
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const crossDeviceSkip = shmType !== "tmpfs"
  ? "/dev/shm is not a tmpfs here (stat -f says " + String(shmType) + "), so no second file system"
  : tmpType === "tmpfs"
  ? "the temp directory is itself a tmpfs; /dev/shm may be the same file system"
  : false;

test("CROSS_DEVICE: an area on another file system", { skip: crossDeviceSkip }, async () => {
  await withStore(async (store, dir) => {
    const elsewhere = mkdtempSync("/dev/shm/filestore-test-");
    try {
      await store.put("stays", { name: "item", sync: false });
      rmSync(join(dir, "cur"), { recursive: true });
      symlinkSync(elsewhere, join(dir, "cur"));
      const before = snapshot(dir);
      await fails(() => store.move("item", "new", "cur"), "CROSS_DEVICE", join(dir, "new", "item"), {
        osCode: "EXDEV",
      });
      await fails(() => store.move("item", "new", "cur", { overwrite: true }), "CROSS_DEVICE", "item", {
        osCode: "EXDEV",
      });
      await fails(() => store.claim("item"), "CROSS_DEVICE", "item", { osCode: "EXDEV" });
      assert.equal(await store.count("cur"), 0);
      assert.deepEqual(snapshot(dir), before, "the item stays in new/");

      rmSync(join(dir, "new"), { recursive: true });
      symlinkSync(elsewhere, join(dir, "new"));
      await fails(() => store.put("lost?", { sync: false }), "CROSS_DEVICE", "", { osCode: "EXDEV" });
      await fails(() => store.putMany(["a", "b"], { sync: false }), "CROSS_DEVICE", "", { osCode: "EXDEV" });
      assert.deepEqual(await store.list("tmp"), [], "the tmp files are removed");
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});

test("NOT_A_FILE: a symlink is never read through or claimed", async () => {
  await withTempDir(async (outside) => {
    writeFileSync(join(outside, "secret"), "secret");
    await withStore(async (store, dir) => {
      symlinkSync(join(outside, "secret"), join(dir, "new", "link"));
      symlinkSync(join(outside, "secret"), join(dir, "cur", "link"));
      const before = snapshot(dir);
      await fails(() => store.read("link", "new"), "NOT_A_FILE", join(dir, "new", "link"), { osCode: "ELOOP" });
      await fails(() => store.read("link", "cur"), "NOT_A_FILE", "link", { osCode: "ELOOP" });
      assert.throws(() => store.readSync("link", "new"), (e) => e instanceof FileStoreError && e.code === "NOT_A_FILE");
      await fails(() => store.claim("link"), "NOT_A_FILE", join(dir, "new", "link"));
      assert.throws(() => store.claimSync("link"), (e) => e instanceof FileStoreError && e.code === "NOT_A_FILE");
      await fails(() => store.copy("link", "new", "cur"), "NOT_A_FILE", "link");
      assert.deepEqual(snapshot(dir), before, "the links are left in place");
      assert.equal(await store.next(), null, "next() never hands out a symlink");
      assert.deepEqual(readdirSync(join(dir, "failed")), ["link"], "it sets it aside in failed/");
      assert.equal(readFileSync(join(outside, "secret"), "utf8"), "secret");
    });
  });
});

test("LOST_CLAIM: ack, touch and release after the claim was released or acknowledged", async () => {
  await withStore(async (store, dir) => {
    await store.put("job", { name: "job", sync: false });
    const claim = await store.claim("job");
    assert.ok(claim);
    const released: StoredFile = await store.release(claim);
    const before = snapshot(dir);
    await fails(() => store.ack(claim), "LOST_CLAIM", claim.path, { osCode: "ENOENT" });
    await fails(() => store.ack(claim, { to: "cur" }), "LOST_CLAIM", claim.path, { osCode: "ENOENT" });
    await fails(() => store.touch(claim), "LOST_CLAIM", claim.path, { osCode: "ENOENT" });
    await fails(() => store.release(claim), "LOST_CLAIM", claim.path, { osCode: "ENOENT" });
    assert.throws(() => store.ackSync(claim), (e) => e instanceof FileStoreError && e.code === "LOST_CLAIM");
    assert.deepEqual(snapshot(dir), before, "the released item is untouched");

    // Claimed again by someone else: the old holder cannot touch the new claim.
    const again = await store.claim(released);
    assert.ok(again);
    assert.notEqual(again.name, claim.name);
    await fails(() => store.ack(claim), "LOST_CLAIM", claim.path);
    await store.ack(again);
    await fails(() => store.touch(again), "LOST_CLAIM", again.path, { osCode: "ENOENT" });
  });
});

test("FILE_STORE_ERROR_CODES lists every code of the type FileStoreErrorCode once", () => {
  // A Record over the type: the type check fails if a code is added to or removed from the type.
  const every: Record<FileStoreErrorCode, true> = {
    INVALID_NAME: true,
    INVALID_AREA: true,
    NOT_PREPARED: true,
    IN_THE_WAY: true,
    NOT_FOUND: true,
    ALREADY_EXISTS: true,
    CROSS_DEVICE: true,
    NO_SPACE: true,
    NOT_A_FILE: true,
    PERMISSION_DENIED: true,
    LOST_CLAIM: true,
    UNAVAILABLE: true,
    IO: true,
  };
  assert.deepEqual([...FILE_STORE_ERROR_CODES].sort(), Object.keys(every).sort());
  assert.equal(new Set(FILE_STORE_ERROR_CODES).size, FILE_STORE_ERROR_CODES.length);
  const error = new FileStoreError("IO", "Cannot do 'x'", { cause: new Error("os"), path: "/x" });
  assert.ok(error instanceof Error);
  assert.equal(error.name, "FileStoreError");
  assert.equal(error.path, "/x");
});
