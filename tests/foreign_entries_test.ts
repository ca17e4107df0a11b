// What other programs leave in new/ never stops a consumer: names that are not
// UTF-8, names the store would refuse for its own files, files swapped after
// the listing, FIFOs racing a read. Each is handed out as a regular file the
// consumer holds, or set aside in failed/, and the consumer goes on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { execFileSync, spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { FileStore, FileStoreError } from "../mod.ts";
import { currentRuntime, filestoreCommand, start, withStore, withTempDir } from "./_helpers.ts";
import { waitUntil, within } from "./_workers_helpers.ts";

const LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" as Latin-1: not UTF-8

// By a shell: Deno's node:fs would write U+FFFD in place of the bytes.
function plantBytes(dir: string, area: string, name: Buffer, data = "latin-1"): void {
  const octal = [...name].map((byte) => `\\${byte.toString(8).padStart(3, "0")}`).join("");
  execFileSync("sh", ["-c", `printf '%s' "$2" > "$1/$(printf '${octal}')"`, "sh", `${dir}/${area}`, data]);
}

test("a name that is not UTF-8 never makes next() spin: set aside by its bytes, or skipped on Deno", async () => {
  await withStore(async (store, dir) => {
    plantBytes(dir, "new", LATIN1);
    await store.put("real", { name: "real", sync: false });
    const claim = await within(10_000, "next()", store.next());
    assert.equal(claim?.key, "real");
    await store.ack(claim!);
    assert.equal(await within(10_000, "next() again", store.next()), null);
    assert.equal(store.nextSync(), null, "and the sync twin");
    const stats = await store.stats();
    if (currentRuntime === "deno") {
      // Deno gives such names only with U+FFFD: they cannot be renamed, only left and counted.
      assert.equal(stats.areas.new.count, 1, "stats() counts it");
      assert.equal(readdirSync(join(dir, "new")).length, 1, "left in new/");
    } else {
      assert.deepEqual(readdirSync(join(dir, "new")), []);
      assert.deepEqual(readdirSync(join(dir, "failed")), ["caf%E9"], "set aside under an escaped name");
      assert.equal(readFileSync(join(dir, "failed", "caf%E9"), "utf8"), "latin-1", "its content kept");
      assert.equal(stats.areas.failed.count, 1);
    }
  });
});

test("entries() gives the bytes of a name that is not UTF-8 where the runtime can tell", async () => {
  await withStore(async (store, dir) => {
    plantBytes(dir, "new", LATIN1);
    const found = [];
    for await (const entry of store.entries("new")) found.push(entry);
    assert.equal(found.length, 1);
    assert.equal(found[0].name, "caf\uFFFD");
    if (currentRuntime === "deno") assert.equal(found[0].bytes, undefined);
    else assert.deepEqual([...found[0].bytes!], [...LATIN1]);
  });
});

test("filestore claim exits at once on a store whose only item has a name that is not UTF-8", async () => {
  await withStore(async (_store, dir) => {
    plantBytes(dir, "new", LATIN1);
    const result = await start([...filestoreCommand(currentRuntime), "claim", dir], { timeoutMs: 30_000 }).done;
    assert.equal(result.code, 1, `exit 1: nothing to claim (${JSON.stringify(result)})`);
  });
});

test("names the store refuses for its own files are handled and acknowledged by consume()", async () => {
  await withStore(async (store, dir) => {
    const names = ["win\\path.txt", "tab\there", "line\nbreak"];
    for (const name of names) writeFileSync(join(dir, "new", name), `body of ${name}`);
    const bodies: string[] = [];
    const summary = await within(
      30_000,
      "consume()",
      store.consume(async (item) => void bodies.push(await item.text()), { untilEmpty: true }),
    );
    assert.deepEqual(summary, { handled: 3, failed: 0, retried: 0, lost: 0 });
    assert.deepEqual(bodies.sort(), names.map((name) => `body of ${name}`).sort());
    assert.deepEqual(readdirSync(join(dir, "cur")), [], "each acknowledged once");
    assert.deepEqual(readdirSync(join(dir, "new")), []);
  });
});

