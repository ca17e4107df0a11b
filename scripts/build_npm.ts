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
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
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
const exportsMap: Record<string, { types: string; default: string } | string> = {};
for (const [key, source] of Object.entries(denoJson.exports as Record<string, string>)) {
  const base = `./esm/${(source as string).replace(/^\.\//, "").replace(/\.ts$/, "")}`;
  exportsMap[key] = { types: `${base}.d.ts`, default: `${base}.js` };
}
// Tools read a dependency's manifest through its exports (bundlers, version checks).
exportsMap["./package.json"] = "./package.json";
const entry = (key: string) => exportsMap[key] as { types: string; default: string };
// Without "./": npm rewrites "./x" to "x" and warns in publish.
const cliFile = entry("./cli").default.replace(/^\.\//, "");

/** The files the README and docs/ link to, shipped in both packages (see deno.json's publish.include). */
const documentation = ["README.md", "CHANGELOG.md", "LICENSE", "BENCHMARKS.md", "docs/", "bench/peers.svg"];

const packageJson = {
  name: denoJson.name,
  version: denoJson.version,
  description: "Maildir-style lock-free file handoff between processes, for Deno, Bun and Node",
  license: denoJson.license,
  homepage: `https://jsr.io/${denoJson.name}`,
  type: "module",
  main: entry(".").default,
  types: entry(".").types,
  exports: exportsMap,
  bin: { filestore: cliFile },
  // ESM only: require() of an ES module works without a flag from Node 20.19 and 22.12 on.
  engines: { node: "^20.19.0 || >=22.12.0" },
  files: ["esm/mod.js", "esm/mod.d.ts", "esm/src/", ...documentation],
  keywords: ["maildir", "queue", "spool", "lock-free", "atomic", "rename", "deno", "bun"],
  // Importing the CLI runs it: a bundler must keep `import "@filestore/filestore/cli"`.
  sideEffects: [`./${cliFile}`],
};
writeFileSync(join(out, "package.json"), JSON.stringify(packageJson, null, 2) + "\n");
for (const file of documentation) {
  cpSync(join(root, file), join(out, file), { recursive: true });
}
writeFileSync(join(out, "README.md"), absoluteLinks(readFileSync(join(root, "README.md"), "utf8")));
console.log(`build_npm: ${packageJson.name}@${packageJson.version} built in npm/`);

/**
 * npmjs.com resolves a README's relative links against the `repository` (and
 * this package names none), so they would be dead there. The npm copy of the
 * README links to the same files of the same version on jsr.io instead; JSR
 * itself resolves relative links to the package's own files.
 */
function absoluteLinks(markdown: string): string {
  const base = `https://jsr.io/${denoJson.name}/${denoJson.version}/`;
  return markdown.replace(/(\]\()(?!https?:|mailto:|#)([^)\s]+)\)/g, (_match, open: string, target: string) => {
    return `${open}${base}${target.replace(/^\.\//, "")})`;
  });
}
