// The dashboard's queue views (issue 17): the delayed area with due times, pause and resume as actions,
// and opening an item (first bytes, fields, last error) without following a symlink.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileStore, parseName } from "../mod.ts";
import { serveDashboard } from "../src/serve/server.ts";
import { withStore, withTempDir } from "./_helpers.ts";

const TOKEN = "queue-token-0123456789abcdef";
const AUTH: Record<string, string> = { Authorization: `Bearer ${TOKEN}` };

// deno-lint-ignore no-explicit-any
async function get(url: string, headers: Record<string, string> = AUTH): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { headers });
  return { status: response.status, json: await response.json() };
}

// deno-lint-ignore no-explicit-any
async function post(url: string, headers: Record<string, string> = AUTH): Promise<{ status: number; json: any }> {
  const response = await fetch(url, { method: "POST", headers: { ...headers, "Content-Type": "application/json" } });
  return { status: response.status, json: await response.json() };
}

test("the delayed area is counted and listed soonest first, with due times and priorities", async () => {
  await withStore(async (store) => {
    const later = await store.put("later", { delay: 7_200_000, sync: false });
    const soon = await store.put("soon", { delay: 3_600_000, priority: 3, sync: false });
    const soonest = await store.put("soonest", { delay: 600_000, sync: false });
    const urgent = await store.put("urgent", { priority: 5, sync: false });
    await store.put("plain", { name: "plain", sync: false });
    const dashboard = await serveDashboard(store, { port: 0, interval: 50 });
    try {
      const { json: stats } = await get(`${dashboard.url}api/stats`, {});
      assert.equal(stats.areas.delayed.count, 3);
      assert.equal(stats.paused, false);
      const dueOf = (name: string) => new Date(parseName(name).due!).toISOString();
      assert.deepEqual(
        stats.delayed.map((
          item: { name: string; due: string; priority: number },
        ) => [item.name, item.due, item.priority]),
        [
          [soonest.name, dueOf(soonest.name), 0],
          [soon.name, dueOf(soon.name), 3],
          [later.name, dueOf(later.name), 0],
        ],
      );
      const { status, json } = await get(`${dashboard.url}api/items?area=delayed`, {});
      assert.equal(status, 200);
      const byName = new Map(json.items.map((item: { name: string }) => [item.name, item]));
      assert.equal(byName.size, 3);
      for (const put of [later, soon, soonest]) {
        const item = byName.get(put.name) as { due: string; priority: number; key: string; size: number };
        assert.equal(item.due, dueOf(put.name));
        assert.equal(item.priority, parseName(put.name).priority);
        assert.equal(item.key, parseName(put.name).key);
      }
      const { json: ready } = await get(`${dashboard.url}api/items?area=new`, {});
      const urgentItem = ready.items.find((item: { name: string }) => item.name === urgent.name);
      const plainItem = ready.items.find((item: { name: string }) => item.name === "plain");
      assert.equal(urgentItem.priority, 5);
      assert.equal("priority" in plainItem, false, "a priority of 0 is left out outside delayed/");
      assert.equal("due" in plainItem, false);
    } finally {
      await dashboard.close();
    }
  });
});

test("pause and resume are actions: they need the flag and the token, and /api/stats reports them", async () => {
  await withStore(async (store) => {
    let dashboard = await serveDashboard(store, { port: 0, token: TOKEN });
    try {
      const reply = await post(`${dashboard.url}api/actions/pause`);
      assert.equal(reply.status, 403);
      assert.match(reply.json.error, /Actions are disabled/);
      assert.equal(await store.paused(), false);
    } finally {
      await dashboard.close();
    }
    dashboard = await serveDashboard(store, { port: 0, token: TOKEN, allowActions: true, interval: 60_000 });
    try {
      assert.equal((await post(`${dashboard.url}api/actions/pause`, {})).status, 401);
      assert.equal(
        (await post(`${dashboard.url}api/actions/pause`, { Authorization: "Bearer wrong-token-xyz" })).status,
        401,
      );
      assert.equal(
        (await post(`${dashboard.url}api/actions/pause`, { ...AUTH, Origin: "http://attacker.example" })).status,
        403,
      );
      assert.equal(await store.paused(), false, "none of these paused the store");
      assert.equal((await get(`${dashboard.url}api/stats`)).json.paused, false);

      let reply = await post(`${dashboard.url}api/actions/pause`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { ok: true, action: "pause", paused: true });
      assert.equal(await store.paused(), true);
      // The action samples again: the next poll sees it although the interval is a minute.
      assert.equal((await get(`${dashboard.url}api/stats`)).json.paused, true);

      reply = await post(`${dashboard.url}api/actions/resume`);
      assert.equal(reply.status, 200);
      assert.equal(await store.paused(), false);
      assert.equal((await get(`${dashboard.url}api/stats`)).json.paused, false);
    } finally {
      await dashboard.close();
    }
    // A pause by another program (the CLI, another process) is seen by the next sample.
    await store.pause();
    dashboard = await serveDashboard(store, { port: 0 });
    try {
      assert.equal((await get(`${dashboard.url}api/stats`, {})).json.paused, true);
    } finally {
      await dashboard.close();
    }
  });
});

