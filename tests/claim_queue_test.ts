// The claim queue's listing of new/: read whole while new/ is small, streamed once it is not, the same order either way.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { FileStore, type FsAdapter } from "../mod.ts";
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
