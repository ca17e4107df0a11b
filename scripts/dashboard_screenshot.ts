/**
 * Makes docs/dashboard.png, the README's picture of `filestore serve`: a
 * store in a temp directory with producers and a consumer running for a
 * minute (a few items fail, two claims are left by a "crashed" worker), the
 * dashboard on it, and a screenshot by headless Chromium.
 *
 * Usage: deno run -A scripts/dashboard_screenshot.ts [SECONDS] [OUT.png]
 * Needs /usr/bin/chromium (Debian package `chromium`) and playwright-core.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { chromium } from "playwright-core";
import { FileStore } from "../mod.ts";
import { serveDashboard } from "../src/serve/server.ts";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const seconds = Number(process.argv[2] ?? 70);
const out = process.argv[3] ?? join(root, "docs", "dashboard.png");
const dir = mkdtempSync(join(tmpdir(), "filestore-screenshot-"));
const store = new FileStore(join(dir, "spool", "orders"), { areas: ["done", "failed"] });
await store.prepare();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = Date.now() + seconds * 1000;
let running = true;
let order = 48_210;
const payload = (size: number) => JSON.stringify({ order, lines: "x".repeat(size) });

// A worker that crashed holding two claims: stuck once the lease (20 s here) runs out.
for (let i = 0; i < 2; i++) await store.put(payload(900 + i * 300), { name: `order-${order++}.json`, sync: false });
await store.next();
await store.next();

const token = "screenshot-token-0123456789";
const dashboard = await serveDashboard(store, {
  port: 0,
  token,
  allowActions: true,
  interval: 1000,
  history: Math.min(300_000, seconds * 1000),
  lease: 20_000,
});

async function produce(): Promise<void> {
  while (running) {
    const elapsed = (until - Date.now()) / 1000;
    // A daily-ish wave with a burst in the middle.
    const rate = 12 + 7 * Math.sin(elapsed / 9) + (Math.abs(elapsed - seconds / 2) < 5 ? 25 : 0);
    const batch = Math.max(1, Math.round(rate / 4));
    for (let i = 0; i < batch; i++) {
      await store.put(payload(200 + Math.floor(Math.random() * 6000)), { name: `order-${order++}.json`, sync: false });
    }
    await sleep(250);
  }
}

async function consume(): Promise<void> {
  while (running) {
    const claim = await store.next();
    if (!claim) {
      await sleep(100);
      continue;
    }
    // The consumer keeps up to about 25 items per second; one order in thirty is bad:
    // it fails three times, then goes to failed/.
    await sleep(30);
    const bad = Number(/\d+/.exec(claim.key)?.[0]) % 30 === 7;
    if (!bad) await store.ack(claim, { to: "done" });
    else if (claim.attempts < 2) await store.release(claim);
    else await store.ack(claim, { to: "failed" });
  }
}

const traffic = Promise.all([produce(), consume()]);
await sleep(Math.max(0, until - Date.now()));
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 860 }, deviceScaleFactor: 1 });
  await page.goto(`${dashboard.url}#token=${token}`);
  await page.waitForFunction(() => document.querySelectorAll("#failed tbody tr").length > 0, null, { timeout: 30_000 });
  await page.screenshot({ path: out, fullPage: true });
  console.log(`dashboard_screenshot: wrote ${out}`);
} finally {
  running = false;
  await traffic;
  await browser.close();
  await dashboard.close();
  rmSync(dir, { recursive: true, force: true });
}
