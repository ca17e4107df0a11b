/**
 * Where the *Sync path's time goes, against the same system calls made
 * straight through node:fs: per operation (put, next, read, ack), in one
 * process, on a memory file system so that the CPU is what is measured.
 * Three loops run interleaved, each over the same items, and each call is
 * timed on its own:
 *
 * - filestore: `putSync`, `nextSync`, `readSync`, `ackSync`;
 * - plain: the system calls those make (open, write, close, rename; a
 *   listing, rename and lstat; open, fstat, read, close; unlink), straight;
 * - adapter: the store's adapter primitives for the same steps, straight;
 * - no I/O: the filestore calls again, over an adapter whose primitives do
 *   nothing (a listing of names kept in memory), so the JS cost alone.
 *
 * "Extra" is filestore minus plain: the adapter's share (adapter minus
 * plain), the core's JS (no I/O), and the rest, which is the same calls
 * taking longer when the core's code runs between them (caches and branch
 * predictors shared with the kernel). On Deno the store uses the Deno.*
 * adapter, so its adapter share can be below plain node:fs.
 *
 * Usage: deno run -A bench/overhead.ts [--items N] [--rounds N] [--runtimes R,...] [--dir DIR]
 *   --items    items per round (10,000); as many more, at most 2,000, warm each loop up first
 *   --rounds   interleaved rounds (5); the table shows medians
 *   --runtimes only these of deno, bun, node (all that are installed; Node runs the npm build)
 *   --dir      where the stores go (default: /dev/shm, else the temp dir)
 *
 * @module
 */
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import process from "node:process";
import { defaultAdapter, type DirEntry, FileStore, type FsAdapter, type SyncFs } from "../mod.ts";
import { findTools, median, runJson, type Runtime, workerCommand } from "./_common.ts";
import { table } from "./cycle.ts";

const OPS = ["put", "next", "read", "ack"] as const;
type Op = typeof OPS[number];
type Times = Record<Op, number>;

const C = fs.constants;
const SIZE = 1024;
const payload = new Uint8Array(SIZE).fill(0x78);
const now = () => performance.now();
const zero = (): Times => ({ put: 0, next: 0, read: 0, ack: 0 });

/** One round of the *Sync API: ms spent in each operation. */
function storeRound(store: FileStore, items: number): Times {
  const spent = zero();
  for (let i = 0; i < items; i++) {
    const t = now();
    store.putSync(payload);
    spent.put += now() - t;
  }
  let taken = 0;
  for (;;) {
    const t0 = now();
    const claim = store.nextSync();
    const t1 = now();
    spent.next += t1 - t0;
    if (!claim) break;
    if (++taken > items) throw new Error(`Drained more than the ${items} items put`);
    if (store.readSync(claim).byteLength !== SIZE) throw new Error(`Short read of '${claim.path}'`);
    const t2 = now();
    store.ackSync(claim);
    spent.ack += now() - t2;
    spent.read += t2 - t1;
  }
  if (taken !== items) throw new Error(`Drained ${taken} of ${items} items`);
  return spent;
}

let plainSeq = 0;
/** One round of the same system calls straight through node:fs; also the lstat's own share. */
function plainRound(dir: string, items: number): Times & { lstat: number } {
  const spent = { ...zero(), lstat: 0 };
  for (let i = 0; i < items; i++) {
    const t = now();
    const name = `${Date.now()}.Q${++plainSeq}P${process.pid}.plain`;
    const fd = fs.openSync(`${dir}/tmp/${name}`, C.O_WRONLY | C.O_CREAT | C.O_EXCL, 0o600);
    fs.writeSync(fd, payload, 0, SIZE);
    fs.closeSync(fd);
    fs.renameSync(`${dir}/tmp/${name}`, `${dir}/new/${name}`);
    spent.put += now() - t;
  }
  const t = now();
  const names = fs.readdirSync(`${dir}/new`);
  spent.next += now() - t;
  let taken = 0;
  for (const name of names) {
    const t0 = now();
    const path = `${dir}/cur/${name},C=P${process.pid}R${taken.toString(16)}:2,`;
    fs.renameSync(`${dir}/new/${name}`, path);
    const t1 = now();
    if (!fs.lstatSync(path).isFile()) throw new Error(`Not a file: '${path}'`);
    const t2 = now();
    const file = fs.openSync(path, C.O_RDONLY | C.O_NOFOLLOW | C.O_NONBLOCK);
    const buffer = new Uint8Array(fs.fstatSync(file).size);
    fs.readSync(file, buffer, 0, buffer.byteLength, null);
    fs.closeSync(file);
    const t3 = now();
    fs.unlinkSync(path);
    spent.ack += now() - t3;
    spent.read += t3 - t2;
    spent.lstat += t2 - t1;
    spent.next += t2 - t0;
    taken++;
  }
  if (taken !== items) throw new Error(`Drained ${taken} of ${items} items`);
  return spent;
}

