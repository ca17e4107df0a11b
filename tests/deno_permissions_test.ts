// The Deno permission flags docs/platforms.md documents are enough, and no more
// is needed: fixtures and the CLI run under Deno with exactly those flags.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { spawn } from "node:child_process";
import { join } from "node:path";
import { FileStore } from "../mod.ts";
import { currentRuntime, root, start, waitFor, withTempDir } from "./_helpers.ts";

const onlyOnDeno = currentRuntime === "deno"
  ? false
  : "starts Deno processes itself; runs from the Deno run of the suite";
const deno = join(root, "node_modules", ".bin", "deno");
const fixture = (name: string) => join(root, "tests", "fixtures", `${name}.ts`);
const cli = join(root, "src", "cli", "filestore.ts");

/** The flags the docs give for a store in `dir`: read and write there, and the host name. */
const storeFlags = (dir: string) => [`--allow-read=${dir}`, `--allow-write=${dir}`, "--allow-sys=hostname"];

async function denoRun(flags: string[], script: string, args: string[], stdin?: string) {
  const command = [deno, "run", "--quiet", "--no-prompt", ...flags, script, ...args];
  if (stdin === undefined) return await start(command).done;
  return await start(["sh", "-c", 'printf %s "$0" | "$@"', stdin, ...command]).done;
}

function assertSucceeded(result: { code: number | null; stdout: string; stderr: string }, what: string) {
  assert.equal(result.code, 0, `${what} failed:\n${result.stdout}\n${result.stderr}`);
}

test(
  "a put/next/ack cycle, consume() and recover() need only read, write and hostname",
  { skip: onlyOnDeno },
  async () => {
    await withTempDir(async (dir) => {
      const result = await denoRun(storeFlags(dir), fixture("pkg_deno_cycle"), [dir]);
      assertSucceeded(result, "the cycle");
      assert.deepEqual(JSON.parse(result.stdout), {
        read: "hello",
        summary: { handled: 1, failed: 0, retried: 0, lost: 0 },
        recovered: 0,
      });
      assert.deepEqual(readdirSync(join(dir, "store", "new")), []);
      assert.deepEqual(readdirSync(join(dir, "store", "cur")), []);
    });
  },
);

test("with the host option the cycle needs no --allow-sys", { skip: onlyOnDeno }, async () => {
  await withTempDir(async (dir) => {
    const flags = [`--allow-read=${dir}`, `--allow-write=${dir}`];
    const result = await denoRun(flags, fixture("pkg_deno_cycle"), [dir, "worker-1"]);
    assertSucceeded(result, "the cycle with host");
    assert.equal(JSON.parse(result.stdout).read, "hello");
  });
});

test("without --allow-sys and without host, the error names the missing flag", { skip: onlyOnDeno }, async () => {
  await withTempDir(async (dir) => {
    const result = await denoRun([`--allow-read=${dir}`, `--allow-write=${dir}`], fixture("pkg_deno_cycle"), [dir]);
    assert.notEqual(result.code, 0, "the host name cannot be read without --allow-sys");
    assert.match(result.stderr, /--allow-sys/);
    assert.equal(existsSync(join(dir, "store", "new")) ? readdirSync(join(dir, "store", "new")).length : 0, 0);
  });
});

test("recover() with --allow-run leaves the claim of a live process alone", { skip: onlyOnDeno }, async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"));
    await store.prepare();
    await store.put("held");
    const claim = await store.next(); // held by this (live) process
    assert.ok(claim);
    const result = await denoRun([...storeFlags(dir), "--allow-run"], fixture("pkg_deno_recover"), [store.path]);
    assertSucceeded(result, "recover");
    assert.equal(result.stdout.trim(), "0");
    await store.ack(claim);
  });
});

test("recover() without --allow-run does not take a live process's claim for a dead one", {
  skip: onlyOnDeno,
}, async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"));
    await store.prepare();
    await store.put("held");
    const claim = await store.next();
    assert.ok(claim);
    const result = await denoRun(storeFlags(dir), fixture("pkg_deno_recover"), [store.path]);
    // Either it refuses (naming --allow-run) or it leaves the claim; never hands it back.
    if (result.code === 0) assert.equal(result.stdout.trim(), "0", "a live claim was handed back");
    else assert.match(result.stderr, /--allow-run/);
    assert.deepEqual(await store.list("new"), []);
  });
});

test("the CLI runs on Deno with the documented flags, no -A", { skip: onlyOnDeno }, async () => {
  await withTempDir(async (dir) => {
    const storeDir = join(dir, "jobs");
    const flags = storeFlags(dir);
    assertSucceeded(await denoRun(flags, cli, ["init", storeDir]), "init");
    const put = await denoRun(flags, cli, ["put", storeDir], "job 1");
    assertSucceeded(put, "put");
    const ls = await denoRun(flags, cli, ["ls", storeDir, "--json"]);
    assertSucceeded(ls, "ls");
    assert.equal(JSON.parse(ls.stdout)[0].name, put.stdout.trim());
    assertSucceeded(await denoRun(flags, cli, ["stats", storeDir]), "stats");
    const claimed = await denoRun(flags, cli, ["claim", storeDir]);
    assertSucceeded(claimed, "claim");
    assertSucceeded(await denoRun(flags, cli, ["mv", storeDir, claimed.stdout.trim(), "cur", "new"]), "mv");
    assertSucceeded(await denoRun(flags, cli, ["clean", storeDir]), "clean");
    assertSucceeded(await denoRun([...flags, "--allow-run"], cli, ["recover", storeDir]), "recover");

    // watch runs a command: it reads PATH and the command's directory, and passes the environment on.
    const watchFlags = [
      `--allow-read=${dir},/usr/bin,/bin`,
      `--allow-write=${dir}`,
      "--allow-sys=hostname,uid,gid",
      "--allow-env",
      "--allow-run=cat",
    ];
    const watched = await denoRun(watchFlags, cli, ["watch", storeDir, "--until-empty", "--keep", "--exec", "cat"]);
    assertSucceeded(watched, "watch");
    assert.equal(watched.stdout, "job 1");
    assert.equal(readdirSync(join(storeDir, "done")).length, 1);
  });
});

test(
  "the CLI's dashboard runs on Deno with read, write, hostname, net and one variable",
  { skip: onlyOnDeno },
  async () => {
    await withTempDir(async (dir) => {
      const store = new FileStore(join(dir, "jobs"), { areas: ["done", "failed"] }); // as `filestore init` makes it
      await store.prepare();
      await store.put("waiting");
      const flags = [...storeFlags(dir), "--allow-net=127.0.0.1", "--allow-env=FILESTORE_TOKEN"];
      const child = spawn(deno, ["run", "--quiet", "--no-prompt", ...flags, cli, "serve", store.path, "--port", "0"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
      const exited = new Promise((resolve) => child.on("close", resolve));
      try {
        await waitFor(
          () => /http:\/\/127\.0\.0\.1:\d+\//.test(output) || child.exitCode !== null,
          "the dashboard's URL",
        );
        const url = /http:\/\/127\.0\.0\.1:\d+\//.exec(output)?.[0];
        assert.ok(url, `serve did not start (exit ${child.exitCode}):\n${output}`);
        const stats = await (await fetch(`${url}api/stats`)).json();
        assert.equal(stats.areas.new.count, 1);
      } finally {
        child.kill("SIGTERM");
        await exited;
      }
    });
  },
);
