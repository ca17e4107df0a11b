// GlusterFS between hosts on a network: three servers (a replica-3 volume) and
// two client hosts, each a network namespace (scripts/netns_env.sh). Producers
// and consumers on Deno, Bun and Node work on both clients while a server is
// cut off, a brick is killed, and a client holding claims is cut off for longer
// than the lease. Needs root, /dev/fuse, iproute2 and GlusterFS; skips otherwise.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { FileStore, parseName } from "../mod.ts";
import { onceAcrossRuntimes, root, type Runtime } from "./_helpers.ts";
import {
  counts,
  type Environment,
  setUpEnvironment,
  startWorker,
  tearDownEnvironment,
  waitUntil,
  type Worker,
  type WorkerResult,
} from "./_shared_fs.ts";
import { itemContent } from "./fixtures/_items.ts";

const SCRIPT = "netns_env.sh";
// Longer than any stall GlusterFS causes (its ping timeout is 5 s here).
const LEASE_MS = 12_000;
let environment: Environment | string = "the hosts were not set up";

before(() => {
  if (onceAcrossRuntimes) return;
  environment = setUpEnvironment(SCRIPT, mkdtempSync(join(tmpdir(), "filestore-net-")));
});

after(() => {
  if (typeof environment !== "string") tearDownEnvironment(SCRIPT, environment.dir);
});

// What the test did to the hosts and when (ms since the epoch), so that a trace places an item's claims among them.
const timeline: [at: number, what: string][] = [];

function env(command: string, host?: string): string {
  const { dir } = environment as Environment;
  timeline.push([Date.now(), `${command} ${host ?? ""} begins`]);
  const run = spawnSync("bash", [join(root, "scripts", SCRIPT), command, dir, ...(host ? [host] : [])], {
    encoding: "utf8",
    // A heal may take minutes (the script gives it 300 s, asking again every 15 s).
    timeout: command === "heal" ? 330_000 : 120_000,
  });
  if (run.status !== 0) throw new Error(`${SCRIPT} ${command} ${host ?? ""} failed: ${run.stderr}`);
  timeline.push([Date.now(), `${command} ${host ?? ""} done`]);
  return run.stdout;
}

/** How many lines of a client's log match `pattern`. */
function logged(log: string, pattern: RegExp): number {
  return readFileSync(log, "utf8").split("\n").filter((line) => pattern.test(line)).length;
}

/** Counts the lines matching `pattern` now; the function returned waits until each log has more. */
function armLog(logs: string[], pattern: RegExp, what: string): () => Promise<void> {
  const before = logs.map((log) => logged(log, pattern));
  return () =>
    waitUntil(() => logs.every((log, i) => logged(log, pattern) > before[i]), what, 60_000)
      .then(() => void timeline.push([Date.now(), `${what}: seen in the clients' logs`]));
}

/** The path in done/ of an acknowledged item `key`, looked up by name through each mount, or null. */
function foundByName(key: string, mountPoints: string[]): string | null {
  for (const mount of mountPoints) {
    for (const name of [`${key}:2,`, ...[1, 2, 3].map((attempts) => `${key},A=${attempts}:2,`)]) {
      const path = join(mount, "net", "done", name);
      try {
        if (lstatSync(path).isFile()) return path;
      } catch {
        // not under this name
      }
    }
  }
  return null;
}

type ClaimRecord = [key: string, id: string | null, claimedAt: number, endedAt: number, outcome: string];

/** Every path under `top` (GlusterFS's own .glusterfs left out) whose name holds `key`, with its inode and links. */
function pathsHolding(top: string, key: string): string[] {
  try {
    return (readdirSync(top, { recursive: true }) as string[])
      .filter((path) => !path.startsWith(".glusterfs") && basename(path).includes(key))
      .map((path) => {
        try {
          const { ino, nlink } = lstatSync(join(top, path));
          return `${path} (inode ${ino}, ${nlink} links)`;
        } catch (error) {
          return `${path} (${(error as { code?: string }).code})`;
        }
      });
  } catch (error) {
    return [`(cannot list ${top}: ${(error as Error).message})`];
  }
}