/** One round of the adapter's primitives called straight, in plain's order: the adapter's own cost. */
function adapterRound(sync: SyncFs, dir: string, items: number): Times {
  const spent = zero();
  const options = { flag: "wx" as const, mode: 0o600, sync: false };
  for (let i = 0; i < items; i++) {
    const t = now();
    const name = `${Date.now()}.Q${++plainSeq}P${process.pid}.adapter`;
    sync.writeFile(`${dir}/tmp/${name}`, payload, options);
    sync.rename(`${dir}/tmp/${name}`, `${dir}/new/${name}`);
    spent.put += now() - t;
  }
  const t = now();
  const names = sync.readDir(`${dir}/new`);
  spent.next += now() - t;
  let taken = 0;
  for (const { name } of names) {
    const t0 = now();
    const path = `${dir}/cur/${name},C=P${process.pid}R${taken.toString(16)}:2,`;
    sync.rename(`${dir}/new/${name}`, path);
    if (!sync.lstat(path).isFile) throw new Error(`Not a file: '${path}'`);
    const t1 = now();
    if (sync.readFile(path).byteLength !== SIZE) throw new Error(`Short read of '${path}'`);
    const t2 = now();
    sync.unlink(path);
    spent.ack += now() - t2;
    spent.read += t2 - t1;
    spent.next += t1 - t0;
    taken++;
  }
  if (taken !== items) throw new Error(`Drained ${taken} of ${items} items`);
  return spent;
}

/**
 * An adapter whose sync primitives do no I/O: puts add a name to an
 * in-memory new/, a listing hands out what was added since the last one.
 */
function noIoAdapter(storePath: string): FsAdapter {
  const base = defaultAdapter();
  let waiting: string[] = [];
  const file = { isFile: true, isDirectory: false, isSymlink: false, size: SIZE, mtimeMs: 0, ctimeMs: 0, mode: 0o600 };
  const dir = { ...file, isFile: false, isDirectory: true, size: 1 << 30 }; // a size that makes listings stream
  const entries = (names: string[]): DirEntry[] => names.map((name) => ({ name, kind: "file" }));
  const sync: SyncFs = {
    ...base.sync,
    mkdir: () => {},
    writeFile: () => {},
    rename: (from, to) => {
      if (from.startsWith(`${storePath}/tmp/`)) waiting.push(to.slice(to.lastIndexOf("/") + 1));
    },
    unlink: () => {},
    stat: () => dir,
    lstat: () => file,
    readFile: () => payload,
    // Only new/ holds anything (delayed/ is looked at too).
    readDir: (path) => entries(path.endsWith("/new") ? waiting.splice(0) : []),
    openDir: (path) => ({ names: path.endsWith("/new") ? waiting.splice(0) : [], at: 0 }),
    readDirBatch: (handle, max) => {
      const listing = handle as { names: string[]; at: number };
      const batch = listing.names.slice(listing.at, listing.at + max);
      listing.at += batch.length;
      return entries(batch);
    },
    closeDir: () => {},
  };
  waiting = [];
  return { ...base, name: "no I/O", sync };
}

