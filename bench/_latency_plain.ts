/**
 * The latency benchmark's floor: the same two processes as `_latency.ts`
 * with plain node:fs calls and no filestore. `send` writes a file in tmp/
 * and renames it into new/ every GAP_MS; `listen` watches new/ and, on each
 * event, lists it, renames each entry into cur/, reads it and deletes it.
 * What the runtime and the machine cost, with nothing of filestore's (no
 * unique names, no claim check, no executor, no fallback poll).
 *
 * Usage: _latency_plain.ts send DIR COUNT WARM GAP_MS   waits for DIR/.go, puts WARM+COUNT items GAP_MS apart
 *        _latency_plain.ts listen DIR COUNT WARM        handles WARM+COUNT items; reports the last COUNT's latency
 *
 * @module
 */
import { mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync, watch, writeFileSync } from "node:fs";
import process from "node:process";
import { args, clock, reportLatencies, sendAll } from "./_latency_roles.ts";

const { role, dir, count, warm } = args;
for (const area of ["tmp", "new", "cur"]) mkdirSync(`${dir}/${area}`, { recursive: true });

if (role === "send") {
  await sendAll((sentAt, i) => {
    const name = `${Date.now()}.${process.pid}_${i}.plain`;
    writeFileSync(`${dir}/tmp/${name}`, sentAt);
    renameSync(`${dir}/tmp/${name}`, `${dir}/new/${name}`);
  });
} else if (role === "listen") {
  const starts: [number, number][] = [];
  let seen = 0;
  await new Promise<void>((resolve) => {
    const watcher = watch(`${dir}/new`, () => {
      for (const name of readdirSync(`${dir}/new`)) {
        const started = clock();
        try {
          renameSync(`${dir}/new/${name}`, `${dir}/cur/${name}`);
        } catch {
          continue; // listed twice by two events: the first one took it
        }
        const sent = Number(readFileSync(`${dir}/cur/${name}`, "utf8"));
        unlinkSync(`${dir}/cur/${name}`);
        if (++seen > warm) starts.push([sent, started]);
        if (seen === warm + count) {
          watcher.close();
          resolve();
          return;
        }
      }
    });
    console.log("ready");
  });
  reportLatencies(starts);
} else {
  throw new Error(`Unknown role '${role}'`);
}
