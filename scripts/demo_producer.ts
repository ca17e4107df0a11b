/**
 * A producer of the demo: puts items numbered FROM..FROM+COUNT-1 into the
 * store with the async API, in batches (`putMany`, group commit), and
 * reports progress on stdout as lines `progress N`, then `produced N`.
 *
 * Usage: demo_producer.ts STORE FROM COUNT [--sync]
 */
import process from "node:process";
import { FileStore } from "../mod.ts";

const [dir, fromArg, countArg] = process.argv.slice(2);
const from = Number(fromArg);
const count = Number(countArg);
const sync = process.argv.includes("--sync");
const store = new FileStore(dir, { sync });
const runtime = "Deno" in globalThis ? "deno" : "Bun" in globalThis ? "bun" : "node";
const BATCH = 100;

let done = 0;
// The puts are awaited, so the event loop runs this between them.
const progress = setInterval(() => process.stdout.write(`progress ${done}\n`), 100);
while (done < count) {
  const items = [];
  for (let i = 0; i < BATCH && done + i < count; i++) {
    items.push(JSON.stringify({ id: from + done + i, producer: runtime, at: Date.now() }));
  }
  await store.putMany(items);
  done += items.length;
}
clearInterval(progress);
process.stdout.write(`produced ${count}\n`);
