// The filestore command, end to end as a subprocess, on the runtime running
// this file: `deno run` of the source on Deno, `bun` of the source on Bun, and
// the compiled npm build's bin on Node.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { FileStore } from "../mod.ts";
import { byNameOrder } from "../src/cli/_order.ts";
import { currentRuntime, filestoreCommand, root, withTempDir } from "./_helpers.ts";

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `filestore ARGS` on this runtime; resolves when it exits. */
function filestore(args: string[], options: { input?: string; cwd?: string } = {}): Promise<Result> {
  const [command, ...prefix] = filestoreCommand(currentRuntime);
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...prefix, ...args], {
      cwd: options.cwd ?? root,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "", stderr = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Asserts the exit code and, for failures, one line on stderr that starts with `filestore: `. */
function assertExit(result: Result, code: number, pattern?: RegExp): void {
  assert.equal(result.code, code, `exit code; stderr: ${result.stderr}`);
  if (code >= 2) {
    assert.match(result.stderr, /^filestore: [A-Z][^\n]*\n$/, "one line on stderr");
    if (pattern) assert.match(result.stderr, pattern);
  }
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");
const VERBS = ["init", "put", "ls", "mv", "claim", "watch", "pause", "resume", "clean", "recover", "stats", "serve"];

test(`filestore --help lists every verb and the exit codes (${currentRuntime})`, async () => {
  const help = await filestore(["--help"]);
  assertExit(help, 0);
  for (const verb of VERBS) assert.match(help.stdout, new RegExp(`^  ${verb} `, "m"));
  assert.match(help.stdout, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n {2}3 /);
  const bare = await filestore([]);
  assert.equal(bare.code, 2);
  assert.equal(bare.stderr, help.stdout);
  for (const verb of VERBS) {
    const verbHelp = await filestore([verb, "--help"]);
    assertExit(verbHelp, 0);
    assert.match(verbHelp.stdout, new RegExp(`^Usage: filestore ${verb} DIR`));
  }
  assert.equal((await filestore(["help", "watch"])).stdout, (await filestore(["watch", "-h"])).stdout);
});

test(`filestore init creates a store with done/ and failed/, again does nothing (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const store = join(dir, "a", "store");
    const result = await filestore(["init", store]);
    assertExit(result, 0);
    assert.equal(result.stdout, `${store}\n`);
    assert.deepEqual(readdirSync(store).sort(), ["cur", "done", "failed", "new", "tmp"]);
    writeFileSync(join(store, "new", "kept"), "x");
    assertExit(await filestore(["init", store]), 0);
    assert.deepEqual(readdirSync(join(store, "new")), ["kept"]);
    writeFileSync(join(dir, "file"), "");
    assertExit(await filestore(["init", join(dir, "file")]), 3, /^filestore: Cannot prepare '.*file'/);
  });
});

test(`filestore put delivers files and stdin and prints the new names (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const store = join(dir, "store");
    await filestore(["init", store]);
    writeFileSync(join(dir, "one.txt"), "first");
    writeFileSync(join(dir, "two.txt"), "second");
    const files = await filestore(["put", store, join(dir, "one.txt"), join(dir, "two.txt")]);
    assertExit(files, 0);
    const names = lines(files.stdout);
    assert.equal(names.length, 2);
    assert.deepEqual(names.map((name) => readFileSync(join(store, "new", name), "utf8")), ["first", "second"]);

    const piped = await filestore(["put", store], { input: "from stdin" });
    assertExit(piped, 0);
    assert.equal(readFileSync(join(store, "new", piped.stdout.trim()), "utf8"), "from stdin");

    const named = await filestore(["put", store, "--name", "report.csv", "--no-sync", join(dir, "one.txt")]);
    assertExit(named, 0);
    assert.equal(named.stdout, "report.csv\n");
    assertExit(
      await filestore(["put", store, "--name", "report.csv", join(dir, "two.txt")]),
      3,
      /^filestore: Cannot put 'report.csv': it already exists in new\//,
    );
    assertExit(await filestore(["put", store, "--name", "a/b"], { input: "x" }), 2, /Invalid name 'a\/b'/);
    assertExit(
      await filestore(["put", store, join(dir, "missing.txt")]),
      3,
      /Cannot read '.*missing.txt': no such file/,
    );
    assertExit(
      await filestore(["put", store, "--name", "x", "a", "b"]),
      2,
      /Cannot put 2 files under the one name 'x'/,
    );
    // Nothing half-written was left behind by the failures.
    assert.equal(readdirSync(join(store, "new")).length, 4);
    assert.deepEqual(readdirSync(join(store, "tmp")), []);
  });
});

