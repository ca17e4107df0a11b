/**
 * A consumer of the demo: a `consume()` loop, as a service runs one. Each
 * handler reads its item; consume() acknowledges (deletes) it when the
 * handler returns. Once the file FINISHED exists (every producer is done), it
 * stops waiting for more and drains what is left in new/. Reports
 * `progress N` lines on stdout, then `consumed ID,ID,...`.
 *
 * Usage: demo_consumer.ts STORE FINISHED [CONCURRENCY]
 */
import { existsSync } from "node:fs";
import process from "node:process";
import { type ConsumeItem, FileStore } from "../mod.ts";

const [dir, finished, concurrencyArg = "4"] = process.argv.slice(2);
const concurrency = Number(concurrencyArg);
const ids: number[] = [];
const store = new FileStore(dir, { areas: ["failed"] });
await store.prepare();

const handle = async (item: ConsumeItem) => {
  ids.push(JSON.parse(await item.text()).id);
};
const progress = setInterval(() => process.stdout.write(`progress ${ids.length}\n`), 100);
// Until the producers are done: handle items as they arrive (consume() waits on file-system events).
const producersDone = new AbortController();
const watcher = setInterval(() => existsSync(finished) && producersDone.abort(), 10);
await store.consume(handle, { concurrency, signal: producersDone.signal });
clearInterval(watcher);
// Then whatever is still in new/.
await store.consume(handle, { concurrency, untilEmpty: true });
clearInterval(progress);
process.stdout.write(`consumed ${ids.join(",")}\n`);
