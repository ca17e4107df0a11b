// 10,000 generated hostile names and areas through every FileStore method:
// only documented errors, valid names work end to end, nothing escapes the store.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  type Claim,
  FILE_STORE_ERROR_CODES,
  FileStore,
  FileStoreError,
  type FileStoreErrorCode,
  validateName,
} from "../mod.ts";
import { withTempDir } from "./_helpers.ts";
import { type Prng, seeded } from "./_prng.ts";

const COUNT = 10_000;
const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
const text = (bytes: Uint8Array) => decoder.decode(bytes);

const FIXED = [
  "",
  ".",
  "..",
  "...",
  "./x",
  "../x",
  "tmp/../x",
  "new/../../x",
  "../../../../etc/passwd",
  "/",
  "//",
  "/etc/passwd",
  "/tmp",
  "tmp",
  "new",
  "cur",
  "done",
  "tmp/",
  "/new",
  "a/b",
  "a\\b",
  "..\\..\\x",
  "\0",
  "a\0b",
  "new\0",
  ".hidden",
  ".",
  "x:2,S",
  "x:2,",
  ":",
  "::::",
  "x,A=1",
  "x,A=",
  "x,A=abc",
  "x,C=P1Rab@host",
  "x,S=12",
  ",",
  " ",
  " x ",
  "-rf",
  "--",
  "*",
  "?",
  "$HOME",
  "%s%n",
  "${x}",
  "CON",
  "NUL",
  "aux.txt",
  "COM1",
  "~",
  "~root",
  "\u202egnp.exe",
  "\ufeff",
  "\u200b",
  "\u0085",
  "\u2028",
  "e\u0301",
  "\u00e9",
  "\ud83d\ude00",
  "\ud800",
  "\udfff",
  "a\ud800b",
  "\udc00\ud800",
  "\x7f",
  "\x1b[31mred",
  "line\nbreak",
  "tab\there",
  "\r",
  "a".repeat(255),
  "a".repeat(256),
  "\u00e9".repeat(127),
  "\u00e9".repeat(128),
  "\ud83d\ude00".repeat(63) + "abc",
  "\ud83d\ude00".repeat(64),
  "x".repeat(5000),
  "__proto__",
  "constructor",
  "toString",
];

const PIECES: ((r: Prng) => string)[] = [
  (r) => String.fromCharCode(97 + r.int(26)),
  (r) => String.fromCharCode(48 + r.int(10)),
  (r) => r.pick(["/", "\\", ":", ",", "=", ".", "..", "-", "_", " ", "~", "@", "%", "*"]),
  (r) => String.fromCharCode(r.int(32)), // C0 control, NUL included
  (r) => String.fromCharCode(0x7f + r.int(0x21)), // DEL and C1 controls
  (r) => String.fromCharCode(0xa0 + r.int(0xd800 - 0xa0)), // BMP below the surrogates
  (r) => String.fromCharCode(0xe000 + r.int(0x2000)), // private use and beyond
  (r) => String.fromCodePoint(0x10000 + r.int(0x100000)), // astral: a surrogate pair
  (r) => String.fromCharCode(0xd800 + r.int(0x800)), // a lone surrogate
  (r) => r.pick(["\u0301", "\u202e", "\u200b", "\ufeff", "\u2028", "\ufffd"]),
  (r) => r.pick(["tmp", "new", "cur", "done", "..", "tmp/../", "/etc", "C=", "A=", ":2,"]),
];

function generate(r: Prng): string {
  const roll = r.next();
  if (roll < 0.15) return r.pick(FIXED);
  let out = "";
  if (roll < 0.35) {
    // Mostly harmless, so that many names pass validation and go all the way.
    const length = 1 + r.int(40);
    for (let i = 0; i < length; i++) {
      out += r.next() < 0.9 ? PIECES[r.int(2)](r) : PIECES[2 + r.int(PIECES.length - 2)](r);
    }
    return out;
  }
  const length = roll < 0.95 ? r.int(30) : 200 + r.int(400);
  for (let i = 0; i < length; i++) out += PIECES[r.int(PIECES.length)](r);
  return out;
}