test("a file swapped for a symlink, a FIFO or a directory after the listing is never handed out", async (t) => {
  await withTempDir(async (top) => {
    const secret = join(top, "secret.txt");
    writeFileSync(secret, "outside the store");
    const dir = join(top, "store");
    const store = new FileStore(dir, { sync: false });
    await store.prepare();
    for (const name of ["a1", "a2", "a3", "a4", "a5"]) await store.put(name, { name });
    const first = await store.next(); // the listing of all five is in memory now
    assert.equal(first?.key, "a1");
    // Swapped by a neighbour after the listing, each by rename over the listed name.
    symlinkSync(secret, join(top, "link"));
    renameSync(join(top, "link"), join(dir, "new", "a2"));
    mkdirSync(join(top, "folder"));
    rmSync(join(dir, "new", "a3"));
    renameSync(join(top, "folder"), join(dir, "new", "a3"));
    let fifo = false;
    try {
      execFileSync("mkfifo", [join(top, "fifo")]);
      renameSync(join(top, "fifo"), join(dir, "new", "a4"));
      fifo = true;
    } catch {
      t.diagnostic("mkfifo is not available: the FIFO case is left out");
    }
    const handed: string[] = [];
    for (let claim; (claim = await store.next());) {
      handed.push(claim.key);
      assert.equal(readFileSync(claim.path, "utf8"), claim.key, "a regular file the consumer holds");
      await store.ack(claim);
    }
    assert.deepEqual(handed, fifo ? ["a5"] : ["a4", "a5"]);
    assert.deepEqual(readdirSync(join(dir, "failed")).sort(), fifo ? ["a2", "a3", "a4"] : ["a2", "a3"]);
    assert.equal(readFileSync(secret, "utf8"), "outside the store");
    await store.ack(first!);
    assert.deepEqual(readdirSync(join(dir, "cur")), [], "nothing non-regular left claimed");
  });
});

test("read() never blocks on a FIFO swapped in while it opens, on every runtime", async (t) => {
  await withStore(async (store, dir) => {
    try {
      execFileSync("mkfifo", [join(dir, "fifo-source")]);
    } catch {
      t.skip("mkfifo is not available");
      return;
    }
    writeFileSync(join(dir, "file-source"), "content");
    const target = join(dir, "cur", "item");
    const swapper = spawn("sh", [
      "-c",
      `
      while [ ! -e "${dir}/stop" ]; do
        ln -f "${dir}/file-source" "${dir}/x" && mv -f "${dir}/x" "${target}"
        ln -f "${dir}/fifo-source" "${dir}/y" 2>/dev/null || { rm -f "${dir}/y"; mkfifo "${dir}/y"; }
        mv -f "${dir}/y" "${target}"
      done`,
    ], { stdio: "ignore" });
    try {
      await waitUntil("the swapper to start", () => existsSync(target));
      let files = 0, refused = 0;
      for (let i = 0; i < 2000; i++) {
        try {
          assert.equal(new TextDecoder().decode(i % 2 ? store.readSync("item") : await store.read("item")), "content");
          files++;
        } catch (error) {
          assert.ok(error instanceof FileStoreError, String(error));
          assert.ok(["NOT_A_FILE", "NOT_FOUND"].includes(error.code), error.message);
          refused++;
        }
      }
      assert.equal(files + refused, 2000, "every read returned");
      t.diagnostic(`${files} reads of the file, ${refused} refused a FIFO or a missing name`);
    } finally {
      writeFileSync(join(dir, "stop"), "");
      await new Promise((resolve) => swapper.on("close", resolve));
      rmSync(target, { force: true });
    }
  });
});

test("next() is oldest first by the numbers in names, however other programs pad them", async () => {
  await withStore((store, dir) => {
    // Another writer's names: microseconds unpadded, sequences of any width.
    const foreign = [
      "1700000000.M1022P7Q2.other",
      "1700000000.M591P7Q1.other",
      "1700000001.M5P7Q10.other",
      "1700000001.M5P7Q9.other",
      "1699999999.M999999P7Q1.other",
      "1700000000.12_3.qmail",
      "1700000000.12_20.qmail",
    ];
    for (const name of foreign) writeFileSync(join(dir, "new", name), name);
    const order: string[] = [];
    for (let claim; (claim = store.nextSync());) {
      order.push(claim.key);
      store.ackSync(claim);
    }
    assert.deepEqual(order, [
      "1699999999.M999999P7Q1.other",
      "1700000000.12_3.qmail",
      "1700000000.12_20.qmail",
      "1700000000.M591P7Q1.other",
      "1700000000.M1022P7Q2.other",
      "1700000001.M5P7Q9.other",
      "1700000001.M5P7Q10.other",
    ]);
  });
});

test("items put in one process come out in put order", async () => {
  await withStore(async (store) => {
    const put: string[] = [];
    for (let i = 0; i < 2000; i++) put.push((await store.put(String(i), { sync: false })).name);
    const taken: string[] = [];
    for (let claim; (claim = await store.next());) {
      taken.push(claim.key);
      await store.ack(claim);
    }
    assert.deepEqual(taken, put);
  });
});
