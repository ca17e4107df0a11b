// Prometheus metrics (issue 17.5): `GET /metrics` of the dashboard and
// `filestore stats --prometheus`, parsed by a small parser of the text
// format, against the files on disk; and the sampler's cost per sample.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { renameSync, statSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import process from "node:process";
import { FileStore } from "../mod.ts";
import { Sampler } from "../src/serve/sampler.ts";
import { serveDashboard } from "../src/serve/server.ts";
import { currentRuntime, root, waitFor, withTempDir } from "./_helpers.ts";

const TOKEN = "metrics-token-0123456789";

interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Parses the text format (0.0.4) strictly: HELP and TYPE once per family,
 * before its samples; names and label names as the format allows; label
 * values unescaped; counters end in `_total`; the text ends with a newline.
 */
function parseMetrics(text: string): { series: Series[]; types: Map<string, string> } {
  assert.ok(text.endsWith("\n"), "the last line ends with a newline");
  const types = new Map<string, string>(), helps = new Set<string>(), series: Series[] = [];
  for (const line of text.slice(0, -1).split("\n")) {
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment) {
      const [, kind, name, rest] = comment;
      if (kind === "HELP") {
        assert.ok(!helps.has(name), `one HELP for ${name}`);
        helps.add(name);
      } else {
        assert.ok(!types.has(name), `one TYPE for ${name}`);
        assert.match(rest, /^(counter|gauge|histogram|summary|untyped)$/);
        if (rest === "counter") assert.match(name, /_total$/, "counters end in _total");
        types.set(name, rest);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(sample, `a sample line: ${JSON.stringify(line)}`);
    const [, name, labelText = "", value] = sample;
    assert.ok(types.has(name), `TYPE of ${name} comes before its samples`);
    const labels: Record<string, string> = {};
    const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/y;
    let match;
    while (label.lastIndex < labelText.length && (match = label.exec(labelText))) {
      labels[match[1]] = match[2].replace(/\\(.)/g, (_, c) => c === "n" ? "\n" : c);
    }
    assert.equal(label.lastIndex, labelText.length, `labels parse: ${labelText}`);
    assert.match(value, /^([+-]?\d+(\.\d+)?(e[+-]?\d+)?|NaN|[+-]Inf)$/);
    series.push({ name, labels, value: Number(value) });
  }
  return { series, types };
}

function value(series: Series[], name: string, labels: Record<string, string> = {}): number | undefined {
  return series.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

function get(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; text: string }> {
  return new Promise((resolve, reject) => {
    httpRequest(url, { headers, agent: false }, (response) => {
      let text = "";
      response.setEncoding("utf8").on("data", (chunk: string) => text += chunk);
      response.on(
        "end",
        () => resolve({ status: response.statusCode ?? 0, type: String(response.headers["content-type"]), text }),
      );
    }).on("error", reject).end();
  });
}

// A store path with a quote, a backslash and a newline: the label must escape all three.
const AWKWARD = 'store "q" \\ and\nline';

/** Fills a store: 3 items in new/ (1, 2, 3 bytes), a Latin-1 name in new/, one in failed/, one stuck claim. */
async function fill(store: FileStore): Promise<void> {
  for (const [i, data] of ["a", "bb", "ccc"].entries()) await store.put(data, { name: `job-${i}`, sync: false });
  const made = spawnSync("sh", [
    "-c",
    'printf "%s" "$2" > "$1/$(printf "caf\\351")"',
    "sh",
    store.areaPath("new"),
    "xyz",
  ]);
  assert.equal(made.status, 0);
  await store.put("failed!", { name: "broken", sync: false });
  await store.ack((await store.claim("broken"))!, { to: "failed" });
  // A claim whose holder is gone: older than any lease once the lease is 0.
  writeFileSync(join(store.areaPath("new"), "held"), "held");
  const claim = join(store.areaPath("cur"), `held,C=P999999999Rdead@${store.host}:2,`);
  renameSync(join(store.areaPath("new"), "held"), claim);
  // Stuck under a lease of 0 once its ctime is in the past.
  await waitFor(() => Date.now() > statSync(claim).ctimeMs + 5, "the claim's ctime to be in the past");
}

test("GET /metrics answers the text format with what is on disk, and needs the token", async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, AWKWARD), { areas: ["failed"] });
    await store.prepare();
    await fill(store);
    const dashboard = await serveDashboard(store, { port: 0, token: TOKEN, interval: 50, lease: 0 });
    try {
      const url = `${dashboard.url}metrics`;
      assert.equal((await get(url)).status, 401);
      assert.equal((await get(url, { Authorization: "Bearer wrong-token-0123456789" })).status, 401);
      assert.equal((await get(url, { Cookie: `filestore_token=${TOKEN}` })).status, 401, "cookies are ignored");
      const reply = await get(url, { Authorization: `Bearer ${TOKEN}` });
      assert.equal(reply.status, 200);
      assert.equal(reply.type, "text/plain; version=0.0.4; charset=utf-8");
      const { series, types } = parseMetrics(reply.text);
      assert.equal(types.get("filestore_arrivals_total"), "counter");
      assert.equal(types.get("filestore_area_items"), "gauge");
      for (const s of series) assert.equal(s.labels.store, store.path, "the store label, unescaped, is the path");
      const area = (name: string, a: string) => value(series, name, { area: a });
      assert.equal(area("filestore_area_items", "new"), 4, "the Latin-1 name is counted");
      assert.equal(area("filestore_area_items", "failed"), 1);
      assert.equal(area("filestore_area_items", "cur"), 1);
      assert.equal(area("filestore_area_items", "tmp"), 0);
      assert.ok(
        [6, 9].includes(area("filestore_area_bytes", "new")!),
        "1+2+3, and 3 more where the runtime can stat it",
      );
      assert.equal(area("filestore_area_bytes", "failed"), "failed!".length);
      assert.equal(area("filestore_oldest_age_seconds", "tmp"), 0);
      assert.ok(area("filestore_oldest_age_seconds", "new")! >= 0);
      assert.equal(value(series, "filestore_claims"), 1);
      assert.equal(value(series, "filestore_claims_stuck"), 1);
      assert.equal(value(series, "filestore_arrivals_total"), 0, "what was there at the start did not arrive");

      // Two arrive, then three are acknowledged: the counters follow what the sampler sees.
      await store.putMany(["d", "e"], { sync: false });
      const auth = { Authorization: `Bearer ${TOKEN}` };
      let last = series;
      const seen = async (name: string, expected: number) => {
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
          last = parseMetrics((await get(url, auth)).text).series;
          if (value(last, name) === expected) return;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        assert.fail(`${name} never reached ${expected}: ${value(last, name)}`);
      };
      await seen("filestore_arrivals_total", 2);
      for (const name of ["job-0", "job-1", "job-2"]) await store.ack((await store.claim(name))!);
      await seen("filestore_completions_total", 3);
      assert.equal(value(last, "filestore_area_items", { area: "new" }), 3);
      assert.equal(value(last, "filestore_arrivals_total"), 2);
    } finally {
      await dashboard.close();
    }
  });
});

