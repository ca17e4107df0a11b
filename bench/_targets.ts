/**
 * The targets of issue 13, as each part measured them: a line under each
 * table, and one summary table at the end of the run. Never an assertion.
 *
 * @module
 */
import { table } from "./cycle.ts";

/** One target and what a run measured against it. */
export interface Target {
  part: string;
  what: string;
  goal: string;
  measured: string;
  met: boolean;
}

const all: Target[] = [];

/** Notes a target's result (and logs it as it comes). */
export function target(part: string, what: string, goal: string, measured: string, met: boolean): Target {
  const entry = { part, what, goal, measured, met };
  all.push(entry);
  console.log(`bench: target ${what}: ${measured} (goal ${goal}) ${met ? "met" : "MISSED"}`);
  return entry;
}

/** A ratio that must reach `goal` (e.g. 0.8 for ">= 0.8x"). */
export function ratioTarget(part: string, what: string, value: number, goal: number): Target {
  const short = Number.isFinite(value) && value < goal ? `, ${((1 - value / goal) * 100).toFixed(0)}% short` : "";
  return target(
    part,
    what,
    `>= ${goal}x`,
    `${Number.isFinite(value) ? value.toFixed(2) : "–"}x${short}`,
    value >= goal,
  );
}

/** A number that must stay at or under `goal`. */
export function limitTarget(part: string, what: string, value: number, goal: number, unit: string): Target {
  const over = Number.isFinite(value) && value > goal ? `, ${(value / goal).toFixed(1)}x the limit` : "";
  const shown = Number.isFinite(value) ? value.toFixed(value >= 10 ? 1 : 2) : "–";
  return target(part, what, `<= ${goal} ${unit}`, `${shown} ${unit}${over}`, value <= goal);
}

/** The lines a part puts under its table: one per target. */
export function targetLines(targets: Target[]): string {
  return targets.map((t) => `- ${t.what}: ${t.measured}; target ${t.goal}: **${t.met ? "met" : "missed"}**`).join(
    "\n",
  );
}

/** Every target of this run, as one table. */
export function summary(): string {
  if (all.length === 0) return "";
  return "### Targets (issue 13), medians of this run\n\n" +
    table(
      ["part", "target", "goal", "measured", "met"],
      all.map((t) => [
        t.part,
        t.what,
        t.goal,
        t.measured,
        t.met ? "yes" : "**no**",
      ]),
    );
}