test("an item opens as text or hex, at most 4 KiB, with its fields and last error", async () => {
  await withStore(async (store) => {
    await store.put("will fail", { name: "failing", sync: false });
    await store.consume(() => {
      throw Object.assign(new Error("exit 3"), { exitCode: 3, stderr: "warming up\nthe printer is on fire\n" });
    }, { untilEmpty: true, maxAttempts: 1 });
    const text = await store.put("hello\tworld\nline two\n", { name: "text", sync: false });
    await store.put(new Uint8Array([0x00, 0x01, 0xff, 0x41]), { name: "binary", sync: false });
    await store.put("bell\x07", { name: "control", sync: false });
    // 4095 ASCII bytes then a 2-byte character: the cut at 4096 falls inside it.
    await store.put("a".repeat(4095) + "é".repeat(10), { name: "big", sync: false });
    await store.put("later", { name: "later", delay: 600_000, priority: 2, sync: false });
    const dashboard = await serveDashboard(store, { port: 0, token: TOKEN });
    const open = (area: string, name: string, headers = AUTH) =>
      get(`${dashboard.url}api/item?area=${encodeURIComponent(area)}&name=${encodeURIComponent(name)}`, headers);
    try {
      let reply = await open("new", text.name);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.encoding, "text");
      assert.equal(reply.json.content, "hello\tworld\nline two\n");
      assert.equal(reply.json.truncated, false);
      assert.equal(reply.json.size, 21);
      assert.equal(reply.json.key, "text");
      assert.equal(reply.json.attempts, 0);
      assert.equal(reply.json.due, null);
      assert.equal(reply.json.error, null);
      assert.ok(reply.json.mtime > 0);

      reply = await open("new", "binary");
      assert.deepEqual([reply.json.encoding, reply.json.content], ["hex", "0001ff41"]);
      reply = await open("new", "control");
      assert.deepEqual([reply.json.encoding, reply.json.content], ["hex", "62656c6c07"]);

      reply = await open("new", "big");
      assert.equal(reply.json.encoding, "text", "a character cut at 4 KiB does not turn the preview to hex");
      assert.equal(reply.json.content, "a".repeat(4095));
      assert.equal(reply.json.truncated, true);
      assert.equal(reply.json.size, 4095 + 20);

      const [delayedName] = readdirSync(store.areaPath("delayed"));
      reply = await open("delayed", delayedName);
      assert.equal(reply.json.due, new Date(parseName(delayedName).due!).toISOString());
      assert.equal(reply.json.priority, 2);

      const failedNames = readdirSync(store.areaPath("failed"));
      assert.equal(failedNames.length, 1);
      reply = await open("failed", failedNames[0]);
      assert.equal(reply.status, 200);
      assert.equal(reply.json.content, "will fail");
      assert.equal(reply.json.error.message, "exit 3");
      assert.equal(reply.json.error.exitCode, 3);
      assert.match(reply.json.error.stderr, /the printer is on fire/);
      const { json: stats } = await get(`${dashboard.url}api/stats`);
      assert.equal(stats.failed[0].error.message, "exit 3", "the failed list carries the last error");
      assert.equal(stats.failed[0].error.exitCode, 3);

      assert.equal((await open("new", text.name, {})).status, 401, "the token is needed");
      reply = await open("new", "missing");
      assert.equal(reply.status, 404);
      assert.equal(reply.json.code, "NOT_FOUND");
      for (const [area, name] of [["new", "../outside"], ["new", ".."], ["bogus", "text"], ["new", "a\uFFFDb"]]) {
        reply = await open(area, name);
        assert.equal(reply.status, 400, `${area}/${name}`);
      }
    } finally {
      await dashboard.close();
    }
  });
});

test("opening a symlink, a directory or a FIFO is refused with NOT_A_FILE, never followed", async () => {
  await withTempDir(async (dir) => {
    const secret = join(dir, "secret.txt");
    writeFileSync(secret, "do not show this");
    const store = new FileStore(join(dir, "store"));
    await store.prepare();
    symlinkSync(secret, join(store.areaPath("new"), "link"));
    mkdirSync(join(store.areaPath("new"), "folder"));
    const fifo = spawnSync("mkfifo", [join(store.areaPath("new"), "pipe")]).status === 0;
    const dashboard = await serveDashboard(store, { port: 0 });
    try {
      for (const name of ["link", "folder", ...(fifo ? ["pipe"] : [])]) {
        const reply = await get(`${dashboard.url}api/item?area=new&name=${name}`, {});
        assert.equal(reply.status, 409, name);
        assert.equal(reply.json.code, "NOT_A_FILE", name);
        assert.doesNotMatch(JSON.stringify(reply.json), /do not show this/);
      }
    } finally {
      await dashboard.close();
    }
  });
});