const WRONG_TYPES: unknown[] = [undefined, null, 0, 42, NaN, true, {}, [], ["new"], { path: 5 }, Symbol("s"), 1n];

// The codes a name or area alone may cause; anything else (IO, NOT_PREPARED,
// PERMISSION_DENIED...) would mean a hostile value reached the file system wrongly.
const EXPECTED = new Set(["INVALID_NAME", "INVALID_AREA", "NOT_FOUND", "ALREADY_EXISTS", "NOT_A_FILE", "LOST_CLAIM"]);
for (const code of EXPECTED) assert.ok(FILE_STORE_ERROR_CODES.includes(code as FileStoreErrorCode), code);

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value).slice(0, 120) : typeof value;
}

function treeOf(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    out.push(path);
    if (entry.isDirectory()) out.push(...treeOf(path));
  }
  return out.sort();
}

test(`${COUNT} hostile names and areas: only documented errors, and nothing outside the store`, async () => {
  const r = seeded("hostile names");
  const seed = `seed ${r.seed}`;
  await withTempDir(async (top) => {
    const outer = join(top, "outer");
    mkdirSync(join(outer, "elsewhere"), { recursive: true });
    const dir = join(outer, "store");
    const store = new FileStore(dir, { areas: ["done"], sync: false });
    await store.prepare();
    const before = treeOf(top);
    const tally = { calls: 0, ok: 0, errors: new Map<string, number>(), valid: 0 };

    // Runs one call; it must succeed or throw a documented FileStoreError (TypeError for wrong types).
    async function attempt<T>(what: string, value: unknown, body: () => T | Promise<T>): Promise<T | undefined> {
      tally.calls++;
      try {
        const result = await body();
        tally.ok++;
        return result;
      } catch (error) {
        const shown = () => `${what}(${show(value)})`;
        if (error instanceof TypeError && typeof value !== "string") return undefined;
        if (!(error instanceof FileStoreError)) assert.fail(`${shown()} threw ${error} (${seed})`);
        if (!EXPECTED.has(error.code)) assert.fail(`${shown()}: ${error.code}: ${error.message} (${seed})`);
        // deno-lint-ignore no-control-regex
        if (/[\x00-\x1f\x7f]/.test(error.message)) assert.fail(`${shown()}: control characters in the message`);
        tally.errors.set(error.code, (tally.errors.get(error.code) ?? 0) + 1);
        return undefined;
      }
    }

    for (let i = 0; i < COUNT; i++) {
      const wrongType = r.next() < 0.03;
      const name = wrongType ? r.pick(WRONG_TYPES) as string : generate(r);
      const area = r.next() < 0.5 ? r.pick(["tmp", "new", "cur", "done"]) : generate(r);
      const sync = i % 4 !== 0; // async paths a quarter of the time: they cost a thread-pool trip each
      const asClaim = { name, path: `${dir}/cur/${String(name)}` } as Claim;

      // Every method, with the hostile value where a name or an area goes.
      await attempt("areaPath", area, () => store.areaPath(area));
      await attempt("list", area, () => (sync ? store.listSync(area) : store.list(area)));
      await attempt("count", area, () => (sync ? store.countSync(area) : store.count(area)));
      if (!sync) {
        await attempt("entries", area, async () => {
          for await (const _ of store.entries(area));
        });
      }
      await attempt("read", name, () => (sync ? store.readSync(name, area) : store.read(name, area)));
      await attempt("remove", name, () => (sync ? store.removeSync(name, area) : store.remove(name, area)));
      await attempt("move", name, () => (sync ? store.moveSync(name, area, "done") : store.move(name, area, "done")));
      await attempt("copy", name, () => (sync ? store.copySync(name, "cur", area) : store.copy(name, "cur", area)));
      await attempt("claim", name, () => (sync ? store.claimSync(name) : store.claim(name)));
      await attempt("ack", name, () => (sync ? store.ackSync(asClaim) : store.ack(name)));
      await attempt(
        "ack(to)",
        area,
        () => (sync ? store.ackSync("no-such-claim", { to: area }) : store.ack("no-such-claim", { to: area })),
      );
      await attempt("release", name, () => (sync ? store.releaseSync(name) : store.release(asClaim)));
      await attempt("touch", name, () => (sync ? store.touchSync(name) : store.touch(name)));
      await attempt("constructor", area, () => new FileStore(join(outer, "elsewhere", "never"), { areas: [area] }));

      // A name that validates must work end to end, and come back byte for byte.
      let valid = false;
      try {
        validateName(name);
        valid = /,[AC]=/.test(name.split(":")[0]) === false;
      } catch { /* invalid */ }
      const written = await attempt("create", name, async () => {
        const file = sync ? store.createSync(name, "wx") : await store.create(name, "wx");
        await file.write("by hand");
        await file.close();
        return file;
      });
      if (written) await store.remove(name, "tmp");
      const stored = await attempt(
        "put",
        name,
        () => (sync ? store.putSync(name, { name }) : store.put(name, { name })),
      );
      if (!valid) {
        assert.equal(stored, undefined, `put accepted the invalid name ${show(name)} (${seed})`);
        continue;
      }
      if (!stored && new TextEncoder().encode(name).byteLength > 160) continue; // no room for a claim's fields

      tally.valid++;
      assert.ok(stored, `put refused the valid name ${show(name)} (${seed})`);
      assert.deepEqual(await store.list("new"), [join(dir, "new", name)], `listed as given (${seed})`);
      assert.equal(text(await store.read(name, "new")), name);
      await store.copy(name, "new", "done");
      const claim = sync ? store.claimSync(name) : await store.claim(name);
      assert.ok(claim, `claim(${show(name)}) (${seed})`);
      assert.equal(claim.key, name.split(":")[0]);
      assert.equal(text(await store.read(claim)), name);
      await store.touch(claim);
      await store.release(claim);
      const again = await store.next();
      assert.ok(again && again.key === claim.key && again.attempts === 1);
      if (sync) store.ackSync(again);
      else await store.ack(again);
      await store.remove(name, "done");
    }

    for (const area of ["tmp", "new", "cur", "done"]) assert.deepEqual(readdirSync(join(dir, area)), [], area);
    assert.deepEqual(treeOf(top), before, "nothing was created outside the store, nor left inside");
    console.log(
      `hostile names: ${tally.calls} calls, ${tally.ok} succeeded, ${tally.valid} valid names end to end; errors:`,
      Object.fromEntries(tally.errors),
    );
  });
});

test("hostile extra areas are refused or live inside the store", async () => {
  const r = seeded("hostile areas");
  await withTempDir(async (top) => {
    for (let i = 0; i < 150; i++) {
      const area = generate(r);
      let store: FileStore;
      try {
        store = new FileStore(join(top, "store"), { areas: [area] });
      } catch (error) {
        assert.ok(error instanceof FileStoreError, `${JSON.stringify(area)}: ${error} (seed ${r.seed})`);
        assert.ok(error.code === "INVALID_NAME" || error.code === "INVALID_AREA", error.message);
        continue;
      }
      await store.prepare();
      assert.deepEqual(readdirSync(top), ["store"], `area ${JSON.stringify(area)} stays in the store`);
      assert.deepEqual(readdirSync(join(top, "store")).sort(), ["cur", "new", "tmp", area].sort());
      assert.ok(statSync(join(top, "store", area)).isDirectory());
      rmSync(join(top, "store"), { recursive: true });
    }
  });
});