test(`filestore ls lists an area as paths or JSON (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    await filestore(["init", path]);
    const store = new FileStore(path, { areas: ["done", "failed"] });
    const first = await store.put("a");
    const second = await store.put("bb");
    await store.put("ccc", { name: "flagged:2,FS" });

    const listed = await filestore(["ls", path]);
    assertExit(listed, 0);
    // Oldest first, numbers in names by value (M591 before M1022 within a second).
    assert.deepEqual(lines(listed.stdout), (await store.list("new")).sort(byNameOrder));
    assert.ok(lines(listed.stdout).includes(first.path));

    const json = await filestore(["ls", path, "new", "--json"]);
    assertExit(json, 0);
    const files = JSON.parse(json.stdout);
    assert.equal(files.length, 3);
    const bySize = [...files].sort((a: { size: number }, b: { size: number }) => a.size - b.size);
    assert.deepEqual(bySize.map((f: { size: number }) => f.size), [1, 2, 3]);
    assert.equal(bySize[1].name, second.name);
    assert.equal(bySize[1].path, second.path);
    assert.equal(bySize[2].flags, "FS");
    assert.equal(bySize[2].key, "flagged");
    for (const file of files) {
      assert.equal(file.kind, "file");
      assert.equal(file.attempts, 0);
      assert.ok(Math.abs(Date.parse(file.mtime) - Date.now()) < 3_600_000, file.mtime);
    }

    const empty = await filestore(["ls", path, "done", "--json"]);
    assertExit(empty, 0);
    assert.deepEqual(JSON.parse(empty.stdout), []);
    assertExit(await filestore(["ls", path, "cur"]), 0);
    assertExit(await filestore(["ls", path, "elsewhere"]), 2, /^filestore: Unknown area 'elsewhere': expected one of/);
  });
});

test(`filestore mv moves between areas and never replaces (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    await filestore(["init", path]);
    const store = new FileStore(path, { areas: ["done", "failed"] });
    const { name } = await store.put("job");
    const moved = await filestore(["mv", path, name, "new", "failed"]);
    assertExit(moved, 0);
    assert.equal(moved.stdout, `${join(path, "failed", name)}\n`);
    assert.deepEqual(readdirSync(join(path, "failed")), [name]);

    await store.put("other", { name });
    assertExit(await filestore(["mv", path, name, "new", "failed"]), 3, /^filestore: Cannot move .*/);
    assert.equal(readFileSync(join(path, "failed", name), "utf8"), "job");
    assertExit(await filestore(["mv", path, "nothing-here", "new", "done"]), 3, /nothing-here/);
    assertExit(await filestore(["mv", path, "../escape", "new", "done"]), 2, /^filestore: Invalid name '\.\.\/escape'/);
    assertExit(await filestore(["mv", path, name, "new", "attic"]), 2, /^filestore: Unknown area 'attic'/);
    assertExit(await filestore(["mv", path, name, "new"]), 2, /^filestore: Missing arguments for 'mv'/);
  });
});

