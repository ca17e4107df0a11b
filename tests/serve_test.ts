import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from "node:fs";
import { Buffer } from "node:buffer";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { FileStore } from "../mod.ts";
import { Sampler } from "../src/serve/sampler.ts";
import { serveDashboard } from "../src/serve/server.ts";
import { fixtureCommand, onceAcrossRuntimes, root, withStore, withTempDir } from "./_helpers.ts";

const TOKEN = "test-token-0123456789abcdef";

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  // deno-lint-ignore no-explicit-any
  json: any;
}

// node:http rather than fetch: the tests set headers fetch forbids (Host, Origin, Cookie).
function request(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: unknown } = {},
): Promise<Reply> {
  const body = options.body === undefined
    ? undefined
    : typeof options.body === "string"
    ? options.body
    : JSON.stringify(options.body);
  const headers = { ...(body !== undefined ? { "Content-Type": "application/json" } : {}), ...options.headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: options.method ?? "GET", headers, agent: false }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => text += chunk);
      res.on("end", () => {
        let json;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Polls `check` until it returns a value other than undefined; fails after `timeout` ms. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeout = 30_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function sum(history: { arrivals: number; completions: number }[], field: "arrivals" | "completions"): number {
  return history.reduce((total, sample) => total + sample[field], 0);
}

test("the JSON API serves counts, history and items, with no caching", async () => {
  await withStore(async (store) => {
    await store.putMany(["a", "b"], { sync: false });
    await store.put("broken", { name: "broken-job", sync: false });
    const failing = await store.claim("broken-job");
    await store.ack(failing!, { to: "failed" });
    const dashboard = await serveDashboard(store, { port: 0, interval: 50 });
    try {
      assert.match(dashboard.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
      let reply = await request(`${dashboard.url}api/stats`);
      assert.equal(reply.status, 200);
      assert.match(String(reply.headers["content-type"]), /^application\/json/);
      assert.equal(reply.headers["cache-control"], "no-store");
      assert.match(String(reply.headers["content-security-policy"]), /default-src 'none'/);
      assert.equal(reply.json.path, store.path);
      assert.equal(reply.json.areas.new.count, 2);
      assert.equal(reply.json.areas.failed.count, 1);
      assert.equal(reply.json.failedArea, "failed");
      assert.deepEqual(reply.json.failed.map((item: { key: string }) => item.key), ["broken-job"]);
      assert.equal(reply.json.actions, false);

      // Three arrive; one is claimed and released (it stays in the pipeline); two are completed.
      await store.putMany(["c", "d", "e"], { sync: false });
      await waitFor("the arrivals to be sampled", async () => {
        const { json } = await request(`${dashboard.url}api/stats`);
        return json.areas.new.count === 5 ? json : undefined;
      });
      const released = await store.next();
      await store.release(released!);
      for (let i = 0; i < 2; i++) await store.ack((await store.next())!);
      const stats = await waitFor("the completions to be sampled", async () => {
        const { json } = await request(`${dashboard.url}api/stats`);
        return sum(json.history, "completions") === 2 && json.areas.new.count === 3 ? json : undefined;
      });
      assert.equal(sum(stats.history, "arrivals"), 3, "the items present at the start are not arrivals");
      assert.equal(stats.areas.cur.count, 0);
      for (const sample of stats.history) assert.ok(sample.elapsed > 0 && sample.counts.new >= 0);

      reply = await request(`${dashboard.url}api/items?area=failed`);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.area, "failed");
      assert.equal(reply.json.items.length, 1);
      assert.equal(reply.json.items[0].key, "broken-job");
      assert.equal(reply.json.items[0].size, "broken".length);
      assert.equal(reply.json.items[0].kind, "file");
      reply = await request(`${dashboard.url}api/items?area=new&limit=2`);
      assert.equal(reply.json.items.length, 2);
    } finally {
      await dashboard.close();
    }
  }, { areas: ["failed"] });
});

test("the sampler derives arrivals and completions from names seen and the growth of extra areas", async () => {
  await withStore(async (store) => {
    // No timed samples: each sample() below compares with the one before.
    const sampler = new Sampler(store, { interval: 3_600_000, history: 36_000_000 });
    await store.put("a", { name: "a", sync: false });
    await sampler.start();
    try {
      const last = () => sampler.snapshot().history.at(-1)!;
      // b and c arrive and stay; a (seen) is acknowledged into done/; d is put, claimed and
      // acknowledged into failed/ between two samples: never seen, but failed/ grew.
      await store.putMany([{ data: "b", name: "b" }, { data: "c", name: "c" }], { sync: false });
      await store.ack((await store.claim("a"))!, { to: "done" });
      await store.put("d", { name: "d", sync: false });
      await store.ack((await store.claim("d"))!, { to: "failed" });
      await sampler.sample();
      assert.deepEqual([last().arrivals, last().completions], [3, 2]);
      assert.deepEqual(last().counts, { tmp: 0, new: 2, cur: 0, done: 1, failed: 1 });

      // A release keeps the key in new/ or cur/: neither an arrival nor a completion.
      await store.release((await store.claim("b"))!);
      await sampler.sample();
      assert.deepEqual([last().arrivals, last().completions], [0, 0]);

      // Retrying a failed item (failed/ back to new/) is an arrival; failed/ shrinking is not a completion.
      await store.move(readdirSync(store.areaPath("failed"))[0], "failed", "new");
      await sampler.sample();
      assert.deepEqual([last().arrivals, last().completions], [1, 0]);

      // The documented blind spot: put, claimed and deleted between two samples leaves no trace.
      await store.put("e", { name: "e", sync: false });
      await store.ack((await store.claim("e"))!);
      await sampler.sample();
      assert.deepEqual([last().arrivals, last().completions], [0, 0]);
      assert.equal(sampler.snapshot().history.length, 4, "the first sample starts the history");
    } finally {
      await sampler.stop();
    }
  }, { areas: ["done", "failed"] });
});

test("the sampler keeps only the configured history", async () => {
  await withStore(async (store) => {
    const sampler = new Sampler(store, { interval: 3_600_000, history: 3 * 3_600_000 });
    await sampler.start();
    try {
      for (let i = 0; i < 6; i++) {
        await store.put(String(i), { sync: false });
        await sampler.sample();
      }
      const history = sampler.snapshot().history;
      assert.equal(history.length, 4, "three intervals: four samples");
      assert.deepEqual(history.map((sample) => sample.counts.new), [3, 4, 5, 6], "the newest ones");
    } finally {
      await sampler.stop();
    }
  });
});

test("the JSON API rejects unknown areas, bad limits, paths and methods", async () => {
  await withStore(async (store) => {
    const dashboard = await serveDashboard(store, { port: 0 });
    try {
      let reply = await request(`${dashboard.url}api/items?area=..%2F..%2Fetc`);
      assert.equal(reply.status, 400);
      assert.equal(reply.json.code, "INVALID_AREA");
      assert.match(reply.json.error, /Unknown area '\.\.\/\.\.\/etc'/);
      reply = await request(`${dashboard.url}api/items`);
      assert.equal(reply.status, 400);
      assert.match(reply.json.error, /Missing area/);
      reply = await request(`${dashboard.url}api/items?area=new&limit=0`);
      assert.equal(reply.status, 400);
      assert.match(reply.json.error, /Invalid limit '0'/);
      for (const path of ["nope", "api", "api/stats/x", "..%2F..%2Fetc%2Fpasswd", "api/actions/format"]) {
        reply = await request(`${dashboard.url}${path}`);
        assert.equal(reply.status, 404, path);
        assert.match(reply.json.error, /Not found/);
      }
      reply = await request(`${dashboard.url}api/stats`, { method: "POST", body: {} });
      assert.equal(reply.status, 405);
      assert.equal(reply.headers.allow, "GET, HEAD");
      // A loopback dashboard answers loopback host names only (DNS rebinding).
      reply = await request(`${dashboard.url}api/stats`, { headers: { Host: "attacker.example" } });
      assert.equal(reply.status, 421);
      reply = await request(`${dashboard.url}api/stats`, { headers: { Host: "localhost" } });
      assert.equal(reply.status, 200);
    } finally {
      await dashboard.close();
    }
  });
});

test("the page and its script are served with a strict Content-Security-Policy", async () => {
  await withStore(async (store) => {
    const dashboard = await serveDashboard(store, { port: 0 });
    try {
      const page = await request(dashboard.url);
      assert.equal(page.status, 200);
      assert.match(String(page.headers["content-type"]), /^text\/html/);
      const csp = String(page.headers["content-security-policy"]);
      assert.match(csp, /script-src 'self'/);
      assert.doesNotMatch(csp, /unsafe-inline/);
      assert.equal(page.headers["x-frame-options"], "DENY");
      assert.doesNotMatch(page.text, /<script>|<style>| style=/, "no inline script or style for the policy to allow");
      const script = await request(`${dashboard.url}app.js`);
      assert.equal(script.status, 200);
      assert.doesNotMatch(script.text, /innerHTML|insertAdjacentHTML|document\.write/);
    } finally {
      await dashboard.close();
    }
  });
});

test("serveDashboard() needs a token for a non-loopback address and for actions", async () => {
  await withStore(async (store) => {
    await assert.rejects(serveDashboard(store, { port: 0, hostname: "0.0.0.0" }), {
      name: "TypeError",
      message: /Cannot serve on '0\.0\.0\.0' without a token/,
    });
    await assert.rejects(
      serveDashboard(store, { port: 0, allowActions: true }),
      /Cannot allow actions without a token/,
    );
    await assert.rejects(serveDashboard(store, { port: 0, token: "short" }), /at least 12 characters/);
    const unprepared = new FileStore(join(store.path, "missing"));
    await assert.rejects(serveDashboard(unprepared, { port: 0 }), { code: "NOT_PREPARED" });
  });
});

test("a token guards the API: the bearer header only; the page holds no data; cookies have no effect", async () => {
  await withStore(async (store) => {
    const dashboard = await serveDashboard(store, { port: 0, token: TOKEN });
    try {
      const api = `${dashboard.url}api/stats`;
      let reply = await request(api);
      assert.equal(reply.status, 401);
      assert.match(String(reply.headers["www-authenticate"]), /^Bearer/);
      assert.match(reply.json.error, /Missing token/);
      reply = await request(api, { headers: { Authorization: `Bearer ${TOKEN}x` } });
      assert.equal(reply.status, 401);
      reply = await request(api, { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(reply.status, 200);
      // The page is static: its script sends the token it took from the link's #fragment.
      reply = await request(dashboard.url);
      assert.equal(reply.status, 200);
      assert.match(reply.text, /<title>filestore dashboard<\/title>/);
      assert.doesNotMatch(reply.text, new RegExp(store.path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), "no data");
      assert.equal(reply.headers["set-cookie"], undefined);
      // A token in the query would reach logs and the history: refused, not used.
      reply = await request(`${dashboard.url}?token=${TOKEN}`);
      assert.equal(reply.status, 400);
      assert.match(reply.json.error, /#token=/);
      assert.equal(reply.headers["set-cookie"], undefined);

      // Cookies for 127.0.0.1 reach, and can be set by, every port: the right token in one opens nothing,
      // and a planted wrong one locks nothing out.
      const port = new URL(dashboard.url).port;
      for (const cookie of [`filestore_token_${port}=${TOKEN}`, `filestore_token=${TOKEN}`, `token=${TOKEN}`]) {
        assert.equal((await request(api, { headers: { Cookie: cookie } })).status, 401, cookie);
      }
      reply = await request(api, {
        headers: { Cookie: `filestore_token_${port}=planted-by-another-port`, Authorization: `Bearer ${TOKEN}` },
      });
      assert.equal(reply.status, 200);
    } finally {
      await dashboard.close();
    }
  });
});

test("actions are refused without the flag, without the token, and across origins", async () => {
  await withStore(async (store) => {
    await store.put("x", { name: "job", sync: false });
    let dashboard = await serveDashboard(store, { port: 0, token: TOKEN });
    const auth = { Authorization: `Bearer ${TOKEN}` };
    try {
      const reply = await request(`${dashboard.url}api/actions/delete`, {
        method: "POST",
        headers: auth,
        body: { area: "new", name: "job" },
      });
      assert.equal(reply.status, 403);
      assert.match(reply.json.error, /Actions are disabled/);
    } finally {
      await dashboard.close();
    }
    dashboard = await serveDashboard(store, { port: 0, token: TOKEN, allowActions: true });
    try {
      const url = `${dashboard.url}api/actions/delete`;
      const body = { area: "new", name: "job" };
      assert.equal((await request(url, { method: "POST", body })).status, 401);
      assert.equal(
        (await request(url, { method: "POST", headers: { Authorization: "Bearer not-the-token-at-all" }, body }))
          .status,
        401,
      );
      let reply = await request(url, { method: "POST", headers: { ...auth, Origin: "http://attacker.example" }, body });
      assert.equal(reply.status, 403);
      assert.match(reply.json.error, /Cross-origin request from 'http:\/\/attacker\.example' refused/);
      reply = await request(url, {
        method: "POST",
        headers: { ...auth, "Content-Type": "application/x-www-form-urlencoded" },
        body: "area=new&name=job",
      });
      assert.equal(reply.status, 415);
      reply = await request(url, { method: "POST", headers: auth, body: "{not json" });
      assert.equal(reply.status, 400);
      assert.match(reply.json.error, /Invalid JSON/);
      assert.equal((await request(url, { headers: auth })).status, 405, "actions are POSTs");
      assert.deepEqual(readdirSync(store.areaPath("new")), ["job"], "none of these touched the item");
    } finally {
      await dashboard.close();
    }
  });
});

test("actions validate names and areas and touch nothing outside the store", async () => {
  await withTempDir(async (dir) => {
    const outside = join(dir, "outside.txt");
    writeFileSync(outside, "keep me");
    mkdirSync(join(dir, "secret"));
    writeFileSync(join(dir, "secret", "job"), "keep me too");
    const store = new FileStore(join(dir, "store"), { areas: ["failed", "done"] });
    await store.prepare();
    await store.put("failed once", { name: "job", sync: false });
    await store.ack((await store.claim("job"))!, { to: "failed" });
    const [failedName] = readdirSync(store.areaPath("failed"));
    symlinkSync(outside, join(store.areaPath("failed"), "link"));
    const dashboard = await serveDashboard(store, { port: 0, token: TOKEN, allowActions: true });
    const post = (action: string, body: unknown) =>
      request(`${dashboard.url}api/actions/${action}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}` },
        body,
      });
    try {
      const refused: [string, unknown, RegExp][] = [
        ["retry", { name: "../../outside.txt" }, /Invalid name '\.\.\/\.\.\/outside\.txt': it contains '\/'/],
        ["retry", { name: ".." }, /Invalid name '\.\.'/],
        ["retry", { name: `${dir}/outside.txt` }, /it contains '\/'/],
        ["retry", { name: "" }, /Invalid name '': it is empty/],
        ["retry", { name: 42 }, /Missing name/],
        ["retry", { name: "job", area: "../secret" }, /Unknown area '\.\.\/secret'/],
        ["retry", { name: failedName, area: "cur" }, /Cannot retry an item of 'cur'/],
        ["retry", { name: failedName, area: "tmp" }, /Cannot retry an item of 'tmp'/],
        ["delete", { name: "job", area: "cur" }, /Cannot delete an item of 'cur'/],
        ["delete", { name: "job" }, /Missing area/],
        ["recover", { olderThan: -1 }, /Invalid olderThan '-1'/],
        ["clean", { tmpOlderThan: "1h" }, /Invalid tmpOlderThan '1h'/],
      ];
      for (const [action, body, message] of refused) {
        const reply = await post(action, body);
        assert.equal(reply.status, 400, `${action} ${JSON.stringify(body)}`);
        assert.match(reply.json.error, message);
      }
      // A backslash is an ordinary character in a name: the store looks for that file, and none is there.
      let reply = await post("delete", { name: "..\\outside.txt", area: "failed" });
      assert.ok([400, 404].includes(reply.status), `${reply.status}: ${reply.text}`);
      reply = await post("retry", { name: "caf\uFFFD", area: "failed" });
      assert.equal(reply.status, 400);
      assert.match(reply.json.error, /not valid UTF-8/);
      reply = await post("retry", { name: "no-such-item" });
      assert.equal(reply.status, 404);
      assert.equal(reply.json.code, "NOT_FOUND");

      // Deleting a symlink removes the link, never its target.
      reply = await post("delete", { area: "failed", name: "link" });
      assert.equal(reply.status, 200);
      assert.equal(readFileSync(outside, "utf8"), "keep me");
      assert.equal(readFileSync(join(dir, "secret", "job"), "utf8"), "keep me too");
      assert.deepEqual(readdirSync(dir).sort(), ["outside.txt", "secret", "store"]);

      reply = await post("retry", { name: failedName });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, {
        ok: true,
        action: "retry",
        area: "failed",
        name: failedName,
        display: failedName,
        to: "new",
      });
      assert.deepEqual(readdirSync(store.areaPath("failed")), []);
      assert.deepEqual(readdirSync(store.areaPath("new")), [failedName]);
      const stats = await request(`${dashboard.url}api/stats`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      assert.equal(stats.json.areas.new.count, 1, "the answer waits for a sample that shows the effect");

      reply = await post("delete", { area: "new", name: failedName });
      assert.equal(reply.status, 200);
      assert.deepEqual(readdirSync(store.areaPath("new")), []);
    } finally {
      await dashboard.close();
    }
  });
});

test("the recover and clean actions run recover() and clean()", async () => {
  await withStore(async (store) => {
    // A claim of a process that is gone (no such pid), and a file left in tmp/ by a crashed writer.
    await store.put("job", { name: "job", sync: false });
    const claimed = readdirSync(store.areaPath("new"))[0];
    const orphan = `job,C=P999999999Rdead@${store.host}:2,`;
    renameSync(join(store.areaPath("new"), claimed), join(store.areaPath("cur"), orphan));
    writeFileSync(join(store.areaPath("tmp"), "partial"), "half");
    const dashboard = await serveDashboard(store, { port: 0, token: TOKEN, allowActions: true });
    const post = (action: string, body: unknown) =>
      request(`${dashboard.url}api/actions/${action}`, {
        method: "POST",
        headers: { Authorization: `Bearer ${TOKEN}` },
        body,
      });
    try {
      let reply = await post("recover", { olderThan: 0 });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json.recovered, ["job,A=1"]);
      assert.deepEqual(readdirSync(store.areaPath("new")), ["job,A=1"]);
      reply = await post("clean", { tmpOlderThan: 0 });
      assert.equal(reply.status, 200, reply.text);
      assert.deepEqual(reply.json.removed, ["partial"]);
      assert.deepEqual(readdirSync(store.areaPath("tmp")), []);
    } finally {
      await dashboard.close();
    }
  });
});

function run(command: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], command.slice(1), { stdio: ["ignore", "inherit", "inherit"] });
    child.on("error", reject);
    child.on("close", (code) => code === 0 ? resolve() : reject(new Error(`${command.join(" ")} exited with ${code}`)));
  });
}

