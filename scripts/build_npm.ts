/**
 * Builds the npm package into `npm/`: type-checks and compiles the library
 * (and the tests, for the Node run of the suite) with `tsc` from the
 * `typescript` package, emitting ESM JavaScript and `.d.ts` files, and writes
 * a package.json generated from deno.json. Does the job of dnt, which cannot
 * be installed here.
 *
 * Usage: deno run -A scripts/build_npm.ts
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "npm");
const denoJson = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// tsc 7 (the native compiler) has no JavaScript API: give it a config file.
const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    lib: ["ES2022", "ESNext.Disposable", "DOM"],
    types: ["node"],
    rootDir: "..",
    outDir: "esm",
    declaration: true,
    rewriteRelativeImportExtensions: true,
    strict: true,
    skipLibCheck: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    noEmitOnError: true,
    typeRoots: ["../node_modules/@types"],
  },
  include: ["../mod.ts", "../src/**/*.ts", "../tests/**/*.ts", "../bench/**/*.ts", "../scripts/demo*.ts"],
};
writeFileSync(join(out, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
const tsc = spawnSync(join(root, "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], {
  stdio: "inherit",
});
if (tsc.status !== 0) {
  console.error(`build_npm: tsc failed with exit code ${tsc.status}`);
  process.exit(1);
}
rmSync(join(out, "tsconfig.json"));

// The published entry points, from deno.json's exports (./x.ts -> ./esm/x.js).
const exportsMap: Record<string, { types: string; default: string }> = {};
for (const [key, source] of Object.entries(denoJson.exports as Record<string, string>)) {
  const base = `./esm/${(source as string).replace(/^\.\//, "").replace(/\.ts$/, "")}`;
  exportsMap[key] = { types: `${base}.d.ts`, default: `${base}.js` };
}

const packageJson = {
  name: denoJson.name,
  version: denoJson.version,
  description: "Maildir-style lock-free file handoff between processes, for Deno, Bun and Node",
  license: denoJson.license,
  type: "module",
  main: exportsMap["."].default,
  types: exportsMap["."].types,
  exports: exportsMap,
  bin: denoJson.exports["./cli"] ? { filestore: exportsMap["./cli"].default } : undefined,
  engines: { node: ">=20" },
  files: ["esm/mod.js", "esm/mod.d.ts", "esm/src/", "README.md", "LICENSE"],
  keywords: ["maildir", "queue", "spool", "lock-free", "atomic", "rename", "deno", "bun"],
  sideEffects: false,
};
writeFileSync(join(out, "package.json"), JSON.stringify(packageJson, null, 2) + "\n");
// A package.json of the dev tree would otherwise decide the module type of compiled files.
for (const file of ["README.md", "LICENSE"]) copyFileSync(join(root, file), join(out, file));
console.log(`build_npm: ${packageJson.name}@${packageJson.version} built in npm/`);
