/**
 * The store's figures in the Prometheus text exposition format (version
 * 0.0.4): for `GET /metrics` of the dashboard and `filestore stats
 * --prometheus` (node_exporter's textfile collector, a cron job).
 *
 * @module
 */
import type { StoreStats } from "../stats.ts";

/** The Content-Type of the text format. */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** Counters the sampler keeps; a one-off snapshot has none. */
export interface MetricTotals {
  arrivals: number;
  completions: number;
}

// Label values escape backslash, double quote and line feed; HELP text backslash and line feed.
const label = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
const help = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
const number = (value: number) =>
  Number.isFinite(value) ? String(value) : value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";

/**
 * Formats a snapshot: per area `filestore_area_items`, `filestore_area_bytes`
 * and `filestore_oldest_age_seconds` (0 for an empty area); then
 * `filestore_claims`, `filestore_claims_stuck`,
 * `filestore_sample_timestamp_seconds`, and, when `totals` are given,
 * the counters `filestore_arrivals_total` and `filestore_completions_total`.
 * Every series has a `store` label (the store's path), so that several
 * stores can be collected side by side.
 */
export function formatPrometheus(stats: StoreStats, totals?: MetricTotals): string {
  const store = `store="${label(stats.path)}"`;
  const lines: string[] = [];
  const family = (name: string, type: "gauge" | "counter", text: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help(text)}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}{${labels}} ${number(value)}`);
  };
  const areas = Object.entries(stats.areas);
  const perArea = (value: (s: StoreStats["areas"][string]) => number): [string, number][] =>
    areas.map(([area, s]) => [`${store},area="${label(area)}"`, value(s)]);
  family(
    "filestore_area_items",
    "gauge",
    "Entries in the area (names starting with . left out).",
    perArea((s) => s.count),
  );
  family("filestore_area_bytes", "gauge", "Total size of the regular files in the area.", perArea((s) => s.bytes));
  family(
    "filestore_oldest_age_seconds",
    "gauge",
    "Age of the oldest entry of the area (claims: since the claim or last touch); 0 when empty.",
    perArea((s) => (s.oldestAgeMs ?? 0) / 1000),
  );
  family("filestore_claims", "gauge", "Claims in cur/.", [[store, stats.claims]]);
  family("filestore_claims_stuck", "gauge", "Claims in cur/ older than the lease: their holder may be gone.", [
    [store, stats.stuck],
  ]);
  family("filestore_sample_timestamp_seconds", "gauge", "When these figures were taken, seconds since the epoch.", [
    [store, stats.takenAt / 1000],
  ]);
  if (totals) {
    family("filestore_arrivals_total", "counter", "Items seen entering new/ or cur/ since the dashboard started.", [
      [store, totals.arrivals],
    ]);
    family("filestore_completions_total", "counter", "Items seen leaving new/ and cur/ since the dashboard started.", [
      [store, totals.completions],
    ]);
  }
  return `${lines.join("\n")}\n`;
}