test("the sampler lstat's only names it has not seen, and claims", async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, "store"), { areas: ["failed"] });
    await store.prepare();
    await store.putMany(Array.from({ length: 300 }, (_, i) => String(i)), { sync: false });
    const sampler = new Sampler(store, { interval: 3_600_000 });
    await sampler.start();
    try {
      assert.equal(sampler.snapshot().lstats, 300, "the first sample stats everything");
      await sampler.sample();
      assert.equal(sampler.snapshot().lstats, 0, "nothing new: a listing, no lstat");
      await store.putMany(["a", "b"], { sync: false });
      const claim = await store.next();
      await sampler.sample();
      // Two arrivals, and the claim (its name in cur/ is new, and claims are stat'ed every time).
      assert.equal(sampler.snapshot().lstats, 3);
      await sampler.sample();
      assert.equal(sampler.snapshot().lstats, 1, "only the claim, for its lease");
      const stats = sampler.snapshot().stats!;
      assert.equal(stats.areas.new.count, 301);
      assert.equal(stats.areas.cur.count, 1);
      assert.equal(stats.claims, 1);
      assert.equal(stats.areas.new.bytes, (await store.stats()).areas.new.bytes, "the same bytes as stats()");
      await store.ack(claim!);
    } finally {
      await sampler.stop();
    }
  });
});

function cliCommand(): string[] {
  const bin = join(root, "node_modules", ".bin");
  switch (currentRuntime) {
    case "deno":
      return [join(bin, "deno"), "run", "-A", "--quiet", join(root, "src", "cli", "filestore.ts")];
    case "bun":
      return [join(bin, "bun"), join(root, "src", "cli", "filestore.ts")];
    case "node":
      return [process.execPath, join(root, "npm", "esm", "src", "cli", "filestore.js")];
  }
}

test(`filestore stats --prometheus prints the same gauges, without the counters (${currentRuntime})`, async () => {
  await withTempDir(async (dir) => {
    const store = new FileStore(join(dir, AWKWARD), { areas: ["done", "failed"] });
    await store.prepare();
    await fill(store);
    const [command, ...prefix] = cliCommand();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(command, [...prefix, "stats", store.path, "--prometheus", "--lease", "0s"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "", stderr = "";
      child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
      child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
      child.on("error", reject);
      child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(result.code, 0, result.stderr);
    const { series, types } = parseMetrics(result.stdout);
    assert.equal(types.has("filestore_arrivals_total"), false, "no counters from a one-off snapshot");
    assert.deepEqual(
      series.filter((s) => s.name === "filestore_area_items").map((s) => [s.labels.area, s.value]),
      [["tmp", 0], ["new", 4], ["cur", 1], ["done", 0], ["failed", 1]],
    );
    assert.equal(value(series, "filestore_claims_stuck"), 1);
    for (const s of series) assert.equal(s.labels.store, store.path);
  });
});
