// The queue verbs and options of the filestore command, as a subprocess on the
// runtime running this file: put --delay/--at/--priority, ls of delayed/ with
// due times, pause/resume, and watch --retry-delay with failure reasons.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { FileStore, parseName } from "../mod.ts";
import { currentRuntime, filestoreCommand, start, withTempDir } from "./_helpers.ts";

async function filestore(args: string[]) {
  return await start([...filestoreCommand(currentRuntime), ...args], { timeoutMs: 120_000 }).done;
}

test("filestore put --delay/--at/--priority; ls delayed --json shows due times; bad values are usage errors", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "q");
    assert.equal((await filestore(["init", path])).code, 0);
    const empty = await filestore(["ls", path, "delayed", "--json"]);
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, "[]\n", "delayed/ lists empty before its first use");
    const before = Date.now();
    const delayed = await filestore(["put", path, "--delay", "10m", "--priority", "3", "/dev/null"]);
    assert.equal(delayed.code, 0, delayed.stderr);
    const at = "2099-01-31T08:00:00.000Z";
    assert.equal((await filestore(["put", path, "--at", at, "/dev/null"])).code, 0);
    const listed = JSON.parse((await filestore(["ls", path, "delayed", "--json"])).stdout) as {
      name: string;
      due: string;
      priority?: number;
    }[];
    assert.equal(listed.length, 2);
    const byDue = listed.sort((a, b) => Date.parse(a.due) - Date.parse(b.due));
    assert.ok(Date.parse(byDue[0].due) >= before + 600_000);
    assert.equal(byDue[0].priority, 3);
    assert.equal(byDue[1].due, at);
    assert.equal(byDue[0].name, delayed.stdout.trim());
    for (
      const bad of [["--delay", "soon"], ["--at", "tomorrow"], ["--priority", "1.5"], ["--delay", "1s", "--at", at]]
    ) {
      const result = await filestore(["put", path, ...bad, "/dev/null"]);
      assert.equal(result.code, 2, `${bad.join(" ")}: ${result.stderr}`);
      assert.match(result.stderr, /^filestore: [A-Z]/);
    }
  });
});

test("filestore pause and resume set and clear the marker the workers look at", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "q");
    assert.equal((await filestore(["init", path])).code, 0);
    assert.equal((await filestore(["pause", path])).code, 0);
    assert.equal(await new FileStore(path).paused(), true);
    assert.equal((await filestore(["pause", path])).code, 0, "pausing twice is fine");
    assert.equal((await filestore(["resume", path])).code, 0);
    assert.equal(existsSync(join(path, ".paused")), false);
    assert.equal((await filestore(["resume", path])).code, 0, "resuming twice is fine");
    assert.equal((await filestore(["pause", join(dir, "nowhere")])).code, 3);
    const help = await filestore(["--help"]);
    assert.match(help.stdout, /^ {2}pause DIR/m);
    assert.match(help.stdout, /^ {2}resume DIR/m);
  });
});

test("filestore watch --retry-delay retries through delayed/; the failure's exit code and stderr are kept", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "q");
    const store = new FileStore(path);
    await store.prepare();
    const { name } = await store.put("bad");
    const script = 'echo "cannot frobnicate $FILESTORE_ATTEMPTS" >&2; exit 3';
    const result = await filestore([
      "watch",
      path,
      "--until-empty",
      "--attempts",
      "2",
      "--retry-delay",
      "50ms",
      "--exec",
      "sh",
      "-c",
      script,
      "sh",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /cannot frobnicate 0/, "the command's stderr still reaches the terminal");
    assert.match(result.stderr, /cannot frobnicate 1/);
    const failed = readdirSync(join(path, "failed"));
    assert.equal(failed.length, 1);
    assert.equal(parseName(failed[0]).attempts, 1);
    const listed = JSON.parse((await filestore(["ls", path, "failed", "--json"])).stdout) as {
      key: string;
      error?: { exitCode?: number; stderr?: string; attempts: number; message: string };
    }[];
    assert.equal(listed[0].key, parseName(name).key);
    assert.equal(listed[0].error?.exitCode, 3);
    assert.equal(listed[0].error?.attempts, 2);
    assert.equal(listed[0].error?.message, "exit 3");
    assert.match(listed[0].error?.stderr ?? "", /cannot frobnicate 1\n$/);
  });
});