function worker(given: string, items: number, rounds: number): void {
  const dir = resolve(given);
  fs.rmSync(dir, { recursive: true, force: true });
  const store = new FileStore(`${dir}/store`, { sync: false });
  store.prepareSync();
  const plainDir = `${dir}/plain`;
  const adapterDir = `${dir}/adapter`;
  for (const area of ["tmp", "new", "cur"]) {
    fs.mkdirSync(`${plainDir}/${area}`, { recursive: true });
    fs.mkdirSync(`${adapterDir}/${area}`, { recursive: true });
  }
  const noIo = new FileStore(`${dir}/no-io`, { sync: false, adapter: noIoAdapter(`${dir}/no-io`) });
  const loops = {
    filestore: () => storeRound(store, items),
    plain: () => plainRound(plainDir, items),
    adapter: () => adapterRound(store.adapter.sync, adapterDir, items),
    noIo: () => storeRound(noIo, items),
  };
  // Warm-up: the JIT's first tiers are not what a service runs on.
  const warm = Math.min(2000, items);
  storeRound(store, warm);
  plainRound(plainDir, warm);
  adapterRound(store.adapter.sync, adapterDir, warm);
  storeRound(noIo, warm);
  const seen: Record<string, Record<string, number[]>> = {};
  for (let round = 0; round < rounds; round++) {
    const order = Object.entries(loops);
    const turned = [...order.slice(round % order.length), ...order.slice(0, round % order.length)];
    for (const [loop, run] of turned) {
      const spent = run() as Record<string, number>;
      seen[loop] ??= {};
      for (const [op, ms] of Object.entries(spent)) (seen[loop][op] ??= []).push((ms * 1000) / items);
    }
  }
  const result: Record<string, number | string> = { adapter: store.adapter.name, items, rounds };
  for (const [loop, ops] of Object.entries(seen)) {
    for (const [op, us] of Object.entries(ops)) result[`${loop}.${op}`] = median(us);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
}

const NAMES: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };
const us = (value: number | string | undefined) => typeof value === "number" ? value.toFixed(2) : "-";

/** The markdown table of one runtime's result. */
function report(runtime: Runtime, result: Record<string, number | string>): string {
  const get = (key: string) => Number(result[key]);
  const row = (label: string, value: (loop: string) => number) => {
    const [store, plain, adapter, core] = ["filestore", "plain", "adapter", "noIo"].map(value);
    return [label, us(store), us(plain), us(store - plain), us(adapter - plain), us(core), us(store - adapter - core)];
  };
  const sum = (loop: string) => OPS.reduce((total, op) => total + get(`${loop}.${op}`), 0);
  const rows = [...OPS.map((op) => row(op, (loop) => get(`${loop}.${op}`))), row("cycle", sum)];
  return [
    `${
      NAMES[runtime]
    } (${result.adapter} adapter; ${result.items} items of 1 KiB, no fsync, ${result.rounds} rounds, medians), µs per item`,
    "",
    table(
      ["op", "filestore", "plain", "extra", "of it: the adapter", "the core's JS alone (no I/O)", "the rest"],
      rows,
    ),
    "",
    `plain / filestore over the cycle: ${(sum("plain") / sum("filestore")).toFixed(2)}x; ` +
    `the lstat that checks a claimed file (in plain next above; the plain loop of bench/run.ts skips it): ${
      us(get("plain.lstat"))
    } µs`,
  ].join("\n");
}

function flag(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

const args = process.argv.slice(2);
if (args[0] === "--worker") {
  worker(args[1], Number(args[2]), Number(args[3]));
} else {
  const items = Number(flag(args, "--items") ?? 10_000);
  const rounds = Number(flag(args, "--rounds") ?? 5);
  const base = flag(args, "--dir") ?? (fs.existsSync("/dev/shm") ? "/dev/shm" : tmpdir());
  const tools = findTools();
  const wanted = flag(args, "--runtimes")?.split(",");
  const runtimes = tools.runtimes.filter((r) => !wanted || wanted.includes(r));
  for (const runtime of runtimes) {
    const dir = join(base, `filestore-overhead-${process.pid}-${runtime}`);
    const result = await runJson(workerCommand(runtime, ["--worker", dir, String(items), String(rounds)], "overhead"));
    console.log(report(runtime, result));
    console.log();
  }
}
