// The dashboard's items API (issue 14.8): a page by name order from one
// listing, and names that are not UTF-8 or hold control characters.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { serveDashboard } from "../src/serve/server.ts";
import { withStore } from "./_helpers.ts";

// deno-lint-ignore no-explicit-any
async function request(url: string): Promise<{ status: number; json: any }> {
  const response = await fetch(url);
  return { status: response.status, json: await response.json() };
}

test("/api/items pages by name order, newest first, numbers by value; odd names shown escaped", async () => {
  await withStore(async (store) => {
    // Within one second: M9 < M10 < M100 by value, which plain string order gets wrong.
    const names = ["1700000000.M9P1Q1.h", "1700000000.M10P1Q2.h", "1700000000.M100P1Q3.h", "1700000001.M5P1Q4.h"];
    for (const name of names) writeFileSync(join(store.areaPath("new"), name), name);
    writeFileSync(join(store.areaPath("new"), "tab\there"), "t");
    writeFileSync(
      Buffer.concat([Buffer.from(`${store.areaPath("new")}/`), Buffer.from([0x63, 0x61, 0x66, 0xe9])]),
      "x",
    );
    const dashboard = await serveDashboard(store, { port: 0 });
    try {
      let reply = await request(`${dashboard.url}api/items?area=new&limit=3`);
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json.items.map((i: { name: string }) => i.name), [
        "tab\there",
        reply.json.items[1].name,
        "1700000001.M5P1Q4.h",
      ]);
      const odd = reply.json.items[1];
      assert.match(odd.name, /^caf/);
      assert.equal(odd.actionable, false, "a name that is not valid UTF-8 cannot be acted on by its string");
      assert.ok(odd.display === "caf\\xe9" || odd.display === "caf\uFFFD", odd.display);
      assert.equal(reply.json.items[0].display, "tab\\there");
      assert.equal(reply.json.items[0].actionable, true);
      assert.equal(reply.json.items[2].size, names[3].length);
      assert.equal(reply.json.next, "1700000001.M5P1Q4.h");
      reply = await request(`${dashboard.url}api/items?area=new&limit=3&before=${encodeURIComponent(reply.json.next)}`);
      assert.deepEqual(reply.json.items.map((i: { name: string }) => i.name), [names[2], names[1], names[0]]);
      reply = await request(`${dashboard.url}api/items?area=new&limit=3&before=${encodeURIComponent(names[0])}`);
      assert.deepEqual(reply.json, { area: "new", items: [], next: null });
    } finally {
      await dashboard.close();
    }
  });
});
