/**
 * One benchmark process using filestore, run by the benchmark drivers on
 * Deno, Bun, or Node (compiled). Prints one line of JSON.
 *
 * Usage: _worker.ts ROLE DIR SIZE COUNT SYNC API [ADAPTER] [BATCH]
 *   ROLE     cycle    puts COUNT items, then drains them (next, read, ack); times both phases
 *            raw      like cycle, but with plain node:fs calls and no filestore (the runtime's own cost)
 *            put      puts COUNT items one by one; times it
 *            putmany  puts COUNT items with putMany in batches of BATCH (group commit); times it
 *            produce  waits for DIR/.go, puts COUNT items; prints start/end (ms since the epoch)
 *            consume  waits for DIR/.go, drains until DIR/.done exists and new/ is empty
 *   SYNC     1: fsync on put (file and new/), 0: none
 *   API      sync (the *Sync twins) or async (awaited one at a time)
 *   ADAPTER  default, node or deno
 *
 * @module
 */
import * as fs from "node:fs";
import { existsSync } from "node:fs";
import process from "node:process";
import { FileStore, type FsAdapter } from "../mod.ts";
import { nodeAdapter } from "../src/adapters/node.ts";
import { denoAdapter } from "../src/adapters/deno.ts";

const [role, dir, sizeText, countText, syncText, api = "sync", adapterName = "default", batchText = "100"] = process
  .argv.slice(2);
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

const store = new FileStore(dir, { adapter: pickAdapter(adapterName), sync });
store.prepareSync();

function print(result: Record<string, number | string>): void {
  console.log(JSON.stringify({ ...result, adapter: store.adapter.name }));
}

function seconds(): number {
  return performance.now() / 1000;
}

async function putAll(n: number): Promise<void> {
  if (api === "sync") {
    for (let i = 0; i < n; i++) store.putSync(payload);
  } else {
    for (let i = 0; i < n; i++) await store.put(payload);
  }
}

// Drains new/ until next() finds nothing; checks every item's size.
async function drainAll(): Promise<number> {
  let taken = 0;
  if (api === "sync") {
    for (let claim; (claim = store.nextSync());) {
      if (store.readSync(claim).byteLength !== size) throw new Error(`Short read of '${claim.name}'`);
      store.ackSync(claim);
      taken++;
    }
  } else {
    for (let claim; (claim = await store.next());) {
      if ((await store.read(claim)).byteLength !== size) throw new Error(`Short read of '${claim.name}'`);
      await store.ack(claim);
      taken++;
    }
  }
  return taken;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

// All processes of a multi-process run start together, when DIR/.go appears.
function waitForGo(): void {
  console.log("ready");
  while (!existsSync(`${dir}/.go`)) Atomics.wait(pause, 0, 0, 0.2);
}

// The same system calls as the C floor, straight through node:fs.
const C = fs.constants;
let rawSeq = 0;
function rawPut(n: number): void {
  for (let i = 0; i < n; i++) {
    const name = `${Date.now()}.Q${++rawSeq}P${process.pid}.raw`;
    const temporary = `${dir}/tmp/${name}`;
    const fd = fs.openSync(temporary, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
    let offset = 0;
    while (offset < size) offset += fs.writeSync(fd, payload, offset, size - offset);
    if (sync) fs.fsyncSync(fd);
    fs.closeSync(fd);
    fs.renameSync(temporary, `${dir}/new/${name}`);
    if (sync) {
      const dirFd = fs.openSync(`${dir}/new`, C.O_RDONLY);
      fs.fsyncSync(dirFd);
      fs.closeSync(dirFd);
    }
  }
}
function rawDrain(): number {
  let taken = 0;
  for (const name of fs.readdirSync(`${dir}/new`)) {
    const path = `${dir}/cur/${name},C=P${process.pid}R${taken.toString(16)}:2,`;
    fs.renameSync(`${dir}/new/${name}`, path);
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
// measures the steady state; the C floor warms its caches the same way.
async function warmUp(): Promise<void> {
  await putAll(Math.min(count, sync ? 50 : 200));
  await drainAll();
}

switch (role) {
  case "cycle": {
    await warmUp();
    const t0 = seconds();
    await putAll(count);
    const t1 = seconds();
    const taken = await drainAll();
    const t2 = seconds();
    if (taken !== count) throw new Error(`Drained ${taken} of ${count} items`);
    print({ items: count, put: t1 - t0, drain: t2 - t1 });
    break;
  }
  case "raw": {
    rawPut(Math.min(count, sync ? 50 : 200));
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
    waitForGo();
    const start = Date.now();
    await putAll(count);
    print({ items: count, start, end: Date.now() });
    break;
  }
  case "consume": {
    waitForGo();
    const start = Date.now();
    let taken = 0;
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
