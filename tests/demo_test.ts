// The demo (`npm run demo`), with a smaller count: producers on Deno and Node,
// consumers on Bun, Node and Deno. It starts all three runtimes itself, so it
// runs once, from the Node run of the suite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { onceAcrossRuntimes, root } from "./_helpers.ts";

test("the demo moves every item exactly once through processes on three runtimes", {
  skip: onceAcrossRuntimes,
}, async () => {
  const deno = join(root, "node_modules", ".bin", "deno");
  // --no-build: the suite built npm/ already; rebuilding would pull it from under the Node run.
  const child = spawn(deno, ["run", "-A", "scripts/demo.ts", "--count", "600", "--no-build"], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "", stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
  const code = await new Promise((resolve) => child.on("close", resolve));
  assert.equal(code, 0, `${stdout}\n${stderr}`);

  const value = (label: string): number => {
    const match = new RegExp(`^  ${label}\\s+([\\d,.]+)`, "m").exec(stdout);
    assert.ok(match, `no row '${label}' in:\n${stdout}`);
    return Number(match[1].replaceAll(",", ""));
  };
  assert.equal(value("produced by Deno") + value("produced by Node"), 600);
  const consumed = ["Bun", "Node", "Deno"].map((runtime) => value(`consumed by ${runtime}`));
  assert.equal(consumed.reduce((a, b) => a + b), 600);
  assert.equal(value("produced"), 600);
  assert.equal(value("consumed"), 600);
  assert.equal(value("duplicates"), 0);
  assert.equal(value("lost"), 0);
  assert.equal(value("left in the store"), 0);
  assert.ok(value("items/s") > 0);
  assert.match(stdout, /every one of 600 files was consumed exactly once/);
  // Not a terminal: plain lines, no escape sequences.
  assert.ok(!stdout.includes("\x1b"), "no escape sequences");
  // It removed its temp dir.
  const store = /^ {2}store {7}(\S+)/m.exec(stdout);
  assert.ok(store, stdout);
  assert.equal(existsSync(dirname(store[1])), false);
});
