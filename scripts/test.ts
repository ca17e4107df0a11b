/**
 * The whole test suite: the gates (type check, lint, format, publish dry
 * run, npm build), then the same tests under Deno, Bun, and Node on the
 * compiled npm package. Ends with one `N passed, N failed` line.
 *
 * Usage: deno run -A scripts/test.ts [--quick] [FILTER...]
 *   --quick   skip the gates (for local iteration)
 *   FILTER    only test files whose name contains FILTER
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "node_modules", ".bin");
// The Node on PATH outside node_modules/.bin (npm puts the node@22 devDependency
// there), and Node 22 from that devDependency for a second Node run.
const systemNode = process.env.NODE ??
  (process.env.PATH ?? "").split(":").filter((dir) => dir && !dir.includes("node_modules"))
    .map((dir) => join(dir, "node")).find((path) => existsSync(path)) ??
  "node";
const node22 = join(root, "node_modules", "node", "bin", "node");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const filters = args.filter((arg) => !arg.startsWith("--"));

const testFiles = readdirSync(join(root, "tests"))
  .filter((file) => file.endsWith("_test.ts"))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();

interface Outcome {
  step: string;
  ok: boolean;
  passed: number;
  failed: number;
  skipped: number;
  seconds: number;
}
const outcomes: Outcome[] = [];

function run(step: string, command: string, commandArgs: string[], env: Record<string, string> = {}) {
  return new Promise<Outcome>((resolve) => {
    const started = performance.now();
    console.log(`\n=== ${step}: ${[command, ...commandArgs].map((a) => a.replace(root + "/", "")).join(" ")}`);
    const child = spawn(command, commandArgs, {
      cwd: root,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const collect = (stream: NodeJS.WritableStream) => (chunk: Uint8Array) => {
      output += new TextDecoder().decode(chunk);
      stream.write(chunk);
    };
    child.stdout.on("data", collect(process.stdout));
    child.stderr.on("data", collect(process.stderr));
    child.on("close", (code) => {
      const outcome = { step, ok: code === 0, ...countTests(output), seconds: (performance.now() - started) / 1000 };
      outcomes.push(outcome);
      resolve(outcome);
    });
  });
}

// Reads the counts each runner prints at the end.
function countTests(output: string): { passed: number; failed: number; skipped: number } {
  // deno-lint-ignore no-control-regex
  const text = output.replace(/\x1b\[[0-9;]*m/g, "");
  const deno = /ok \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \| (\d+) ignored)?/.exec(text) ??
    /FAILED \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \| (\d+) ignored)?/.exec(text);
  if (deno) return { passed: +deno[1], failed: +deno[3], skipped: +(deno[4] ?? 0) };
  const bun = /^\s*(\d+) pass\s*$[\s\S]*?^\s*(\d+) fail\s*$/m.exec(text);
  if (bun) {
    const skip = /^\s*(\d+) skip\s*$/m.exec(text);
    return { passed: +bun[1], failed: +bun[2], skipped: skip ? +skip[1] : 0 };
  }
  const pass = /^# pass (\d+)$/m.exec(text);
  const fail = /^# fail (\d+)$/m.exec(text);
  const skip = /^# skipped (\d+)$/m.exec(text);
  if (pass && fail) return { passed: +pass[1], failed: +fail[1], skipped: skip ? +skip[1] : 0 };
  return { passed: 0, failed: 0, skipped: 0 };
}

const deno = join(bin, "deno");
if (!quick) {
  await run("type check", deno, ["check", "mod.ts", "src/", "tests/", "scripts/", "bench/"]);
  await run("lint", deno, ["lint"]);
  await run("format", deno, ["fmt", "--check"]);
  await run("publish dry run", deno, ["publish", "--dry-run", "--allow-dirty"]);
}
const build = await run("npm build", deno, ["run", "-A", "scripts/build_npm.ts"]);
await run("tests on Deno", deno, ["test", "-A", "--no-check", ...testFiles.map((f) => `tests/${f}`)]);
await run("tests on Bun", join(bin, "bun"), ["test", "--timeout", "600000", ...testFiles.map((f) => `./tests/${f}`)]);
if (build.ok) {
  const compiled = testFiles.map((f) => `npm/esm/tests/${f.replace(/\.ts$/, ".js")}`);
  await run("tests on Node (npm build)", systemNode, ["--test", "--test-concurrency=1", ...compiled]);
  if (existsSync(node22)) {
    // Fixtures started by these tests run on process.execPath, so on Node 22 too.
    await run("tests on Node 22 (npm build)", node22, ["--test", "--test-concurrency=1", ...compiled]);
  }
}

console.log("\n=== summary");
let passed = 0, failed = 0, skipped = 0;
for (const o of outcomes) {
  console.log(
    `${o.ok ? "ok  " : "FAIL"} ${o.step.padEnd(28)} ${o.seconds.toFixed(1).padStart(6)} s` +
      (o.passed + o.failed ? `  ${o.passed} passed, ${o.failed} failed, ${o.skipped} skipped` : ""),
  );
  passed += o.passed;
  failed += o.failed + (o.ok || o.failed > 0 ? 0 : 1);
  skipped += o.skipped;
}
console.log(`filestore: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(outcomes.every((o) => o.ok) ? 0 : 1);
