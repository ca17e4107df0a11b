// Names from neighbours on the command line (issue 14.7): what `ls`, `ls -0`,
// `ls --json`, `claim` and `watch -v`/`-0` print for names with newlines,
// escape sequences, quotes, bidirectional overrides and bytes that are not
// UTF-8; with the real CLI as a process on the runtime running this file.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { Buffer } from "node:buffer";
import { existsSync, mkdirSync, readdirSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { FileStore } from "../mod.ts";
import { escapeName, shellQuote } from "../src/cli/_quote.ts";
import { escapeNameBytes } from "../src/store/set_aside.ts";
import { currentRuntime, filestoreCommand, root, withTempDir } from "./_helpers.ts";

interface Output {
  code: number | null;
  stdout: Buffer;
  stderr: Buffer;
}

/** Runs a command to its end, output as bytes. */
function run(command: string[], options: { cwd?: string; input?: Uint8Array } = {}): Promise<Output> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), {
      cwd: options.cwd ?? root,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: [options.input ? "pipe" : "ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [], err: Buffer[] = [];
    child.stdout!.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
    if (options.input) child.stdin!.end(options.input);
  });
}

const filestore = (args: string[], options: { cwd?: string } = {}) =>
  run([...filestoreCommand(currentRuntime), ...args], options);

const LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in Latin-1: not UTF-8
const NAMES = ["plain", "a b", "it's", "line\nbreak", "\x1b[31mred\x1b[0m", "\x1b]0;title\x07", "rtl\u202eexe.txt"];
const BASH = existsSync("/bin/bash") ? "/bin/bash" : undefined;

/** Writes each name into new/ with its own content; the Latin-1 one by its bytes. */
function fill(store: FileStore): Map<string, string> {
  const contents = new Map<string, string>();
  NAMES.forEach((name, i) => {
    writeFileSync(join(store.areaPath("new"), name), `content ${i}\n`);
    contents.set(name, `content ${i}\n`);
  });
  writeLatin1(store.areaPath("new"), "latin-1\n");
  return contents;
}

// Through sh: Deno's node:fs turns a Buffer path into a string, which would make the name UTF-8.
function writeLatin1(dir: string, content: string): void {
  const made = spawnSync("sh", ["-c", 'printf "%s" "$2" > "$1/$(printf "caf\\351")"', "sh", dir, content]);
  assert.equal(made.status, 0, String(made.stderr));
}

/** The names in a directory as hex of their exact bytes (find -print0 sees them on every runtime). */
function namesOnDisk(dir: string): string[] {
  const found = spawnSync("find", [dir, "-mindepth", "1", "-maxdepth", "1", "-printf", "%f\\0"]);
  const names: string[] = [];
  for (let start = 0, end; (end = found.stdout.indexOf(0, start)) !== -1; start = end + 1) {
    names.push(found.stdout.subarray(start, end).toString("hex"));
  }
  return names.sort();
}

/** Whether this runtime's listing gives the bytes of names that are not UTF-8 (Node and Bun, after issue 14). */
async function listingGivesBytes(store: FileStore): Promise<boolean> {
  for await (const entry of store.entries("new")) {
    if ((entry as { bytes?: unknown }).bytes instanceof Uint8Array) return true;
  }
  return false;
}

