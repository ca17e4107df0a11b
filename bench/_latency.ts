/**
 * The latency benchmark's two processes: `send` puts items one at a time,
 * spaced out, each carrying the time it was put; `listen` is an idle
 * `consume()` waiting on events, which notes how long after the put each
 * handler starts. Both read one clock: performance.timeOrigin +
 * performance.now(), the same machine's wall clock at sub-millisecond
 * resolution. Prints one line of JSON.
 *
 * Usage: _latency.ts send DIR COUNT WARM GAP_MS   waits for DIR/.go, puts WARM+COUNT items GAP_MS apart
 *        _latency.ts listen DIR COUNT WARM        handles WARM+COUNT items; reports the last COUNT's latency
 *
 * @module
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { FileStore } from "../mod.ts";

const [role, dir, countText, warmText, gapText = "2"] = process.argv.slice(2);
const count = Number(countText), warm = Number(warmText), gap = Number(gapText);
const store = new FileStore(dir, { sync: false, areas: ["failed"] });
store.prepareSync();
const clock = () => performance.timeOrigin + performance.now();
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

if (role === "send") {
  console.log("ready");
  while (!existsSync(`${dir}/.go`)) await pause(1);
  for (let i = 0; i < warm + count; i++) {
    await pause(gap);
    await store.put(String(clock()));
  }
  console.log(JSON.stringify({ items: warm + count }));
} else if (role === "listen") {
  const latencies: number[] = [];
  let seen = 0;
  const stop = new AbortController();
  const done = store.consume(async (item) => {
    const started = clock();
    const sent = Number(await item.text());
    if (++seen > warm) latencies.push(started - sent);
    if (seen === warm + count) stop.abort();
  }, { signal: stop.signal });
  // consume() is idle now: its first look at new/ found nothing, it waits on events.
  await pause(50);
  console.log("ready");
  await done;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  console.log(JSON.stringify({ items: latencies.length, p50: at(0.5), p99: at(0.99), max: at(1) }));
} else {
  throw new Error(`Unknown role '${role}'`);
}
