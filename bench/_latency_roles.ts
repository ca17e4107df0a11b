/**
 * What the latency benchmark's two pairs (`_latency.ts` with filestore,
 * `_latency_plain.ts` with plain node:fs) share: their arguments, the clock
 * both processes read, the sender's spaced-out loop and the listener's report.
 *
 * @module
 */
import { existsSync } from "node:fs";
import process from "node:process";

const [role, dir, countText, warmText, gapText = "2"] = process.argv.slice(2);

/** The arguments: `send|listen DIR COUNT WARM [GAP_MS]`. */
export const args = { role, dir, count: Number(countText), warm: Number(warmText), gap: Number(gapText) };

/** The machine's wall clock at sub-millisecond resolution, the same in every process. */
export const clock = (): number => performance.timeOrigin + performance.now();

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Says ready, waits for DIR/.go, then sends WARM+COUNT items GAP_MS apart, each
 * carrying the time it was sent. Prints, for the items after the warm-up, when
 * each was sent and when its put returned (`puts`: [sent, returned] in ms).
 */
export async function sendAll(send: (sentAt: string, i: number) => Promise<unknown> | void): Promise<void> {
  console.log("ready");
  while (!existsSync(`${args.dir}/.go`)) await pause(1);
  const puts: [number, number][] = [];
  for (let i = 0; i < args.warm + args.count; i++) {
    await pause(args.gap);
    const sentAt = clock();
    await send(String(sentAt), i);
    if (i >= args.warm) puts.push([sentAt, clock()]);
  }
  console.log(JSON.stringify({ items: args.warm + args.count, puts }));
}

/**
 * Prints the listener's line: p50, p99 and max of the latencies after the
 * warm-up, in ms, and each item's [sent, handler started] (`starts`).
 */
export function reportLatencies(starts: [sent: number, started: number][]): void {
  const latencies = starts.map(([sent, started]) => started - sent);
  console.log(JSON.stringify({ items: latencies.length, ...quantiles(latencies), starts }));
}

/** p50, p99 and max of `values` (sorted in place). */
export function quantiles(values: number[]): { p50: number; p99: number; max: number } {
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))];
  return { p50: at(0.5), p99: at(0.99), max: at(1) };
}
