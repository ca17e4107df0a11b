// A smoke run of the benchmarks (bench/run.ts): tiny item counts, one round,
// every part whose programs are here. Asserts that it ran and wrote sane
// numbers and a verdict for every target; never asserts timings.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { onceAcrossRuntimes, root, withTempDir } from "./_helpers.ts";

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(heading);
  assert.notEqual(start, -1, `no section '${heading}' in:\n${markdown}`);
  return markdown.slice(start).split("\n### ")[0];
}

// Numbers like 12,340 in the table cells that hold items per second.
function rates(markdown: string, heading: string): number[] {
  return [...section(markdown, heading).matchAll(/\| ([\d,]+(?:\.\d)?)(?: \(|\s\|)/g)].map((m) =>
    Number(m[1].replaceAll(",", ""))
  );
}

// The millisecond cells of a runtime's row: `| Bun ... | 0.81 | 2.16 | 3.0 |`.
function millis(markdown: string, heading: string, runtime: string): number[] {
  const row = section(markdown, heading).split("\n").find((line) => line.startsWith(`| ${runtime}`));
  assert.ok(row, `no row for ${runtime} under '${heading}'`);
  return row.split("|").slice(2, -1).map((cell) => Number(cell.trim())).filter((n) => !Number.isNaN(n));
}

test("bench/run.ts runs every available part and writes sane numbers", { skip: onceAcrossRuntimes }, async () => {
  await withTempDir((dir) => {
    const run = spawnSync(
      join(root, "node_modules", ".bin", "deno"),
      // One runtime keeps the smoke run short; every part and table still runs.
      [
        "run",
        "-A",
        join(root, "bench", "run.ts"),
        ...["--items", "40", "--rounds", "1", "--out", dir, "--no-build", "--runtimes", "deno"],
      ],
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
        "### The async API against the *Sync one",
        "### Event-loop delay",
        "### Group commit",
        "### 40 items of 1 KiB in one process",
        "### Producer/consumer process pairs",
        "### Producer/consumer pairs as users run them",
        "### filestore against a SQLite queue",
      ]
    ) {
      const numbers = rates(markdown, heading);
      assert.ok(numbers.length > 0, `no rates under '${heading}'`);
      for (const n of numbers) assert.ok(Number.isFinite(n) && n > 0, `rate ${n} under '${heading}'`);
    }
    // Latency and event-loop delay: p50 <= p99 <= max, in milliseconds, for every runtime that ran.
    const runtimes = ["Deno", "Bun", "Node"].filter((r) => markdown.includes(`| ${r} *Sync`));
    assert.ok(runtimes.length > 0, "no runtime ran");
    for (const runtime of runtimes) {
      const [p50, p99, max] = millis(markdown, "### Latency", runtime);
      assert.ok(p50 >= 0 && p50 <= p99 && p99 <= max, `latency on ${runtime}: ${p50}, ${p99}, ${max}`);
      const [, lagP50, lagP99, lagMax] = millis(markdown, "### Event-loop delay", `${runtime} consume()`);
      assert.ok(lagP50 >= 0 && lagP50 <= lagP99 && lagP99 <= lagMax, `delay on ${runtime}: ${lagP50}, ${lagP99}`);
    }
    // The backlog part gives a time per item and a peak RSS for each backlog size.
    const backlog = section(markdown, "### Draining a backlog");
    assert.match(backlog, /\| 4 waiting \| 40 waiting \| 400 waiting \|/);
    assert.match(backlog, /\| Deno consume\(\) \| [\d.]+ µs \| [\d.]+ µs \| [\d.]+ µs \| [\d.]+x \| \d+ MiB/);
    // Every target has a verdict, in the summary and under its part.
    const targets = section(markdown, "### Targets");
    for (const part of ["async", "loop", "backlog", "pairs", "latency", "sqlite"]) {
      assert.match(targets, new RegExp(`\\| ${part} \\| .+ \\| (yes|\\*\\*no\\*\\*) \\|`), `no '${part}' target`);
    }
    assert.match(markdown, /; target >= 0\.8x: \*\*(met|missed)\*\*/);
    const svg = readFileSync(join(dir, "peers.svg"), "utf8");
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, /filestore, Deno \*Sync/, "the runtime of the smoke run");
    assert.ok((svg.match(/<rect /g) ?? []).length > 10, "the chart has bars");
    assert.ok(existsSync(join(root, "bench", "peers.svg")), "the committed chart bench/peers.svg exists");
  });
});

test(
  "bench/overhead.ts splits each operation's cost and prints it per runtime",
  { skip: onceAcrossRuntimes },
  async () => {
    await withTempDir((dir) => {
      const run = spawnSync(
        join(root, "node_modules", ".bin", "deno"),
        ["run", "-A", join(root, "bench", "overhead.ts"), ...["--items", "200", "--rounds", "1", "--dir", dir]],
        { encoding: "utf8", timeout: 300_000 },
      );
      assert.equal(run.status, 0, `overhead failed:\n${run.stdout}\n${run.stderr}`);
      const ran = ["Deno", "Bun", "Node"].filter((r) => run.stdout.includes(`${r} (`));
      assert.ok(ran.includes("Deno"), `no Deno table in:\n${run.stdout}`);
      for (const runtime of ran) {
        const table = run.stdout.slice(run.stdout.indexOf(`${runtime} (`)).split("\n\n").slice(0, 3).join("\n");
        for (const op of ["put", "next", "read", "ack", "cycle"]) {
          const row = table.split("\n").find((line) => line.startsWith(`| ${op} |`));
          assert.ok(row, `no '${op}' row for ${runtime} in:\n${table}`);
          const [store, plain, , , core] = row.split("|").slice(2, -1).map((cell) => Number(cell.trim()));
          for (const [what, us] of [["filestore", store], ["plain", plain], ["no I/O", core]] as const) {
            assert.ok(Number.isFinite(us) && us > 0, `${runtime} ${op}: ${what} ${us} µs`);
          }
          // Over a cycle the API without I/O costs less than with it (one operation alone may not: a GC pause).
          if (op === "cycle") assert.ok(core < store, `${runtime}: no I/O ${core} µs a cycle, ${store} µs with it`);
        }
        assert.match(table, /plain \/ filestore over the cycle: \d+\.\d\dx/);
      }
      assert.deepEqual(readdirSync(dir), [], "the stores are removed");
    });
  },
);
