// The npm package as a user gets it: `npm pack` in npm/, installed into a
// fresh project, imported and required on Node 20, 22 and 24 and on Bun.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { currentRuntime, root, start, withTempDir } from "./_helpers.ts";

const onlyOnDeno = currentRuntime === "deno"
  ? false
  : "starts Node 20, 22, 24 and Bun itself; runs from the Deno run of the suite";
const npmDir = join(root, "npm");
const nodes: [string, string][] = [
  ["Node 20", join(root, "node_modules", "node20", "bin", "node")],
  ["Node 22", join(root, "node_modules", "node", "bin", "node")],
  ["Node 24", join(root, "node_modules", "node24", "bin", "node")],
];

// A cycle through the installed package, as an ES module and as CommonJS.
const esmConsumer = `
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "@filestore/filestore";
import manifest from "@filestore/filestore/package.json" with { type: "json" };
const dir = mkdtempSync(join(tmpdir(), "filestore-pkg-"));
try {
  const store = new FileStore(dir);
  await store.prepare();
  await store.put("esm");
  const claim = await store.next();
  if (claim === null) throw new Error("nothing to claim");
  const text = new TextDecoder().decode(await store.read(claim));
  await store.ack(claim);
  console.log(JSON.stringify({ text, version: manifest.version }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
`;
const cjsConsumer = `
const { mkdtempSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { FileStore } = require("@filestore/filestore");
const { version } = require("@filestore/filestore/package.json");
const dir = mkdtempSync(join(tmpdir(), "filestore-pkg-"));
try {
  const store = new FileStore(dir);
  store.prepareSync();
  store.putSync("cjs");
  const claim = store.nextSync();
  if (claim === null) throw new Error("nothing to claim");
  const text = new TextDecoder().decode(store.readSync(claim));
  store.ackSync(claim);
  console.log(JSON.stringify({ text, version }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
`;

async function run(command: string[], cwd: string) {
  const result = await start(["sh", "-c", 'cd "$0" && exec "$@"', cwd, ...command], { timeoutMs: 180_000 }).done;
  assert.equal(result.code, 0, `${command.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result;
}

test("the packed npm package installs, imports and requires on Node 20, 22, 24 and Bun", {
  skip: onlyOnDeno,
}, async () => {
  assert.ok(existsSync(join(npmDir, "package.json")), "npm/ is built by scripts/build_npm.ts before the tests");
  const manifest = JSON.parse(readFileSync(join(npmDir, "package.json"), "utf8"));
  await withTempDir(async (dir) => {
    const packed = await run(["npm", "pack", "--silent", "--pack-destination", dir], npmDir);
    const tarball = join(dir, packed.stdout.trim().split("\n").pop()!);
    const project = join(dir, "project");
    await run(["mkdir", project], dir);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "consumer", private: true }));
    await run(["npm", "install", "--offline", "--ignore-scripts", "--no-audit", "--no-fund", tarball], project);
    writeFileSync(join(project, "esm.mjs"), esmConsumer);
    writeFileSync(join(project, "cjs.cjs"), cjsConsumer);

    const runtimes: [string, string][] = [...nodes, ["Bun", join(root, "node_modules", ".bin", "bun")]];
    for (const [name, binary] of runtimes) {
      for (const [file, text] of [["esm.mjs", "esm"], ["cjs.cjs", "cjs"]]) {
        const result = await run([binary, file], project);
        assert.deepEqual(JSON.parse(result.stdout), { text, version: manifest.version }, `${name} ${file}`);
        assert.equal(result.stderr, "", `${name} ${file} printed a warning`);
      }
    }

    // The bin npm linked runs (on the Node on PATH, by its #! line).
    const bin = join(project, "node_modules", ".bin", "filestore");
    assert.ok(statSync(bin).mode & 0o111, "the bin is executable");
    for (const [name, binary] of nodes) {
      const help = await run([binary, bin, "--help"], project);
      assert.match(help.stdout, /filestore/, `${name}: filestore --help`);
    }
  });
});

test("the npm manifest: engines, exports, bin and sideEffects", () => {
  const manifest = JSON.parse(readFileSync(join(npmDir, "package.json"), "utf8"));
  const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  assert.equal(manifest.version, denoJson.version, "the version comes from deno.json");
  // require() of an ES module works without a flag from 20.19 and 22.12 on.
  assert.equal(manifest.engines.node, "^20.19.0 || >=22.12.0");
  assert.equal(manifest.exports["./package.json"], "./package.json");
  for (const key of Object.keys(denoJson.exports)) assert.ok(manifest.exports[key], `export ${key}`);
  const bin = manifest.bin.filestore;
  assert.ok(!bin.startsWith("./"), "npm rewrites a bin path starting with ./ and warns");
  assert.ok(existsSync(join(npmDir, bin)), `bin ${bin} exists`);
  // Importing the CLI runs it, so a bundler must not drop `import "@filestore/filestore/cli"`.
  assert.ok(Array.isArray(manifest.sideEffects), "sideEffects lists the files with side effects");
  assert.ok(manifest.sideEffects.includes(`./${bin}`), "the CLI is marked as having side effects");
  assert.equal(manifest.exports["./cli"].default, `./${bin}`);
});

test("the npm README links only to absolute URLs, of files the JSR package ships", () => {
  const readme = readFileSync(join(npmDir, "README.md"), "utf8");
  const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));
  const jsrBase = `https://jsr.io/${denoJson.name}/${denoJson.version}/`;
  const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]);
  assert.ok(targets.length > 0);
  const include: string[] = denoJson.publish.include;
  for (const target of targets) {
    if (target.startsWith("#")) continue;
    assert.match(target, /^(https?:|mailto:)/, `relative link '${target}' would be dead on npmjs.com`);
    if (!target.startsWith(jsrBase)) continue;
    const path = target.slice(jsrBase.length).replace(/#.*$/, "");
    assert.ok(existsSync(join(root, path)), `'${target}' names a file that does not exist`);
    assert.ok(
      include.some((entry) => entry.endsWith("/") ? path.startsWith(entry) : path === entry),
      `'${path}' is not in deno.json's publish.include`,
    );
    assert.ok(existsSync(join(npmDir, path)), `'${path}' is not shipped in the npm package`);
  }
  assert.ok(readdirSync(join(npmDir, "docs")).length > 0, "docs/ ships in the npm package");
});
