// Modes of everything the store creates: 0600 files and 0700 directories by
// default, the configured ones otherwise, always under the process umask.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, rmdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { FileStore, type FileStoreOptions } from "../mod.ts";
import { withTempDir } from "./_helpers.ts";

// The umask, learned the portable way: make a directory asking for 0777
// (a file would not do: Deno's writeFileSync applies its mode with chmod).
function umaskOf(dir: string): number {
  const probe = join(dir, "umask-probe");
  mkdirSync(probe, { mode: 0o777 });
  const mode = statSync(probe).mode & 0o777;
  rmdirSync(probe);
  return 0o777 & ~mode;
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;
const octal = (mode: number) => `0${mode.toString(8)}`;

async function checkModes(options: FileStoreOptions): Promise<void> {
  await withTempDir(async (top) => {
    const umask = umaskOf(top);
    const fileMode = (options.fileMode ?? 0o600) & ~umask;
    const dirMode = (options.dirMode ?? 0o700) & ~umask;
    const dir = join(top, "parent", "child", "store");
    const store = new FileStore(dir, { ...options, areas: ["done", "archive"], sync: false });
    await store.prepare();

    const file = await store.create("by-hand");
    await file.write("x");
    await file.close();
    store.createSync("by-hand-sync").closeSync();
    await store.put("string");
    await store.put(new Uint8Array([1]), { name: "bytes" });
    await store.put((async function* () {
      yield new Uint8Array([2]);
    })());
    store.putSync("sync");
    await store.putMany(["many-1", { data: "many-2", name: "many-2" }]);
    store.putManySync(["many-sync"]);
    await store.copy("bytes", "new", "archive");
    store.copySync("by-hand", "tmp", "archive");
    await store.move("by-hand-sync", "tmp", "new");
    const claim = await store.claim("bytes");
    const other = store.nextSync();
    assert.ok(claim && other);
    await store.release(other);
    const third = await store.next();
    assert.ok(third);
    await store.ack(third, { to: "done" });

    for (const path of [join(top, "parent"), join(top, "parent", "child"), dir]) {
      assert.equal(octal(modeOf(path)), octal(dirMode), `directory ${path}`);
    }
    let files = 0;
    for (const area of store.areas) {
      assert.equal(octal(modeOf(join(dir, area))), octal(dirMode), `area ${area}/`);
      for (const name of readdirSync(join(dir, area))) {
        assert.equal(octal(modeOf(join(dir, area, name))), octal(fileMode), `${area}/${name}`);
        files++;
      }
    }
    assert.equal(files, 11, "every file was checked (tmp 1, new 6, cur 1, done 1, archive 2)");
  });
}

test("files are 0600 and directories 0700 by default (prepare, create, put, putMany, copy, claim)", async () => {
  await checkModes({});
});

test("custom fileMode and dirMode apply to everything, under the umask", async () => {
  await checkModes({ fileMode: 0o640, dirMode: 0o750 });
  await checkModes({ fileMode: 0o666, dirMode: 0o777 });
});

test("prepare() leaves the modes of existing directories alone", async () => {
  await withTempDir(async (top) => {
    const store = new FileStore(top);
    await store.prepare();
    const before = modeOf(top);
    await new FileStore(top, { dirMode: 0o755 }).prepare();
    assert.equal(modeOf(top), before);
    assert.equal(octal(modeOf(join(top, "new"))), octal(0o700 & ~umaskOf(top)));
  });
});
