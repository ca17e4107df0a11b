// The documentation as a registry page and a reader get it: the README's size
// and commands, every relative link and anchor resolving, every table well formed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, normalize } from "node:path";
import { FILE_STORE_ERROR_CODES } from "../mod.ts";
import { root } from "./_helpers.ts";

const pages = [
  "README.md",
  "CHANGELOG.md",
  ...readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];
const read = (page: string) => readFileSync(join(root, page), "utf8");

/** The lines outside fenced code blocks, with their numbers; inline code blanked out. */
function prose(markdown: string): { line: string; number: number }[] {
  const lines: { line: string; number: number }[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((line, index) => {
    const marker = /^\s*(```+|~~~+)/.exec(line)?.[1];
    if (marker && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined;
      return;
    }
    if (fence === undefined) lines.push({ line, number: index + 1 });
  });
  return lines;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading.toLowerCase().replace(/`/g, "").replace(/[^\p{L}\p{N}\s_-]/gu, "").trim().replace(/\s/g, "-");
}

function anchors(markdown: string): Set<string> {
  return new Set(
    prose(markdown).map(({ line }) => /^#{1,6}\s+(.*)$/.exec(line)?.[1]).filter((h) => h !== undefined)
      .map((heading) => slug(heading!)),
  );
}

function links(markdown: string): { target: string; number: number }[] {
  return prose(markdown).flatMap(({ line, number }) =>
    [...line.replace(/`[^`]*`/g, "").matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({ target: m[1], number }))
  );
}

test("the README fits a registry page and carries the two commands", () => {
  const readme = read("README.md");
  assert.ok(Buffer.byteLength(readme) <= 20_000, `README.md is ${Buffer.byteLength(readme)} bytes, at most 20,000`);
  assert.match(readme, /npm ci && npm run demo/);
  const scripts = JSON.parse(read("package.json")).scripts;
  assert.ok(scripts.demo && scripts.test, "package.json has the demo and test scripts the README names");
  // CI runs exactly the README's test command, last.
  const ci = read(".ci/run").trim().split("\n");
  assert.equal(ci[ci.length - 1], "npm test");
  assert.match(readme, /^npm test\s+#/m);
  for (const text of ["jsr:@filestore/filestore", "npm install @filestore/filestore", "^20.19.0 || >=22.12.0"]) {
    assert.ok(readme.includes(text), `the README says '${text}'`);
  }
});

test("every relative link and anchor in README.md, CHANGELOG.md and docs/ resolves", () => {
  const problems: string[] = [];
  for (const page of pages) {
    for (const { target, number } of links(read(page))) {
      if (/^(https?:|mailto:)/.test(target)) continue;
      const [path, anchor] = target.split("#");
      const file = path === "" ? page : normalize(join(dirname(page), decodeURI(path)));
      if (file.startsWith("..") || !existsSync(join(root, file))) {
        problems.push(`${page}:${number}: '${target}': no file ${file}`);
        continue;
      }
      if (anchor && file.endsWith(".md") && !anchors(read(file)).has(anchor)) {
        problems.push(`${page}:${number}: '${target}': no heading #${anchor} in ${file}`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("every file the docs link to is in the JSR package", () => {
  const include: string[] = JSON.parse(read("deno.json")).publish.include;
  const shipped = (file: string) =>
    include.some((entry) => entry.endsWith("/") ? file.startsWith(entry) : file === entry);
  const missing: string[] = [];
  for (const page of pages) {
    if (!shipped(page)) missing.push(page);
    for (const { target } of links(read(page))) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const file = normalize(join(dirname(page), target.split("#")[0]));
      if (!shipped(file)) missing.push(`${file} (linked from ${page})`);
    }
  }
  assert.deepEqual(missing, []);
});

/** The cells of a table row: split on pipes that are not escaped. */
function cells(row: string): number {
  return row.trim().replace(/^\|/, "").replace(/\|$/, "").split(/(?<!\\)\|/).length;
}

test("every table in the docs is a well-formed table", () => {
  const problems: string[] = [];
  for (const page of pages) {
    const lines = prose(read(page));
    for (let i = 0; i < lines.length; i++) {
      if (!lines[i].line.startsWith("|") || (i > 0 && lines[i - 1].line.startsWith("|"))) continue;
      const block: { line: string; number: number }[] = [];
      for (let j = i; j < lines.length && lines[j].line.startsWith("|"); j++) block.push(lines[j]);
      const where = `${page}:${block[0].number}`;
      if (i > 0 && lines[i - 1].line.trim() !== "") problems.push(`${where}: a table must follow a blank line`);
      if (block.length < 2 || !/^\|(\s*:?-+:?\s*\|)+\s*$/.test(block[1].line)) {
        problems.push(`${where}: rows without a header and delimiter row (they render as a paragraph)`);
        continue;
      }
      const columns = cells(block[0].line);
      for (const row of block) {
        if (cells(row.line) !== columns) {
          problems.push(`${page}:${row.number}: ${cells(row.line)} cells, not ${columns}`);
        }
      }
      const next = lines[i + block.length];
      if (next && next.line.trim() !== "" && next.number === block[block.length - 1].number + 1) {
        problems.push(`${page}:${next.number}: a line right after a table joins its last row`);
      }
    }
  }
  assert.deepEqual(problems, []);
});

test("docs/api.md documents every error code", () => {
  const api = read("docs/api.md");
  for (const code of FILE_STORE_ERROR_CODES) assert.ok(api.includes(`| \`${code}\``), `error code ${code}`);
});
