/**
 * Event-loop delay, as a user's timer sees it: a 1 ms `setInterval` records
 * how much later than 1 ms after the previous tick each tick comes.
 *
 * @module
 */
import { readFileSync } from "node:fs";

/** Percentiles of the ticks' lateness, in milliseconds. */
export interface LagReport {
  lagP50: number;
  lagP99: number;
  lagMax: number;
  ticks: number;
}

/** Starts sampling; `stop()` ends it and returns the percentiles. */
export function sampleLag(): { stop(): LagReport } {
  const late: number[] = [];
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    late.push(Math.max(0, now - last - 1));
    last = now;
  }, 1);
  return {
    stop(): LagReport {
      clearInterval(timer);
      // The gap since the last tick counts too: a loop that never yields shows up as one long wait.
      late.push(Math.max(0, performance.now() - last - 1));
      late.sort((a, b) => a - b);
      const at = (q: number) => late[Math.min(late.length - 1, Math.floor(q * late.length))];
      return { lagP50: at(0.5), lagP99: at(0.99), lagMax: late[late.length - 1], ticks: late.length };
    },
  };
}

/** The process's peak resident set (VmHWM) and current one (VmRSS), in MiB, from /proc/self/status. */
export function memory(): { hwm: number; rss: number } {
  try {
    const status = readFileSync("/proc/self/status", "utf8");
    const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? NaN);
    return { hwm: kib("VmHWM") / 1024, rss: kib("VmRSS") / 1024 };
  } catch {
    return { hwm: NaN, rss: NaN };
  }
}