const CHROMIUM = "/usr/bin/chromium";

test("the page shows live counts, escapes names, and retries a failed item", {
  skip: onceAcrossRuntimes || (existsSync(CHROMIUM) ? false : `needs ${CHROMIUM} (Debian package chromium)`),
}, async (t) => {
  let chromium;
  try {
    ({ chromium } = await import("playwright-core"));
  } catch {
    t.skip("needs the playwright-core devDependency (npm ci)");
    return;
  }
  await withStore(async (store, dir) => {
    const hostile = "<img src=x onerror=alert(1)>";
    await store.put("hostile", { name: hostile, sync: false });
    await store.ack((await store.claim(hostile))!, { to: "failed" });
    writeFileSync(join(store.areaPath("failed"), "tab\there"), "tab");
    writeFileSync(
      Buffer.concat([Buffer.from(`${store.areaPath("failed")}/`), Buffer.from([0x63, 0x61, 0x66, 0xe9])]),
      "latin-1",
    );
    const dashboard = await serveDashboard(store, { port: 0, token: TOKEN, allowActions: true, interval: 200 });
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(error.message));
      page.on("console", (message) => message.type() === "error" && problems.push(message.text()));
      page.on("dialog", (dialog) => {
        problems.push(`dialog: ${dialog.message()}`);
        void dialog.dismiss();
      });
      // Another page on another port of 127.0.0.1 may plant cookies here: they change nothing.
      await page.context().addCookies([
        { name: `filestore_token_${new URL(dashboard.url).port}`, value: "planted", domain: "127.0.0.1", path: "/" },
        { name: "filestore_token", value: "planted", domain: "127.0.0.1", path: "/" },
      ]);
      const sent: string[] = [];
      page.on("request", (r) => sent.push(r.url()));
      await page.goto(`${dashboard.url}#token=${TOKEN}`);
      await page.waitForFunction(() => location.hash === "", null, { timeout: 30_000 });
      assert.equal(new URL(page.url()).search, "", "no token in the query");
      assert.equal(await page.evaluate(() => sessionStorage.getItem("filestore-token")), TOKEN);
      const count = (area: string, value: number) =>
        page.waitForFunction(
          ([id, text]) => document.getElementById(id)?.textContent === text,
          [`count-${area}`, String(value)],
          { timeout: 30_000 },
        );
      await count("new", 0);
      await count("failed", 3);
      const hostileCell = page.locator("#failed tbody tr", { hasText: "<img" }).locator("td.name");
      assert.equal(await hostileCell.textContent(), `${hostile}:2,`, "the name is shown as text");
      assert.equal(await page.locator("#failed img").count(), 0, "and not parsed as HTML");
      // A tab is escaped and the item can be acted on; a name that is not UTF-8 is shown, with no buttons.
      const tabRow = page.locator("#failed tbody tr", { hasText: "tab\\there" });
      assert.equal(await tabRow.locator("td.name").textContent(), "tab\\there");
      assert.equal(await tabRow.locator("button").count(), 2);
      const latin1Row = page.locator("#failed tbody tr", { hasText: "caf" });
      assert.match(await latin1Row.locator("td.name").textContent() ?? "", /^caf(\\xe9|\uFFFD) not valid UTF-8/);
      assert.equal(await latin1Row.locator("button").count(), 0);

      // Another process (on Deno) puts five items; another (on Bun) consumes them.
      await run(fixtureCommand("deno", "serve_traffic", [dir, "put", "ok-1", "ok-2", "ok-3", "bad-1", "bad-2"]));
      await count("new", 5);
      await run(fixtureCommand("bun", "serve_traffic", [dir, "consume"]));
      await count("new", 0);
      await count("failed", 5);
      await page.waitForFunction(() => document.querySelectorAll("#failed tbody tr").length === 5, null, {
        timeout: 30_000,
      });

      await page.locator("#failed tbody tr", { hasText: "bad-1" }).locator("button.retry").click();
      await count("failed", 4);
      await count("new", 1);
      assert.deepEqual(readdirSync(join(dir, "new")), ["bad-1:2,"], "the retried item is back in new/");
      await page.waitForFunction(() => !document.getElementById("toast")?.hidden, null, { timeout: 30_000 });
      assert.match(await page.locator("#toast").textContent() ?? "", /Moved back to new\/: bad-1/);

      await page.waitForFunction(() => document.querySelectorAll("#chart polyline").length === 2, null, {
        timeout: 30_000,
      });
      mkdirSync(join(root, "test-artifacts"), { recursive: true });
      await page.screenshot({ path: join(root, "test-artifacts", "dashboard.png"), fullPage: true });
      assert.deepEqual(problems, []);
      assert.ok(sent.every((url) => !url.includes(TOKEN)), `the token is in no request URL: ${sent.join(" ")}`);
    } finally {
      await browser.close();
      await dashboard.close();
    }
  }, { areas: ["failed"] });
});
