/**
 * One benchmark process using filestore, run by the benchmark drivers on
 * Deno, Bun, or Node (compiled). Prints one line of JSON.
 *
 * Usage: _worker.ts ROLE DIR SIZE COUNT SYNC API [ADAPTER] [BATCH] [--lag]
 *   ROLE     cycle    puts COUNT items, then drains them (next, read, ack); times both phases
 *            raw      like cycle, but with plain node:fs calls and no filestore (the runtime's own cost)
 *            put      puts COUNT items one by one; times it
 *            putmany  puts COUNT items with putMany in batches of BATCH (group commit); times it
 *            produce  waits for DIR/.go, puts COUNT items; prints start/end (ms since the epoch)
 *            consume  waits for DIR/.go, drains until DIR/.done exists and new/ is empty
 *            drain    drains the COUNT items new/ holds (a backlog); times it, reports peak RSS
 *   SYNC     1: fsync on put (file and new/), 0: none
 *   API      sync (the *Sync twins), async (awaited one at a time), consume (async put;
 *            store.consume() with concurrency 1 drains, as users run it), or raw (produce and
 *            consume only: the plain node:fs calls of the raw role, the runtime's own ceiling)
 *   ADAPTER  default, node or deno
 *   --lag    samples the event-loop delay with a 1 ms setInterval during the timed phases
 *
 * @module
 */
import * as fs from "node:fs";
import { existsSync, rmSync } from "node:fs";
import process from "node:process";
import { FileStore, type FsAdapter } from "../mod.ts";
import { nodeAdapter } from "../src/adapters/node.ts";
import { denoAdapter } from "../src/adapters/deno.ts";
import { memory, sampleLag } from "./_lag.ts";

const argv = process.argv.slice(2);
const lag = argv.includes("--lag");
const positional = argv.filter((a) => a !== "--lag");
const [role, dir, sizeText, countText, syncText, api = "sync", adapterName = "default", batchText = "100"] = positional;
const size = Number(sizeText);
const count = Number(countText);
const sync = syncText === "1";
const batch = Number(batchText);
const payload = new Uint8Array(size).fill(0x78);

function pickAdapter(name: string): FsAdapter | undefined {
  if (name === "node") return nodeAdapter();
  if (name === "deno") return denoAdapter();
  return undefined;
}

let store = new FileStore(dir, { adapter: pickAdapter(adapterName), sync, areas: ["failed"] });
store.prepareSync();

function print(result: Record<string, number | string>): void {
  // Where the async calls ran at the end (the executor picks inline or the pool as it measures).
  const io = store.executor.inline ? "inline" : "pool";
  console.log(JSON.stringify({ ...result, adapter: store.adapter.name, io }));
}

function seconds(): number {
  return performance.now() / 1000;
}

async function putAll(n: number): Promise<void> {
  if (api === "raw") {
    rawPut(n);
  } else if (api === "sync") {
    for (let i = 0; i < n; i++) store.putSync(payload);
  } else {
    for (let i = 0; i < n; i++) await store.put(payload);
  }
}

// Drains new/ until next() finds nothing; checks every item's size.
async function drainAll(): Promise<number> {
  let taken = 0;
  if (api === "raw") {
    taken = rawDrain();
  } else if (api === "sync") {
    for (let claim; (claim = store.nextSync());) {
      if (store.readSync(claim).byteLength !== size) throw new Error(`Short read of '${claim.name}'`);
      store.ackSync(claim);
      taken++;
    }
  } else if (api === "consume") {
    await store.consume(async (item) => {
      if ((await item.read()).byteLength !== size) throw new Error(`Short read of '${item.name}'`);
      taken++;
    }, { concurrency: 1, untilEmpty: true });
  } else {
    for (let claim; (claim = await store.next());) {
      if ((await store.read(claim)).byteLength !== size) throw new Error(`Short read of '${claim.name}'`);
      await store.ack(claim);
      taken++;
    }
  }
  return taken;
}

// consume() as a service runs it: until DIR/.done exists, then until new/ is empty.
async function consumeUntilDone(): Promise<number> {
  let taken = 0;
  const stop = new AbortController();
  const watcher = setInterval(() => existsSync(`${dir}/.done`) && stop.abort(), 5);
  await store.consume(async (item) => {
    if ((await item.read()).byteLength !== size) throw new Error(`Short read of '${item.name}'`);
    taken++;
  }, { concurrency: 1, signal: stop.signal });
  clearInterval(watcher);
  return taken + await drainAll();
}

const pause = new Int32Array(new SharedArrayBuffer(4));

// All processes of a multi-process run start together, when DIR/.go appears.
function waitForGo(): void {
  console.log("ready");
  while (!existsSync(`${dir}/.go`)) Atomics.wait(pause, 0, 0, 0.2);
}