test("shellQuote and escapeName: plain, single-quoted, $'...' and escaped forms", () => {
  assert.equal(shellQuote("/s/new/1764270000.M1P2Q3.host:2,S"), "/s/new/1764270000.M1P2Q3.host:2,S");
  assert.equal(shellQuote("a b"), "'a b'");
  assert.equal(shellQuote("it's"), "'it'\\''s'");
  assert.equal(shellQuote("~x"), "'~x'", "a leading ~ would expand");
  assert.equal(shellQuote(""), "''");
  assert.equal(shellQuote("a\nb"), "$'a\\nb'");
  assert.equal(shellQuote("\x1b[31m"), "$'\\033[31m'");
  assert.equal(shellQuote("it's\t"), "$'it\\'s\\t'");
  assert.equal(shellQuote("x\u202ey"), "$'x\\342\\200\\256y'");
  assert.equal(shellQuote("caf\uFFFD", new Uint8Array(LATIN1)), "$'caf\\351'");
  assert.equal(escapeName("a\\b\tc\nd"), "a\\\\b\\tc\\nd");
  assert.equal(escapeName("caf\uFFFD", new Uint8Array(LATIN1)), "caf\\xe9");
  assert.equal(escapeName("\x1b[31m"), "\\x1b[31m");
  assert.equal(escapeName("café ok"), "café ok");
  // U+FEFF is a character of a name, also at its start: never dropped as a byte-order mark.
  const bom = new Uint8Array([0xef, 0xbb, 0xbf, 0x61, 0xff]);
  assert.equal(shellQuote("\uFEFFa\uFFFD", bom), "$'\\357\\273\\277a\\377'");
  assert.equal(escapeName("\uFEFFa\uFFFD", bom), "\\xef\\xbb\\xbfa\\xff");
  assert.equal(escapeNameBytes(bom), "\uFEFFa%FF", "failed/ keeps it too");
});

test(`filestore ls prints each name as one shell word that bash reads back as the file (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"));
    await store.prepare();
    const contents = fill(store);
    const bytes = await listingGivesBytes(store);
    const listed = await filestore(["ls", store.path]);
    assert.equal(listed.code, 0, listed.stderr.toString());
    const text = listed.stdout.toString("latin1");
    const controls = [...text].filter((c) => c !== "\n" && (c < " " || c === "\x7f"));
    assert.deepEqual(controls, [], `no control byte reaches the terminal: ${JSON.stringify(text)}`);
    assert.ok(!text.includes("\xe2\x80\xae"), "no bidirectional override either");
    const lines = listed.stdout.toString("utf8").split("\n").slice(0, -1);
    assert.equal(lines.length, NAMES.length + 1, "one line per file, the newline name included");
    const expected = [...NAMES.map((name) => shellQuote(`${store.areaPath("new")}/${name}`))];
    for (const line of expected) assert.ok(lines.includes(line), `${line} in ${JSON.stringify(lines)}`);
    const latin1 = lines.find((line) => line.includes("caf"))!;
    if (bytes) assert.equal(latin1, `$'${store.areaPath("new")}/caf\\351'`);
    else assert.equal(latin1, `'${store.areaPath("new")}/caf\uFFFD'`, "no bytes known: shown with U+FFFD");

    if (!BASH) return;
    // Pasted into bash, each line names its file: cat prints the contents in order.
    const script = expected.map((line) => `cat -- ${line}`).join("\n");
    const pasted = spawnSync(BASH, ["-c", script], { encoding: "utf8" });
    assert.equal(pasted.status, 0, pasted.stderr);
    assert.equal(pasted.stdout, NAMES.map((name) => contents.get(name)).join(""));
    if (bytes) {
      const cat = spawnSync(BASH, ["-c", `cat -- ${latin1}`], { encoding: "utf8" });
      assert.equal(cat.stdout, "latin-1\n", "the escaped bytes address the Latin-1 name");
    }
  });
});

test(`filestore ls -0 | xargs -0 rm removes exactly the listed files (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"));
    await store.prepare();
    fill(store);
    const bytes = await listingGivesBytes(store);
    // What `ls | xargs rm` used to delete: the second line of "line\nbreak", relative to the shell's directory.
    const cwd = join(dir, "cwd");
    mkdirSync(cwd);
    writeFileSync(join(cwd, "break"), "must stay");
    writeFileSync(join(cwd, "red"), "must stay");
    const listed = await filestore(["ls", "-0", store.path], { cwd });
    assert.equal(listed.code, 0);
    const records = listed.stdout.toString("latin1").split("\0");
    assert.equal(records.pop(), "", "every path ends with a NUL");
    assert.equal(records.length, bytes ? NAMES.length + 1 : NAMES.length);
    if (!bytes) assert.match(listed.stderr.toString(), /Cannot print the exact name of .*caf.*not valid UTF-8/);
    const removed = await run(["xargs", "-0", "-r", "rm", "--"], { cwd, input: listed.stdout });
    assert.equal(removed.code, 0, removed.stderr.toString());
    assert.deepEqual(namesOnDisk(store.areaPath("new")), bytes ? [] : [LATIN1.toString("hex")]);
    assert.ok(existsSync(join(cwd, "break")) && existsSync(join(cwd, "red")), "nothing outside the store");
  });
});

