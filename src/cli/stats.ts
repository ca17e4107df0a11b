/**
 * `filestore stats DIR`: counts, sizes and ages per area.
 *
 * @module
 */
import { formatPrometheus } from "../serve/prometheus.ts";
import { Sampler } from "../serve/sampler.ts";
import {
  CliError,
  type Command,
  duration,
  EXIT,
  formatAge,
  formatBytes,
  openStore,
  parse,
  UsageError,
} from "./_common.ts";

/** The `stats` verb. */
export const stats: Command = {
  name: "stats",
  synopsis: "DIR",
  summary: "count, size and age of the oldest item per area; stuck claims",
  help: `Usage: filestore stats DIR [--json | --prometheus] [--lease DURATION]

Prints, per area, how many items it holds, their size and the age of the
oldest (for claims: since the claim or its last touch), then the number of
claims in cur/ and how many of them are stuck (older than the lease: their
holder may be gone; see filestore recover).

Options:
  --json             the snapshot as JSON: {path, takenAt, areas: {AREA:
                     {count, bytes, oldest, oldestAgeMs}}, claims, stuck}
  --prometheus       the snapshot in the Prometheus text format, as filestore
                     serve answers on /metrics but without its counters
                     (they need a running sampler): for node_exporter's
                     textfile collector or a cron job. Every series has the
                     labels store="DIR" (and area="AREA"):
                       filestore_area_items{area}          entries
                       filestore_area_bytes{area}          bytes of regular files
                       filestore_oldest_age_seconds{area}  0 when empty
                       filestore_claims                    claims in cur/
                       filestore_claims_stuck              older than the lease
                       filestore_sample_timestamp_seconds  when taken
                     /metrics adds the counters filestore_arrivals_total and
                     filestore_completions_total
  --lease DURATION   a claim older than this is stuck (default 5m)

Examples:
  filestore stats /var/spool/jobs
  filestore stats /var/spool/jobs --prometheus > /var/lib/node_exporter/jobs.prom.$$ &&
    mv /var/lib/node_exporter/jobs.prom.$$ /var/lib/node_exporter/jobs.prom`,
  async run(args, io) {
    const { values, positionals: [dir] } = parse(this, args, {
      json: { type: "boolean" },
      prometheus: { type: "boolean" },
      lease: { type: "string" },
    }, [1, 1]);
    if (values.json && values.prometheus) {
      throw new UsageError("Cannot combine --json and --prometheus for 'stats': pick one");
    }
    const lease = values.lease === undefined ? 300_000 : duration("lease", values.lease as string);
    const store = await openStore(dir);
    if (values.prometheus) {
      // The dashboard's sampler, once: the same figures as /metrics, names that are not UTF-8 included.
      const sampler = new Sampler(store, { lease });
      await sampler.sample();
      const snapshot = sampler.snapshot();
      if (snapshot.error !== null || !snapshot.stats) {
        throw new CliError(`Cannot take stats of '${store.path}': ${snapshot.error}`);
      }
      io.stdout(formatPrometheus(snapshot.stats));
      return EXIT.OK;
    }
    const snapshot = await store.stats({ lease });
    if (values.json) {
      io.stdout(`${JSON.stringify(snapshot, null, 2)}\n`);
      return EXIT.OK;
    }
    const rows = [["area", "count", "size", "oldest"]];
    for (const [area, s] of Object.entries(snapshot.areas)) {
      rows.push([
        area,
        s.count.toLocaleString("en-US"),
        formatBytes(s.bytes),
        s.oldestAgeMs === null ? "-" : formatAge(s.oldestAgeMs),
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    const lines = rows.map((row) =>
      row.map((cell, i) => i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join("  ")
    );
    lines.push(`claims: ${snapshot.claims}, stuck: ${snapshot.stuck} (lease ${formatAge(lease)})`);
    io.stdout(`${lines.join("\n")}\n`);
    return EXIT.OK;
  },
};