/**
 * Where an item is now (through a mount, and on each server's brick) and what
 * every process did with it and around it: what a lost item's report needs.
 */
function trace(key: string, seen: {
  dir: string;
  mount: string;
  produced: WorkerResult[];
  consumed: WorkerResult[];
  recovered: WorkerResult[];
  workers: Worker[];
}): string {
  const lines = [`${key}:`];
  for (const r of seen.produced) {
    for (const [id, name, at] of r.acked as [string, string, number][]) {
      if (name === key) lines.push(`  put as ${id} by ${r.host} pid ${r.pid}, acknowledged at ${at}`);
    }
  }
  lines.push(`  through the mount: ${JSON.stringify(pathsHolding(seen.mount, key))}`);
  for (const server of ["s1", "s2", "s3"]) {
    lines.push(`  on the brick of ${server}: ${JSON.stringify(pathsHolding(join(seen.dir, server, "brick"), key))}`);
  }
  const times: number[] = [];
  for (const r of seen.consumed) {
    for (const c of r.claims as ClaimRecord[]) {
      if (c[0] !== key) continue;
      times.push(c[2]);
      lines.push(`  claimed by ${r.host} pid ${r.pid} at ${c[2]}, read ${c[1]}, ended ${c[3]}: ${c[4]}`);
    }
  }
  for (const r of seen.recovered) {
    for (const name of r.recovered as string[]) {
      if (name.startsWith(key)) lines.push(`  recovered by pid ${r.pid} as ${name}`);
    }
  }
  // The errors any process met from a second before the first claim (or ever, if never claimed) to 30 s after.
  const from = times.length ? Math.min(...times) - 1000 : 0;
  const to = times.length ? Math.max(...times) + 30_000 : Infinity;
  for (const [at, what] of timeline) if (at >= from - 10_000 && at <= to) lines.push(`  test at ${at}: ${what}`);
  for (const w of seen.workers) {
    const near = w.every("error").filter((e) => Number(e.t) >= from && Number(e.t) <= to).slice(0, 20);
    for (const e of near) lines.push(`  ${w.runtime} pid ${w.pid} at ${e.t}: ${e.error}`);
  }
  return lines.join("\n");
}