test(`filestore ls --json keeps names exact and gives the bytes of names that are not UTF-8 (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"));
    await store.prepare();
    fill(store);
    const bytes = await listingGivesBytes(store);
    const listed = await filestore(["ls", store.path, "--json"]);
    assert.equal(listed.code, 0, listed.stderr.toString());
    assert.ok(!listed.stdout.includes(0x1b), "JSON escapes ESC as \\u001b");
    const files: { name: string; path: string; size: number | null; bytes?: string }[] = JSON.parse(
      listed.stdout.toString(),
    );
    assert.deepEqual(files.filter((f) => !f.name.startsWith("caf")).map((f) => f.name).sort(), [...NAMES].sort());
    for (const file of files.filter((f) => !f.name.startsWith("caf"))) {
      assert.equal(file.path, `${store.areaPath("new")}/${file.name}`);
      assert.equal(file.size, "content 0\n".length);
      assert.equal(file.bytes, undefined, "only names that are not UTF-8 carry bytes");
    }
    const latin1 = files.find((f) => f.name.startsWith("caf"))!;
    assert.equal(latin1.name, "caf\uFFFD", "the lossy name beside the bytes");
    if (bytes) {
      assert.equal(latin1.bytes, "636166e9");
      assert.equal(latin1.size, "latin-1\n".length, "stat'ed through its bytes");
    } else {
      assert.equal(latin1.size, null, "listed, though it cannot be stat'ed by its lossy name");
    }
    assert.equal((await filestore(["ls", store.path, "--json", "-0"])).code, 2);
  });
});

test(`filestore claim and watch -v / -0 print names escaped or exact (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"), { areas: ["done", "failed"] });
    await store.prepare();
    // Names the store acts on today; a bidirectional override is not a control character.
    const hostile = "rtl\u202eexe.txt";
    await store.put("x", { name: hostile, sync: false });
    const claimed = await filestore(["claim", store.path]);
    assert.equal(claimed.code, 0, claimed.stderr.toString());
    const line = claimed.stdout.toString();
    assert.ok(line.startsWith(`$'${store.areaPath("cur")}/rtl\\342\\200\\256exe.txt,C=`), line);
    assert.ok(!line.includes("\u202e"));
    unlinkSync(join(store.areaPath("cur"), readdirSync(store.areaPath("cur"))[0]));
    await store.put("x", { name: hostile, sync: false });

    await store.put("y", { name: "a b", sync: false });
    const verbose = await filestore(["watch", store.path, "-v", "--until-empty", "--exec", "true"]);
    assert.equal(verbose.code, 0, verbose.stderr.toString());
    const log = verbose.stderr.toString();
    assert.match(log, /^filestore: ok 'a b'$/m);
    assert.match(log, /^filestore: ok \$'rtl\\342\\200\\256exe\.txt'$/m);
    assert.ok(!log.includes("\u202e"));

    await store.put("z", { name: "c d", sync: false });
    await store.put("w", { name: "e\u202ef", sync: false });
    const records = await filestore(["watch", store.path, "-0", "--until-empty", "--exec", "false"]);
    assert.equal(records.code, 0, records.stderr.toString());
    assert.deepEqual(records.stderr.toString().split("\0").sort(), ["", "failed c d", "failed e\u202ef"]);
  });
});
