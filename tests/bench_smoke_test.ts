// A smoke run of the benchmarks (bench/run.ts): 100 items, one round, every
// part whose programs are here. Asserts that it ran and wrote sane numbers;
// never asserts timings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { onceAcrossRuntimes, root, withTempDir } from "./_helpers.ts";

// Numbers like 12,340 in the table cells that hold items per second.
function rates(markdown: string, heading: string): number[] {
  const start = markdown.indexOf(heading);
  assert.notEqual(start, -1, `no section '${heading}' in:\n${markdown}`);
  const section = markdown.slice(start).split("\n### ")[0];
  return [...section.matchAll(/\| ([\d,]+(?:\.\d)?)(?: \(|\s\|)/g)].map((m) => Number(m[1].replaceAll(",", "")));
}

test("bench/run.ts runs every available part and writes sane numbers", { skip: onceAcrossRuntimes }, async () => {
  await withTempDir((dir) => {
    const run = spawnSync(
      join(root, "node_modules", ".bin", "deno"),
      ["run", "-A", join(root, "bench", "run.ts"), "--items", "100", "--rounds", "1", "--out", dir, "--no-build"],
      { encoding: "utf8", timeout: 600_000 },
    );
    assert.equal(run.status, 0, `bench failed:\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /bench: (every runtime and peer is available|these are missing)/);
    const markdown = readFileSync(join(dir, "BENCHMARKS.md"), "utf8");
    for (const fact of ["cpu", "kernel", "file system", "date", "run duration"]) {
      assert.match(markdown, new RegExp(`\\| ${fact} \\|`), `no '${fact}' in the machine table`);
    }
    for (
      const heading of [
        "### Full cycle",
        "### Draining a backlog",
        "### Group commit",
        "### 100 items of 1 KiB in one process",
        "### Producer/consumer process pairs",
      ]
    ) {
      const numbers = rates(markdown, heading);
      assert.ok(numbers.length > 0, `no rates under '${heading}'`);
      for (const n of numbers) assert.ok(Number.isFinite(n) && n > 0, `rate ${n} under '${heading}'`);
    }
    // The backlog section gives a time per item for each backlog size.
    assert.match(markdown, /\| 1,000 \| [\d.]+ µs/);
    const svg = readFileSync(join(dir, "peers.svg"), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /filestore, Node \*Sync/);
    assert.ok((svg.match(/<rect /g) ?? []).length > 10, "the chart has bars");
    assert.ok(existsSync(join(root, "bench", "peers.svg")), "the committed chart bench/peers.svg exists");
  });
});
