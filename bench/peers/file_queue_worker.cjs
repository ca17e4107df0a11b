// The npm package file-queue doing the benchmark's full cycle: push COUNT
// items (JSON strings), then pop them one by one. Node only (CommonJS).
// Usage: node file_queue_worker.cjs DIR SIZE COUNT   (prints one line of JSON)
"use strict";
const fs = require("node:fs");
const { Queue } = require("file-queue");

const [directory, sizeText, countText] = process.argv.slice(2);
const size = Number(sizeText), count = Number(countText);
const payload = "x".repeat(size);
// file-queue creates tmp/, new/ and cur/ but not their parent.
fs.mkdirSync(directory, { recursive: true });

function start(err) {
  if (err) throw err;
  const t0 = performance.now();
  let pushed = 0;
  const push = () => {
    if (pushed === count) return drain(performance.now());
    queue.push(payload, (err) => {
      if (err) throw err;
      pushed++;
      push();
    });
  };
  const drain = (t1) => {
    let popped = 0;
    const pop = () => {
      if (popped === count) {
        const t2 = performance.now();
        console.log(JSON.stringify({ items: count, put: (t1 - t0) / 1000, drain: (t2 - t1) / 1000 }));
        return;
      }
      queue.pop((err, message) => {
        if (err) throw err;
        if (message.length !== size) throw new Error(`file_queue_worker: got ${message.length} bytes`);
        popped++;
        pop();
      });
    };
    pop();
  };
  push();
}

const queue = new Queue({ path: directory, persistent: false }, start);