test(`filestore claim prints the claimed path, exits 1 when there is nothing (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    await filestore(["init", path]);
    const store = new FileStore(path);
    const first = await store.put("first");
    await store.put("second", { name: "chosen" });

    const named = await filestore(["claim", path, "chosen"]);
    assertExit(named, 0);
    assert.match(named.stdout, new RegExp(`^${join(path, "cur", "chosen")},C=[^/\\n]+:2,\\n$`));
    assert.equal(readFileSync(named.stdout.trim(), "utf8"), "second");

    const oldest = await filestore(["claim", path]);
    assertExit(oldest, 0);
    assert.ok(oldest.stdout.startsWith(join(path, "cur", first.name)), oldest.stdout);
    assert.equal(readFileSync(oldest.stdout.trim(), "utf8"), "first");

    const nothing = await filestore(["claim", path]);
    assert.deepEqual(nothing, { code: 1, stdout: "", stderr: "" });
    assert.equal((await filestore(["claim", path, "chosen"])).code, 1);
    assert.equal((await store.list("cur")).length, 2);
  });
});

test(`filestore stats counts per area, as a table or JSON (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    await filestore(["init", path]);
    const store = new FileStore(path, { areas: ["done", "failed"] });
    await store.putMany(["a", "b", "c"]);
    await store.next();
    const old = await store.put("12345");
    await store.move(old.name, "new", "failed");
    utimesSync(join(path, "failed", old.name), new Date(Date.now() - 7_200_000), new Date(Date.now() - 7_200_000));

    const table = await filestore(["stats", path]);
    assertExit(table, 0);
    const rows = Object.fromEntries(lines(table.stdout).slice(1, 6).map((row) => [row.split(/\s+/)[0], row]));
    assert.match(rows.new, /^new\s+2\s+2 B\s+\S+/);
    assert.match(rows.cur, /^cur\s+1\s+1 B\s+\S+/);
    assert.match(rows.failed, /^failed\s+1\s+5 B\s+2h 0\dm$/);
    assert.match(rows.done, /^done\s+0\s+0 B\s+-$/);
    assert.match(table.stdout, /^claims: 1, stuck: 0 \(lease 5m 00s\)$/m);

    const json = await filestore(["stats", path, "--json", "--lease", "0s"]);
    assertExit(json, 0);
    const stats = JSON.parse(json.stdout);
    assert.equal(stats.path, path);
    assert.deepEqual(
      Object.fromEntries(Object.entries(stats.areas).map(([area, s]) => [area, (s as { count: number }).count])),
      { tmp: 0, new: 2, cur: 1, done: 0, failed: 1 },
    );
    assert.equal(stats.claims, 1);
    assert.equal(stats.stuck, 1);
    assertExit(await filestore(["stats", path, "--lease", "soon"]), 2, /^filestore: Invalid --lease 'soon'/);
  });
});

