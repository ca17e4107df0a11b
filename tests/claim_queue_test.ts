// The claim queue's listing of new/: read whole while new/ is small, streamed once it is not, the same order either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FileStore, type FsAdapter } from "../mod.ts";
import { CLAIM_WINDOW, ClaimQueue } from "../src/store/claim_queue.ts";
import { withTempDir } from "./_helpers.ts";

// The default adapter, with its listing calls of new/ counted.
function countingAdapter(path: string): { adapter: FsAdapter; whole: () => number; streamed: () => number } {
  const base = new FileStore(path).adapter;
  const newDir = join(path, "new");
  let whole = 0;
  let streamed = 0;
  const sync = {
    ...base.sync,
    readDir: (dir: string) => {
      if (dir === newDir) whole++;
      return base.sync.readDir(dir);
    },
    openDir: (dir: string) => {
      if (dir === newDir) streamed++;
      return base.sync.openDir(dir);
    },
  };
  return { adapter: { ...base, sync }, whole: () => whole, streamed: () => streamed };
}

function drain(store: FileStore): string[] {
  const texts: string[] = [];
  for (let claim; (claim = store.nextSync());) {
    texts.push(new TextDecoder().decode(store.readSync(claim)));
    store.ackSync(claim);
  }
  return texts;
}

test("next() reads a small new/ whole, streams a large one, and drains both oldest first", async () => {
  await withTempDir((dir) => {
    const path = join(dir, "store");
    const counted = countingAdapter(path);
    const store = new FileStore(path, { adapter: counted.adapter });
    store.prepareSync();
    const few = ["a", "b", "c"];
    for (const text of few) store.putSync(text);
    assert.deepEqual(drain(store), few);
    assert.equal(counted.streamed(), 1, "the first listing streams");
    assert.ok(counted.whole() >= 1, "then a new/ that held three items is read in one call");

    // 4,000 names of about 60 bytes: more than 64 KiB of directory on ext4, xfs, btrfs and tmpfs alike.
    const many = Array.from({ length: 4000 }, (_, i) => `item ${String(i).padStart(4, "0")}`);
    for (const text of many) store.putSync(text);
    const streamedBefore = counted.streamed();
    assert.deepEqual(drain(store), many, "oldest first, each once");
    assert.ok(counted.streamed() > streamedBefore, "a large new/ is streamed");

    store.putSync("after");
    assert.deepEqual(drain(store), ["after"]);
  });
});

test("a consumer keeps every name of a listing only where the adapter reads directories whole", async () => {
  await withTempDir(async (dir) => {
    const path = join(dir, "store");
    const base = new FileStore(path).adapter;
    const whole = new FileStore(path, { adapter: { ...base, readsDirWhole: true } });
    const streaming = new FileStore(path, { adapter: { ...base, readsDirWhole: false } });
    assert.equal(new ClaimQueue(whole).window, Number.POSITIVE_INFINITY);
    assert.equal(new ClaimQueue(streaming).window, CLAIM_WINDOW);

    // Both drain the same backlog, oldest first, each item once.
    whole.prepareSync();
    const texts = Array.from({ length: 300 }, (_, i) => `item ${String(i).padStart(3, "0")}`);
    for (const text of texts.slice(0, 150)) await whole.put(text);
    for (const text of texts.slice(150)) await streaming.put(text);
    const seen: string[] = [];
    for (const store of [whole, streaming]) {
      for (let i = 0; i < 150; i++) {
        const claim = await store.next();
        assert.ok(claim, `item ${i} of a store claimed`);
        seen.push(new TextDecoder().decode(await store.read(claim)));
        await store.ack(claim);
      }
    }
    assert.deepEqual(seen, texts);
  });
});
