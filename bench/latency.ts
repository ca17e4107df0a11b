/**
 * Latency from a put in one process to the handler starting in another: an
 * idle `consume()` waiting on file-system events, items put one at a time,
 * spaced out (not a backlog), `sync: false`. Both processes run on the same
 * runtime; the put time travels in the payload (bench/_latency.ts). Beside
 * it, in the same rounds, the same pair with plain node:fs calls
 * (bench/_latency_plain.ts): what the runtime and the machine cost.
 *
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { median, type Result, type Runtime, startWaiting, workerCommand } from "./_common.ts";
import { type PartOptions, table } from "./cycle.ts";
import { limitTarget, targetLines } from "./_targets.ts";
import { quantiles } from "./_latency_roles.ts";

const NAMES: Record<Runtime, string> = { deno: "Deno", bun: "Bun", node: "Node" };
const GAP_MS = 2;

async function once(runtime: Runtime, dir: string, count: number, warm: number, script: string): Promise<Result> {
  mkdirSync(dir, { recursive: true });
  const listener = startWaiting(workerCommand(runtime, ["listen", dir, String(count), String(warm)], script));
  await listener.ready;
  const sender = startWaiting(
    workerCommand(runtime, ["send", dir, String(count), String(warm), String(GAP_MS)], script),
  );
  await sender.ready;
  writeFileSync(`${dir}/.go`, "");
  const sent = await sender.result;
  const heard = await listener.result;
  return {
    ...heard,
    ...split(sent.puts as unknown as [number, number][], heard.starts as unknown as [number, number][]),
  };
}

// Splits each item's latency at the moment its put returned: the producer's
// share (the put itself) and the consumer's (from then to the handler).
function split(puts: [number, number][], starts: [number, number][]): Result {
  const returned = new Map(puts);
  const put = quantiles(puts.map(([sent, end]) => end - sent));
  const wake = quantiles(
    starts.filter(([sent]) => returned.has(sent)).map(([sent, started]) => started - returned.get(sent)!),
  );
  return { putP50: put.p50, putP99: put.p99, wakeP50: wake.p50, wakeP99: wake.p99 };
}

/** p50/p99/max of put-to-handler latency per runtime. */
export async function latencyPart(options: PartOptions): Promise<string> {
  const count = Math.max(50, Math.round(options.items / 5));
  // Two seconds of warm-up: what a service that has run a while sees. Node's
  // p99 after 100 items was 1.9 ms, after 1,500 1.1 ms (the plain pair's 0.6
  // and 0.4; 5 and 3 rounds side by side, 2026-12-03): the JIT's first seconds.
  const warm = Math.min(1000, count);
  const warmSeconds = (warm * GAP_MS / 1000).toFixed(1);
  const results = new Map<Runtime, Result[]>(options.tools.runtimes.map((r) => [r, []]));
  const plain = new Map<Runtime, Result[]>(options.tools.runtimes.map((r) => [r, []]));
  for (let round = 0; round < options.rounds; round++) {
    options.log(`latency: round ${round + 1} of ${options.rounds}`);
    for (const runtime of options.tools.runtimes) {
      for (const [script, into] of [["_latency", results], ["_latency_plain", plain]] as const) {
        const dir = await options.scratch.fresh(`latency-${runtime}`);
        try {
          into.get(runtime)!.push(await once(runtime, dir, count, warm, script));
        } finally {
          options.scratch.drop(dir);
        }
      }
    }
  }
  const rows: string[][] = [];
  const lines: string[] = [];
  for (const [runtime, list] of results) {
    const pick = (field: string, from = list) => median(from.map((r) => Number(r[field])));
    const floor = plain.get(runtime)!;
    rows.push([
      NAMES[runtime],
      pick("p50").toFixed(2),
      pick("p99").toFixed(2),
      pick("max").toFixed(2),
      `${pick("putP99").toFixed(2)} / ${pick("wakeP99").toFixed(2)}`,
      pick("p50", floor).toFixed(2),
      pick("p99", floor).toFixed(2),
      pick("max", floor).toFixed(2),
      `${pick("putP99", floor).toFixed(2)} / ${pick("wakeP99", floor).toFixed(2)}`,
    ]);
    lines.push(targetLines([
      limitTarget("latency", `${NAMES[runtime]}: put -> handler p50`, pick("p50"), 0.5, "ms"),
      limitTarget("latency", `${NAMES[runtime]}: put -> handler p99`, pick("p99"), 2, "ms"),
    ]));
  }
  return `### Latency: put in one process to the handler starting in another (${count} items, ${GAP_MS} ms apart)\n\n` +
    table([
      "runtime",
      "p50 ms",
      "p99 ms",
      "max ms",
      "p99 put / wake",
      "plain node:fs p50",
      "p99",
      "max",
      "p99 put / wake",
    ], rows) +
    `\n\nAn idle consume() waits on file-system events; another process puts one item (sync: false) every ` +
    `${GAP_MS} ms, carrying performance.timeOrigin + performance.now(); the handler notes the same clock when it ` +
    `starts. The first ${warm} items (${warmSeconds} s) warm up and are not counted, as in a service that has ` +
    `run a while; medians over the rounds. "plain node:fs" is the ` +
    `same pair with bare calls (bench/_latency_plain.ts: write and rename; a watcher, a listing, a rename, a read), ` +
    `run in the same rounds: what the runtime and the machine cost. "put / wake" splits each item's latency where its ` +
    `put returned: the producer's share (the put) and the consumer's (from then until the handler starts). Targets: p50 <= 0.5 ms, p99 <= 2 ms.\n\n` +
    lines.join("\n");
}