test(`filestore reports usage and store errors in one line with exit codes 2 and 3 (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    assertExit(await filestore(["frobnicate"]), 2, /^filestore: Unknown command 'frobnicate'/);
    assertExit(await filestore(["ls", dir, "--colour"]), 2, /^filestore: Unknown option '--colour' for 'ls'/);
    assertExit(await filestore(["ls"]), 2, /^filestore: Missing arguments for 'ls': expected DIR \[AREA\]/);
    assertExit(await filestore(["init", "a", "b"]), 2, /^filestore: Too many arguments for 'init'/);
    const missing = join(dir, "missing");
    for (const verb of ["put", "ls", "claim", "stats", "recover", "clean"]) {
      const result = await filestore([verb, missing], { input: "" });
      assertExit(result, 3, /^filestore: Cannot open store '.*missing': no such directory; run 'filestore init/);
    }
    assertExit(await filestore(["ls", dir]), 3, /^filestore: Cannot open store '.*': it is not a store/);
    assert.equal(existsSync(missing), false);
  });
});

test("the npm package's bin runs on Bun, as `bunx --bun @filestore/filestore` runs it", {
  skip: currentRuntime !== "bun" ? "runs in the Bun run of the suite" : false,
}, async (t) => {
  const bin = join(root, "npm", "esm", "src", "cli", "filestore.js");
  const manifest = join(root, "npm", "package.json");
  if (!existsSync(bin) || !existsSync(manifest)) return t.skip("no npm build in npm/: run scripts/build_npm.ts");
  assert.equal(JSON.parse(readFileSync(manifest, "utf8")).bin.filestore, "esm/src/cli/filestore.js");
  assert.match(readFileSync(bin, "utf8"), /^#!\/usr\/bin\/env node\n/);
  await withTempDir(async (dir) => {
    const run = (args: string[]) =>
      new Promise<Result>((resolve) => {
        const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "", stderr = "";
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
        child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    const store = join(dir, "store");
    assertExit(await run(["init", store]), 0);
    writeFileSync(join(dir, "item"), "x");
    assertExit(await run(["put", store, join(dir, "item")]), 0);
    assert.equal(lines((await run(["ls", store])).stdout).length, 1);
    assertExit(await run(["ls", join(dir, "none")]), 3, /Cannot open store/);
  });
});

/** Polls until `check` is true; fails after a generous bound. Not a sleep as synchronisation: it waits on a file. */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test(`filestore watch --exec acknowledges on exit 0 and moves failures to failed/ (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    await filestore(["init", path]);
    const store = new FileStore(path, { areas: ["done", "failed"] });
    await store.put("good", { name: "one" });
    await store.put("good", { name: "two" });
    await store.put("bad", { name: "three" });
    const seen = join(dir, "seen");
    // The command records each key and its file's content, and fails on "bad".
    const script = `echo "$FILESTORE_KEY $(cat "$1")" >> "${seen}"; [ "$(cat "$1")" = good ]`;
    const kept = await filestore([
      "watch",
      path,
      "--until-empty",
      "--keep",
      "--concurrency",
      "2",
      "--exec",
      "sh",
      "-c",
      script,
      "sh",
    ]);
    assertExit(kept, 0);
    assert.deepEqual(lines(readFileSync(seen, "utf8")).sort(), ["one good", "three bad", "two good"]);
    assert.deepEqual(readdirSync(join(path, "done")).sort(), ["one:2,", "two:2,"]);
    assert.deepEqual(readdirSync(join(path, "failed")), ["three:2,"]);
    assert.deepEqual([...readdirSync(join(path, "new")), ...readdirSync(join(path, "cur"))], []);

    // Without --keep, handled items are deleted; with --attempts 2 a failure is retried once.
    await store.put("good", { name: "four" });
    await store.put("bad", { name: "five" });
    const removed = await filestore([
      "watch",
      path,
      "--until-empty",
      "-v",
      "--attempts",
      "2",
      "--exec",
      "sh",
      "-c",
      script,
      "sh",
    ]);
    assertExit(removed, 0);
    assert.match(removed.stderr, /^filestore: retry five \(exit 1\)$/m);
    assert.match(removed.stderr, /^filestore: failed five \(exit 1\)$/m);
    assert.match(removed.stderr, /^filestore: ok four$/m);
    assert.deepEqual(readdirSync(join(path, "done")).sort(), ["one:2,", "two:2,"]);
    assert.deepEqual(readdirSync(join(path, "failed")).sort(), ["five,A=1:2,", "three:2,"]);
    assert.deepEqual([...readdirSync(join(path, "new")), ...readdirSync(join(path, "cur"))], []);

    assertExit(await filestore(["watch", path]), 2, /^filestore: Missing --exec CMD for 'watch'/);
    assertExit(
      await filestore(["watch", path, "--exec", "no-such-command-here"]),
      2,
      /^filestore: Cannot run 'no-such-command-here': no executable of that name on PATH/,
    );
    assertExit(
      await filestore(["watch", path, "--concurrency", "0", "--exec", "true"]),
      2,
      /Invalid --concurrency '0'/,
    );
    assertExit(await filestore(["watch", join(dir, "nowhere"), "--exec", "true"]), 3, /Cannot open store/);
  });
});

