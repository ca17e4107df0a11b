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
import { FileStore } from "../mod.ts";
import { args, clock, reportLatencies, sendAll } from "./_latency_roles.ts";

const { role, dir, count, warm } = args;
const store = new FileStore(dir, { sync: false, areas: ["failed"] });
store.prepareSync();

if (role === "send") {
  await sendAll((sentAt) => store.put(sentAt));
} else if (role === "listen") {
  const starts: [number, number][] = [];
  let seen = 0;
  const stop = new AbortController();
  const done = store.consume(async (item) => {
    const started = clock();
    const sent = Number(await item.text());
    if (++seen > warm) starts.push([sent, started]);
    if (seen === warm + count) stop.abort();
  }, { signal: stop.signal });
  // consume() is idle now: its first look at new/ found nothing, it waits on events.
  await new Promise((resolve) => setTimeout(resolve, 50));
  console.log("ready");
  await done;
  reportLatencies(starts);
} else {
  throw new Error(`Unknown role '${role}'`);
}