// The same system calls as the C floor, straight through node:fs, in the
// store the raw calls work on (a warm-up aside swaps it).
const C = fs.constants;
let rawSeq = 0;
let rawRoot = dir;
function rawPut(n: number): void {
  for (let i = 0; i < n; i++) {
    const name = `${Date.now()}.Q${++rawSeq}P${process.pid}.raw`;
    const temporary = `${rawRoot}/tmp/${name}`;
    const fd = fs.openSync(temporary, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
    let offset = 0;
    while (offset < size) offset += fs.writeSync(fd, payload, offset, size - offset);
    if (sync) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temporary, `${rawRoot}/new/${name}`);
    if (sync) {
      const dirFd = fs.openSync(`${rawRoot}/new`, C.O_RDONLY);
      fs.fsyncSync(dirFd);
      fs.closeSync(dirFd);
    }
  }
}
function rawDrain(): number {
  let taken = 0;
  for (const name of fs.readdirSync(`${rawRoot}/new`)) {
    const path = `${rawRoot}/cur/${name},C=P${process.pid}R${taken.toString(16)}:2,`;
    try {
      fs.renameSync(`${rawRoot}/new/${name}`, path);
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") continue; // another consumer won
      throw error;
    }
    const fd = fs.openSync(path, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
    const buffer = new Uint8Array(fs.fstatSync(fd).size);
    fs.readSync(fd, buffer, 0, buffer.byteLength, null);
    fs.closeSync(fd);
    fs.unlinkSync(path);
    taken++;
  }
  return taken;
}

// Warms the JIT up on the same code paths (untimed), so that the timed part
// measures the steady state; the C floor warms its caches the same way. 200
// items were not enough for Node to finish optimising filestore's larger
// code: its *Sync cycle timed 0.60-0.64x of the plain loop after 200, and
// 0.67-0.72x after 2,000 (tmpfs, 2026-12-02); the plain loop warms up as long.
async function warmUp(): Promise<void> {
  await putAll(Math.min(count, sync ? 50 : 2000));
  await drainAll();
}

// Processes of a multi-process run warm up on a store of their own before
// they say ready: a service that has run a while is warm, and a run of a few
// seconds would otherwise time the JIT's first tiers (without this, Node's
// pairs reached 0.18x of the C floor at 10,000 items, 0.30x at 40,000).
async function warmUpAside(): Promise<void> {
  const shared = store;
  const aside = `${dir}.warm.${process.pid}`;
  store = new FileStore(aside, { adapter: pickAdapter(adapterName), sync, areas: ["failed"] });
  store.prepareSync();
  rawRoot = aside;
  try {
    for (let round = 0; round < 4; round++) {
      await putAll(500);
      if (await drainAll() !== 500) throw new Error(`Warm-up drained the wrong count from '${aside}'`);
    }
  } finally {
    store = shared;
    rawRoot = dir;
    rmSync(aside, { recursive: true, force: true });
  }
}

// Runs the timed phases, with the event-loop delay sampled when --lag is given.
async function timed<T>(body: () => Promise<T>): Promise<[T, Record<string, number>]> {
  const sampler = lag ? sampleLag() : undefined;
  const value = await body();
  return [value, sampler ? { ...sampler.stop() } : {}];
}

switch (role) {
  case "cycle": {
    await warmUp();
    let t1 = 0;
    const t0 = seconds();
    const [taken, lagged] = await timed(async () => {
      await putAll(count);
      t1 = seconds();
      return await drainAll();
    });
    const t2 = seconds();
    if (taken !== count) throw new Error(`Drained ${taken} of ${count} items`);
    print({ items: count, put: t1 - t0, drain: t2 - t1, ...lagged });
    break;
  }
  case "drain": {
    // Warm up on a store of its own, so that the backlog is untouched until the timed drain.
    const backlog = store;
    store = new FileStore(`${dir}.warm`, { adapter: pickAdapter(adapterName), sync, areas: ["failed"] });
    store.prepareSync();
    await warmUp();
    rmSync(`${dir}.warm`, { recursive: true, force: true });
    store = backlog;
    const before = memory();
    const t0 = seconds();
    const [taken, lagged] = await timed(drainAll);
    const t1 = seconds();
    if (taken !== count) throw new Error(`Drained ${taken} of ${count} items`);
    const after = memory();
    print({ items: count, put: 0, drain: t1 - t0, rssBefore: before.rss, peakRss: after.hwm, ...lagged });
    break;
  }
  case "raw": {
    rawPut(Math.min(count, sync ? 50 : 2000));
    rawDrain();
    const t0 = seconds();
    rawPut(count);
    const t1 = seconds();
    const taken = rawDrain();
    const t2 = seconds();
    if (taken !== count) throw new Error(`Drained ${taken} of ${count} items`);
    print({ items: count, put: t1 - t0, drain: t2 - t1 });
    break;
  }
  case "put": {
    await warmUp();
    const t0 = seconds();
    await putAll(count);
    print({ items: count, put: seconds() - t0 });
    break;
  }
  case "putmany": {
    const items = Array.from({ length: batch }, () => payload);
    await warmUp();
    if (api === "sync") store.putManySync(items.slice(0, 10));
    else await store.putMany(items.slice(0, 10));
    await drainAll();
    const t0 = seconds();
    for (let done = 0; done < count; done += batch) {
      const slice = items.slice(0, Math.min(batch, count - done));
      if (api === "sync") store.putManySync(slice);
      else await store.putMany(slice);
    }
    print({ items: count, put: seconds() - t0 });
    break;
  }
  case "produce": {
    await warmUpAside();
    waitForGo();
    const start = Date.now();
    await putAll(count);
    print({ items: count, start, end: Date.now() });
    break;
  }
  case "consume": {
    await warmUpAside();
    waitForGo();
    const start = Date.now();
    let taken = 0;
    if (api === "consume") {
      taken = await consumeUntilDone();
      print({ items: taken, start, end: Date.now() });
      break;
    }
    for (;;) {
      const finished = existsSync(`${dir}/.done`);
      const got = await drainAll();
      taken += got;
      if (got === 0) {
        if (finished) break;
        Atomics.wait(pause, 0, 0, 0.2);
      }
    }
    print({ items: taken, start, end: Date.now() });
    break;
  }
  default:
    throw new Error(`Unknown role '${role}'`);
}
