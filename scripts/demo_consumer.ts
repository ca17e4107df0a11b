/**
 * A consumer of the demo: claims items with `nextSync()`, reads them, and
 * acknowledges (deletes) them, until the file FINISHED exists and new/ is
 * empty. Reports `progress N` lines on stdout, then `consumed ID,ID,...`.
 *
 * Usage: demo_consumer.ts STORE FINISHED
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { FileStore } from "../mod.ts";

const [dir, finished] = process.argv.slice(2);
const decoder = new TextDecoder();
const ids: number[] = [];
// How long to wait when new/ is empty and the producers are still at work.
const IDLE_PAUSE = 2;
const store = new FileStore(dir);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let reported = performance.now();
for (;;) {
  // Seen before the claim attempt: an empty new/ after this means all is consumed.
  const producersDone = existsSync(finished);
  const claim = store.nextSync();
  if (!claim) {
    if (producersDone) break;
    await pause(IDLE_PAUSE);
    continue;
  }
  const item = JSON.parse(decoder.decode(store.readSync(claim)));
  store.ackSync(claim);
  ids.push(item.id);
  if (performance.now() - reported > 100) {
    reported = performance.now();
    process.stdout.write(`progress ${ids.length}\n`);
    await pause(0);
  }
}
process.stdout.write(`consumed ${ids.join(",")}\n`);
