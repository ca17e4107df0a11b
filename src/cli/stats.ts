/**
 * `filestore stats DIR`: counts, sizes and ages per area.
 *
 * @module
 */
import { type Command, duration, EXIT, formatAge, formatBytes, openStore, parse } from "./_common.ts";

/** The `stats` verb. */
export const stats: Command = {
  name: "stats",
  synopsis: "DIR",
  summary: "count, size and age of the oldest item per area; stuck claims",
  help: `Usage: filestore stats DIR [--json] [--lease DURATION]

Prints, per area, how many items it holds, their size and the age of the
oldest (for claims: since the claim or its last touch), then the number of
claims in cur/ and how many of them are stuck (older than the lease: their
holder may be gone; see filestore recover).

Options:
  --json             the snapshot as JSON: {path, takenAt, areas: {AREA:
                     {count, bytes, oldest, oldestAgeMs}}, claims, stuck}
  --lease DURATION   a claim older than this is stuck (default 5m)

Example:
  filestore stats /var/spool/jobs`,
  async run(args, io) {
    const { values, positionals: [dir] } = parse(this, args, {
      json: { type: "boolean" },
      lease: { type: "string" },
    }, [1, 1]);
    const lease = values.lease === undefined ? 300_000 : duration("lease", values.lease as string);
    const store = await openStore(dir);
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
