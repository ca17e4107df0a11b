/**
 * The dashboard's cost on a large backlog (issues 14 and 17): the latency of
 * `/api/items?limit=10` with N items in an area, alone and ten at once, and
 * the CPU the sampler behind the page and `/metrics` uses while nobody looks.
 *
 * Usage: deno run -A bench/dashboard.ts [--items 50000] [--seconds 60] [--area new]
 *
 * @module
 */
import { request } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { parseArgs } from "node:util";
import { FileStore } from "../mod.ts";
import { serveDashboard } from "../src/serve/server.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { items: { type: "string" }, seconds: { type: "string" }, area: { type: "string" } },
});
const items = Number(values.items ?? 50_000);
const seconds = Number(values.seconds ?? 60);
const area = values.area ?? "new";

function get(url: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(performance.now() - started));
    }).on("error", reject).end();
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const dir = mkdtempSync(join(tmpdir(), "filestore-bench-dashboard-"));
try {
  const store = new FileStore(join(dir, "store"), { areas: ["failed"] });
  await store.prepare();
  // Names as filestore makes them, written directly: setting up is not what is measured.
  const base = Math.floor(Date.now() / 1000) - items;
  for (let i = 0; i < items; i++) {
    writeFileSync(join(store.areaPath(area), `${base + i}.M${i % 1000}P1Q${i}.bench`), "x");
  }
  const dashboard = await serveDashboard(store, { port: 0, interval: 1000 });
  try {
    const url = `${dashboard.url}api/items?area=${area}&limit=10`;
    const alone: number[] = [];
    for (let i = 0; i < 5; i++) alone.push(await get(url));
    const together = await Promise.all(Array.from({ length: 10 }, () => get(url)));
    console.log(`items API, ${items.toLocaleString("en-US")} items in ${area}/, limit=10:`);
    console.log(`  alone:      median ${median(alone).toFixed(0)} ms (of 5)`);
    console.log(
      `  ten at once: median ${median(together).toFixed(0)} ms, slowest ${Math.max(...together).toFixed(0)} ms`,
    );

    // The floor: what one bare listing of the area costs (the sampler lists every area once per sample).
    const listings: number[] = [];
    for (let i = 0; i < 5; i++) {
      const cpu = process.cpuUsage();
      for await (const _ of store.entries(area));
      const used = process.cpuUsage(cpu);
      listings.push((used.user + used.system) / 1000);
    }
    console.log(`one listing of ${area}/: median ${median(listings).toFixed(0)} ms of CPU`);

    const before = process.cpuUsage();
    const wall = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const used = process.cpuUsage(before);
    const share = (used.user + used.system) / 1000 / (performance.now() - wall);
    console.log(`sampler, idle dashboard, interval 1 s, over ${seconds} s:`);
    console.log(
      `  CPU ${(share * 100).toFixed(1)}% of one core (user ${(used.user / 1e6).toFixed(1)} s, system ${
        (used.system / 1e6).toFixed(1)
      } s)`,
    );
  } finally {
    await dashboard.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
