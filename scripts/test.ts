/**
 * The whole test suite: the gates (type check of the code and of every
 * TypeScript block in README.md and docs/, documentation lint, lint, format,
 * both publish dry runs, the npm build and its types), then the same tests
 * under Deno, Bun, and Node 20, 22 and 24 on the compiled npm package. Ends
 * with one `N passed, N failed` line.
 *
 * Usage: deno run -A scripts/test.ts [--quick] [FILTER...]
 *   --quick   skip the gates (for local iteration)
 *   FILTER    only test files whose name contains FILTER
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const bin = join(root, "node_modules", ".bin");
// One Node per major version, from the devDependencies node20, node (22) and node24.
const nodes: [string, string][] = [
  ["Node 20", join(root, "node_modules", "node20", "bin", "node")],
  ["Node 22", join(root, "node_modules", "node", "bin", "node")],
  ["Node 24", join(root, "node_modules", "node24", "bin", "node")],
];
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

/** A step fails when its command does, or when `complaint` finds a line in its output to complain about. */
function run(
  step: string,
  command: string,
  commandArgs: string[],
  options: { cwd?: string; complaint?: (output: string) => string | undefined; env?: Record<string, string> } = {},
) {
  return new Promise<Outcome>((resolve) => {
    const started = performance.now();
    console.log(`\n=== ${step}: ${[command, ...commandArgs].map((a) => a.replace(root + "/", "")).join(" ")}`);
    const child = spawn(command, commandArgs, {
      cwd: options.cwd ?? root,
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, NO_COLOR: "1", ...options.env },
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
      const complaint = options.complaint?.(output);
      if (complaint) console.log(`${step}: fails because of: ${complaint}`);
      const ok = code === 0 && !complaint;
      const outcome = { step, ok, ...countTests(output), seconds: (performance.now() - started) / 1000 };
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
  // TAP ("# pass 3", Node 20 and 22 when piped) or spec ("ℹ pass 3", Node 24).
  const pass = /^(?:#|ℹ) pass (\d+)$/m.exec(text);
  const fail = /^(?:#|ℹ) fail (\d+)$/m.exec(text);
  const skip = /^(?:#|ℹ) skipped (\d+)$/m.exec(text);
  if (pass && fail) return { passed: +pass[1], failed: +fail[1], skipped: skip ? +skip[1] : 0 };
  return { passed: 0, failed: 0, skipped: 0 };
}

/** The first warning line of a publish dry run, if any. */
function firstWarning(output: string, ignored: RegExp[] = []): string | undefined {
  return output.split("\n").find((line) => /\bwarn(ing)?\b/i.test(line) && !ignored.some((re) => re.test(line)));
}
// Not about the package: a dry run without an npm login says so.
const notLoggedIn = /requires you to be logged in .*\(dry-run\)/;

const deno = join(bin, "deno");
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
const entryPoints = Object.values(denoJson.exports as Record<string, string>);
const markdown = [
  "README.md",
  "CHANGELOG.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
if (!quick) {
  await run("type check", deno, ["check", "mod.ts", "src/", "tests/", "scripts/", "bench/"]);
  await run("type check of the docs", deno, ["check", "--doc-only", ...markdown]);
  await run("documentation lint", deno, ["doc", "--lint", ...entryPoints]);
  await run("lint", deno, ["lint"]);
  await run("format", deno, ["fmt", "--check"]);
  await run("JSR publish dry run", deno, ["publish", "--dry-run", "--allow-dirty"], { complaint: firstWarning });
}
const build = await run("npm build", deno, ["run", "-A", "scripts/build_npm.ts"]);
if (!quick && build.ok) {
  await run("npm publish dry run", "npm", ["publish", "--dry-run"], {
    cwd: join(root, "npm"),
    complaint: (output) => firstWarning(output, [notLoggedIn]),
  });
  // ESM only, for import and require(): the profile that leaves out node10 and CommonJS before require(esm).
  await run("npm package types (attw)", join(bin, "attw"), ["--pack", "npm", "--profile", "esm-only"]);
}
await run("tests on Deno", deno, ["test", "-A", "--no-check", ...testFiles.map((f) => `tests/${f}`)]);
await run("tests on Bun", join(bin, "bun"), ["test", "--timeout", "600000", ...testFiles.map((f) => `./tests/${f}`)]);
if (build.ok) {
  const compiled = testFiles.map((f) => `npm/esm/tests/${f.replace(/\.ts$/, ".js")}`);
  for (const [name, node] of nodes) {
    // Fixtures started by these tests run on process.execPath, so on this Node too.
    // The heavy tests that drive all three runtimes themselves run once, in the Node 24 (LTS) pass.
    if (existsSync(node)) {
      await run(`tests on ${name} (npm build)`, node, ["--test", "--test-concurrency=1", ...compiled], {
        env: { FILESTORE_HEAVY: name === "Node 24" ? "1" : "0" },
      });
    } else await run(`tests on ${name}: not installed, run npm ci`, "false", []);
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