test(`filestore watch stops on SIGTERM after the command in flight finished (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    await filestore(["init", path]);
    const store = new FileStore(path, { areas: ["done", "failed"] });
    await store.put("1", { name: "a" });
    await store.put("2", { name: "b" });
    const started = join(dir, "started"), release = join(dir, "release");
    // The command signals that it runs, then waits until the test lets it finish.
    const script = `touch "${started}"; while [ ! -e "${release}" ]; do sleep 0.02; done`;
    const [command, ...prefix] = filestoreCommand(currentRuntime);
    const child = spawn(command, [...prefix, "watch", path, "--keep", "--exec", "sh", "-c", script, "sh"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    await until(() => existsSync(started), "the command to start");
    // Not child.kill(): Deno's node:child_process then reports the child as killed, whatever it did.
    process.kill(child.pid!, "SIGTERM");
    writeFileSync(release, "");
    assert.equal(await exited, 0, stderr);
    // The item in flight finished; whatever was not claimed is still in new/.
    const done = readdirSync(join(path, "done"));
    assert.ok(done.includes("a:2,"), String(done));
    assert.equal(done.length + readdirSync(join(path, "new")).length, 2);
    assert.deepEqual([...readdirSync(join(path, "cur")), ...readdirSync(join(path, "failed"))], []);
  });
});

test(`filestore recover and clean put back stale claims and delete stale tmp files (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    await filestore(["init", path]);
    const store = new FileStore(path);
    await store.put("job", { name: "job" });
    const claimed = (await filestore(["claim", path])).stdout.trim();
    assert.ok(existsSync(claimed));

    const young = await filestore(["recover", path]);
    assertExit(young, 0);
    assert.equal(young.stdout, "");
    const recovered = await filestore(["recover", path, "--older-than", "0s"]);
    assertExit(recovered, 0);
    assert.equal(recovered.stdout, `${join(path, "new", "job,A=1")}\n`);
    assert.equal(readFileSync(join(path, "new", "job,A=1"), "utf8"), "job");
    assert.deepEqual(readdirSync(join(path, "cur")), []);

    writeFileSync(join(path, "tmp", "abandoned"), "half a file");
    const kept = await filestore(["clean", path]);
    assertExit(kept, 0);
    assert.equal(kept.stdout, "");
    assert.deepEqual(readdirSync(join(path, "tmp")), ["abandoned"]);
    const cleaned = await filestore(["clean", path, "--older-than", "0"]);
    assertExit(cleaned, 0);
    assert.equal(cleaned.stdout, `${join(path, "tmp", "abandoned")}\n`);
    assert.deepEqual(readdirSync(join(path, "tmp")), []);
    assertExit(await filestore(["clean", path, "--older-than", "yesterday"]), 2, /Invalid --older-than 'yesterday'/);
  });
});

test(`filestore serve refuses what needs a token without one, and bad ports (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    assertExit(await filestore(["init", dir]), 0);
    assertExit(await filestore(["serve", dir, "--host", "0.0.0.0"]), 2, /Cannot serve on '0\.0\.0\.0' without a token/);
    assertExit(await filestore(["serve", dir, "--allow-actions"]), 2, /Cannot allow actions without a token/);
    assertExit(await filestore(["serve", dir, "--token", "short"]), 2, /at least 12 characters/);
    assertExit(await filestore(["serve", dir, "--port", "70000"]), 2, /Invalid --port '70000'/);
    assertExit(await filestore(["serve", join(dir, "nowhere")]), 3, /Cannot open store/);
  });
});

test(`filestore serve prints the #token= link, serves the API and /metrics, and stops on SIGTERM (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    assertExit(await filestore(["init", dir]), 0);
    await new FileStore(dir).put("job", { name: "job" });
    const token = "cli-test-token-0123456789";
    const [command, ...prefix] = filestoreCommand(currentRuntime);
    const child = spawn(command, [...prefix, "serve", dir, "--port", "0", "--allow-actions"], {
      env: { ...process.env, FILESTORE_TOKEN: token },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    let stderr = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let stdout = "";
        child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
          stdout += chunk;
          if (stdout.includes("\n")) resolve(stdout);
        });
        child.on("close", () => reject(new Error(`serve exited early: ${stderr}`)));
      });
      // The token is in the fragment, which browsers never send to the server.
      const match = /on (http:\/\/127\.0\.0\.1:\d+\/)#token=(\S+) \(actions allowed\)$/m.exec(line);
      assert.ok(match, line);
      assert.equal(match[2], token);
      const api = `${match[1]}api/stats`;
      assert.equal((await fetch(api)).status, 401);
      const stats = await (await fetch(api, { headers: { Authorization: `Bearer ${token}` } })).json();
      assert.equal(stats.areas.new.count, 1);
      assert.ok("failed" in stats.areas && "done" in stats.areas, "the CLI's areas");
      const metrics = `${match[1]}metrics`;
      assert.equal((await fetch(metrics)).status, 401);
      const text = await (await fetch(metrics, { headers: { Authorization: `Bearer ${token}` } })).text();
      assert.match(text, /^filestore_area_items\{store="[^"]+",area="new"\} 1$/m);
    } finally {
      // Not child.kill(): Deno's node:child_process then reports the child as killed, whatever it did.
      process.kill(child.pid!, "SIGTERM");
    }
    assert.equal(await exited, 0, stderr);
  });
});