test("GlusterFS on a network: no acknowledged put is lost and no process dies through faults", {
  skip: onceAcrossRuntimes,
  timeout: 1_200_000,
}, async (t) => {
  if (typeof environment === "string") return t.skip(environment);
  const { dir, values } = environment;
  const mounts = { c1: values.mount1, c2: values.mount2 };
  const logs = [values.log1, values.log2];
  const main = new FileStore(join(mounts.c2, "net"), { host: "c2", areas: ["done", "failed"] });
  const lost = new FileStore(join(mounts.c2, "lost"), { host: "c2", areas: ["done"] });
  await main.prepare();
  await lost.prepare();
  // Producers stop first, consumers once everything is done, recoverers last.
  const [stop, stopConsumers, stopRecovering, stopLostRecovery] = [
    "stop",
    "stop-consumers",
    "stop-recovering",
    "stop-lost-recovery",
  ].map((f) => join(dir, f));
  const started: { kill(signal: NodeJS.Signals): void }[] = [];
  // Whatever happens, no worker outlives the test.
  t.after(() => started.forEach((w) => w.kill("SIGKILL")));
  const on = (host: "c1" | "c2", runtime: Runtime, store: string, options: Record<string, unknown>) => {
    const worker = startWorker("net_worker", runtime, { store: join(mounts[host], store), host, ...options });
    started.push(worker);
    return worker;
  };

  const producers = [
    on("c1", "deno", "net", { role: "produce", prefix: "c1", stop }),
    on("c2", "bun", "net", { role: "produce", prefix: "c2", stop }),
  ];
  const consumers = [
    on("c1", "node", "net", { role: "consume", mode: "next", stop: stopConsumers }),
    on("c1", "bun", "net", { role: "consume", mode: "next", stop: stopConsumers }),
    on("c2", "deno", "net", { role: "consume", mode: "next", stop: stopConsumers }),
    // mode "consume" (a restarted consume()) leaks claims it keeps touching: see the report.
    on("c2", "node", "net", { role: "consume", mode: "next", stop: stopConsumers }),
  ];
  const workers = [...producers, ...consumers];
  // Progress of every worker since `since`: each has done something more.
  const snapshotProgress = () => workers.map((w) => Number(w.latest("progress")?.progress ?? 0));
  const allMoved = async (since: number[], which = workers) =>
    await waitUntil(
      () => which.every((w) => Number(w.latest("progress")?.progress ?? 0) > since[workers.indexOf(w)]),
      "every worker to make progress",
      90_000,
    );
  await allMoved(workers.map(() => 0));
  const faults: { name: string; start: number; end: number; heal?: number }[] = [];

  // (a) A server cut off for longer than the ping timeout, then back.
  let start = Date.now();
  let waitDown = armLog(logs, /client-0: server .* has not responded/, "the clients to drop s1");
  env("cut", "s1");
  await waitDown();
  const waitUp = armLog(logs, /client-0: Connected, attached/, "the clients to reconnect to s1");
  env("restore", "s1");
  await waitUp();
  await allMoved(snapshotProgress());
  let healStart = Date.now();
  env("heal");
  faults.push({ name: "server s1 cut off (ping timeout 5 s)", start, end: Date.now(), heal: Date.now() - healStart });

  // (b) A brick killed with SIGKILL, then started again.
  start = Date.now();
  waitDown = armLog(logs, /client-1: disconnected from/, "the clients to see the brick of s2 gone");
  env("kill-brick", "s2");
  await waitDown();
  await allMoved(snapshotProgress());
  const waitBack = armLog(logs, /client-1: Connected, attached/, "the clients to reconnect to s2");
  env("start-force");
  await waitBack();
  await allMoved(snapshotProgress());
  healStart = Date.now();
  env("heal");
  faults.push({
    name: "brick on s2 killed (kill -9), restarted",
    start,
    end: Date.now(),
    heal: Date.now() - healStart,
  });

  // (c) A client holding claims cut off for longer than the lease.
  const heldCount = 6;
  await lost.putMany(Array.from({ length: heldCount }, (_, i) => itemContent(`lost-${i}`)));
  const [go, goNew] = [join(dir, "go"), join(dir, "go-new")];
  const holder = on("c1", "bun", "lost", { role: "hold", count: heldCount, go });
  const held = (await holder.line("held")).held as string[];
  start = Date.now();
  const waitCut = armLog([values.log1], /has not responded/, "c1 to drop the servers");
  env("cut", "c1");
  const recoverers = [
    // Host "r2" on c2's mount: recover() takes claims by age alone, also those
    // of live processes on c2 (a call that failed after its claim rename leaves one).
    // Stops once the items are back in new/: the new holder does not touch its claims.
    on("c2", "node", "lost", { role: "recover", olderThan: LEASE_MS, stop: stopLostRecovery, host: "r2" }),
    on("c2", "deno", "net", { role: "recover", olderThan: LEASE_MS, stop: stopRecovering, host: "r2" }),
  ];
  const newHolder = on("c2", "deno", "lost", { role: "hold", count: heldCount, go: goNew, verify: true });
  const reheld = (await newHolder.line("held")).held as string[];
  writeFileSync(stopLostRecovery, "");
  await waitCut();
  // The other host works on meanwhile.
  await allMoved(snapshotProgress(), [producers[1], consumers[2], consumers[3]]);
  const waitBackC1 = armLog([values.log1], /Connected, attached/, "c1 to reconnect");
  env("restore", "c1");
  await waitBackC1();
  await allMoved(snapshotProgress());
  // Until the heal, what c1 did while it was connected to only some bricks
  // can be missing from listings served by the others (seen: acknowledged
  // items absent from done/'s listing through c2, present on two bricks).
  healStart = Date.now();
  env("heal");
  faults.push({
    name: `client c1 cut off holding claims (lease ${LEASE_MS / 1000} s)`,
    start,
    end: Date.now(),
    heal: Date.now() - healStart,
  });
  // The old holder calls ack(), release() and touch() while the new one holds the items.
  writeFileSync(go, "");
  const oldOutcome = await holder.result;
  writeFileSync(goNew, "");
  const newOutcome = await newHolder.result;
  writeFileSync(stop, "");
  const produced = await Promise.all(producers.map((w) => w.result));
  // Whatever a failed ack left in cur/ goes back to new/ through the recoverers.
  await waitUntil(
    async () => (await main.count("new")) === 0 && (await main.count("cur")) === 0,
    "new/ and cur/ to empty",
    120_000,
  ).catch(async (error) => {
    const progress = [...workers, ...recoverers].map((w) =>
      `${w.runtime} ${JSON.stringify(w.latest("progress"))} ${JSON.stringify(w.latest("error"))}`
    );
    const claimed = await Promise.all((await main.list("cur")).map(async (path) => {
      const { ctimeMs } = await main.adapter.async.lstat(path);
      return `${path} ctime ${Date.now() - ctimeMs} ms ago`;
    }));
    throw new Error(`${error.message}: ${claimed.join(", ")}; ${progress.join("; ")}`);
  });
  writeFileSync(stopConsumers, "");
  const consumed = await Promise.all(consumers.map((w) => w.result));
  writeFileSync(stopRecovering, "");
  const recovered = await Promise.all(recoverers.map((w) => w.result));
  // What a trace of one item needs (see trace()).
  const seen = { dir, mount: mounts.c2, produced, consumed, recovered, workers: [...workers, ...recoverers] };

  // How long nothing got done, on each host and anywhere, from each fault's start.
  const done: { host: string; t: number }[] = [];
  for (const r of produced) {
    for (const [, , at] of r.acked as [string, string, number][]) done.push({ host: r.host, t: at });
  }
  for (const r of consumed) {
    for (const c of r.claims as ClaimRecord[]) if (c[4].startsWith("ok")) done.push({ host: r.host, t: c[3] });
  }
  const gap = (host: string | null, from: number, to: number) => {
    const times = done.filter((d) => (!host || d.host === host) && d.t >= from && d.t <= to).map((d) => d.t);
    let longest = 0;
    for (let i = 0, last = from; i <= times.length; last = times[i++]) {
      longest = Math.max(longest, (times[i] ?? to) - last);
    }
    return (longest / 1000).toFixed(1);
  };
  for (const fault of faults) {
    t.diagnostic(
      `${fault.name}: longest stall ${gap(null, fault.start, fault.end)} s anywhere, ` +
        `${gap("c1", fault.start, fault.end)} s on c1, ${gap("c2", fault.start, fault.end)} s on c2 ` +
        `(fault to recovery ${((fault.end - fault.start) / 1000).toFixed(1)} s` +
        (fault.heal === undefined ? ")" : `, of which healing ${(fault.heal / 1000).toFixed(1)} s)`),
    );
  }
  const all = [...produced, ...consumed, oldOutcome, newOutcome];
  const errors = counts(
    all.flatMap((r) => (r.errors as string[]).map((e) => `${r.host} ${e.split(":").slice(0, 2).join(":")}`)),
  );
  t.diagnostic(`errors seen and survived: ${JSON.stringify(Object.fromEntries(errors))}`);

  // No acknowledged put is lost, and each item reached done/ with its own content.
  const doneKeys = (await main.list("done")).map((path) => parseName(basename(path)).key);
  // After these faults an item can still be handed out again after its ack
  // (docs/scaling.md): reported and traced, not asserted, as delivery after a
  // GlusterFS outage is at least once. A second name of one file is dropped
  // by the claim (src/store/handed_on.ts).
  const doneNames = (await main.list("done")).map((path) => basename(path));
  const twice = [...counts(doneKeys)].filter(([, n]) => n > 1).map(([key]) => key);
  t.diagnostic(
    `items in done/ twice: ${twice.length}: ${doneNames.filter((n) => twice.some((k) => n.startsWith(k))).join(" ")}`,
  );
  const idOfKey = new Map<string, string>();
  for (const r of produced) for (const [id, key] of r.acked as [string, string, number][]) idOfKey.set(key, id);
  const unlisted = [...idOfKey.keys()].filter((key) => !doneKeys.includes(key));
  const failedNames = await main.list("failed").catch(() => [] as string[]);
  t.diagnostic(`set aside in failed/: ${failedNames.length}: ${failedNames.map((path) => basename(path)).join(" ")}`);
  // An item missing from a listing may still be there: a lookup by name asks
  // every brick (and starts GlusterFS's heal of that name).
  const missing: string[] = [];
  for (const key of unlisted) {
    const found = foundByName(key, Object.values(mounts));
    if (found === null) missing.push(key);
    else t.diagnostic(`not in done/'s listing, but found by name: ${found}`);
  }
  if (missing.length > 0) {
    const trail = missing.map((key) => trace(key, seen));
    assert.fail(`acknowledged puts missing from done/: ${missing.length}\n${trail.join("\n")}`);
  }
  t.diagnostic(`${idOfKey.size} acknowledged puts, ${doneKeys.length} items in done/`);

  // Each claim read its own item; claims of one item that overlap are counted (see below).
  const claims = consumed.flatMap((r) => (r.claims as ClaimRecord[]).map((c) => ({ host: r.host, c })));
  for (const { c } of claims) {
    if (c[1] && idOfKey.has(c[0])) assert.equal(c[1], idOfKey.get(c[0]), `content of ${c[0]}`);
  }
  const byKey = new Map<string, ClaimRecord[]>();
  const ackedTwice: string[] = [];
  const heldAtOnce: string[] = [];
  for (const { c } of claims) if (c[4] !== "LOST_CLAIM") byKey.set(c[0], [...(byKey.get(c[0]) ?? []), c]);
  for (const [key, list] of byKey) {
    const sorted = list.sort((a, b) => a[2] - b[2]);
    for (let i = 1; i < sorted.length; i++) {
      // A claim made while another consumer still held the item (it ends at ack).
      if (sorted[i][2] < sorted[i - 1][3]) {
        heldAtOnce.push(`${key} was claimed at ${sorted[i][2]} while held until ${sorted[i - 1][3]}`);
      }
    }
    // Acknowledged twice, one after the other (see above).
    if (sorted.filter((c) => c[4].startsWith("ok")).length > 1) ackedTwice.push(key);
  }
  t.diagnostic(`items acknowledged twice: ${ackedTwice.length}; held by two at once: ${heldAtOnce.length}`);
  const traced = (keys: string[]) => keys.slice(0, 5).map((key) => trace(key, seen)).join("\n");
  if (ackedTwice.length > 0 || twice.length > 0) t.diagnostic(traced([...new Set([...ackedTwice, ...twice])]));
  assert.deepEqual(
    heldAtOnce,
    [],
    `items held by two consumers at once\n${traced(heldAtOnce.map((l) => l.split(" ")[0]))}`,
  );

  // The cut-off holder lost its claims, and its calls left the new holder alone.
  const outcomes = oldOutcome.outcomes as Record<string, string[]>;
  t.diagnostic(`the cut-off holder's calls: ${JSON.stringify(outcomes)}`);
  for (const call of ["ack", "release", "touch"]) {
    assert.equal(outcomes[call].length, heldCount);
    for (const outcome of outcomes[call]) assert.match(outcome, /LOST_CLAIM$/, `${call}() finds the claim lost`);
  }
  assert.deepEqual((outcomes.ack ?? []).filter((o) => o.includes("ok")), [], "no ack() of a lost claim succeeded");
  assert.equal(held.length, heldCount);
  assert.deepEqual(
    reheld.map((name) => parseName(name).key).sort(),
    held.map((name) => parseName(name).key).sort(),
    "the other host claimed the recovered items",
  );
  assert.deepEqual(
    (newOutcome.ids as string[]).sort(),
    Array.from({ length: heldCount }, (_, i) => `lost-${i}`).sort(),
    "the new holder read each item intact",
  );
  assert.deepEqual((newOutcome.outcomes as Record<string, string[]>).ack, Array(heldCount).fill("ok"));
  assert.equal(await lost.count("done"), heldCount);
  assert.deepEqual([await lost.count("new"), await lost.count("cur")], [0, 0]);
});
