// A SQLite queue doing the benchmark's full cycle, the way SQLite job queues
// run one: WAL, one transaction per put (INSERT), per claim (UPDATE ...
// RETURNING the body) and per delete. bun:sqlite on Bun, node:sqlite on Node
// 22 and Deno. SYNC 0 is synchronous=OFF, 1 is synchronous=FULL.
// Usage: sqlite_worker.mjs DIR SIZE COUNT SYNC   (prints one line of JSON)
import { mkdirSync } from "node:fs";
import process from "node:process";

const [directory, sizeText, countText, syncText] = process.argv.slice(2);
const size = Number(sizeText), count = Number(countText), durable = syncText === "1";
const payload = new Uint8Array(size).fill(0x78);
mkdirSync(directory, { recursive: true });
const path = `${directory}/queue.db`;

const db = "Bun" in globalThis
  ? new (await import("bun:sqlite")).Database(path)
  : new (await import("node:sqlite")).DatabaseSync(path);
db.exec("PRAGMA journal_mode=WAL");
db.exec(`PRAGMA synchronous=${durable ? "FULL" : "OFF"}`);
db.exec("CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY, claimed_by TEXT, body BLOB NOT NULL)");
// No index on the claim column: rows are claimed in id order and deleted, so the
// scan from the first row is short (SQLite's best case).
const insert = db.prepare("INSERT INTO queue (body) VALUES (?)");
const claim = db.prepare(
  "UPDATE queue SET claimed_by = ? WHERE id = (SELECT id FROM queue WHERE claimed_by IS NULL ORDER BY id LIMIT 1) " +
    "RETURNING id, body",
);
const remove = db.prepare("DELETE FROM queue WHERE id = ?");
const owner = `P${process.pid}`;

function putAll(n) {
  for (let i = 0; i < n; i++) insert.run(payload);
}
function drainAll() {
  let taken = 0;
  for (let row; (row = claim.get(owner));) {
    if (row.body.byteLength !== size) throw new Error(`Short read of row ${row.id}`);
    remove.run(row.id);
    taken++;
  }
  return taken;
}

// The same untimed warm-up as the filestore worker.
putAll(Math.min(count, durable ? 50 : 200));
drainAll();
const t0 = performance.now();
putAll(count);
const t1 = performance.now();
const taken = drainAll();
const t2 = performance.now();
if (taken !== count) throw new Error(`Drained ${taken} of ${count} items`);
db.close();
console.log(JSON.stringify({ items: count, put: (t1 - t0) / 1000, drain: (t2 - t1) / 1000 }));
