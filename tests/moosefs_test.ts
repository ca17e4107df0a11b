// Exactly-once on a second shared file system: one MooseFS (a master and a
// chunkserver) mounted twice stands in for two machines sharing a store; the
// tests are the GlusterFS ones (tests/_shared_fs_suite.ts). Needs root and
// /dev/fuse (scripts/moosefs_env.sh sets it up and tears it down); elsewhere
// the tests skip.
import { after, before } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onceAcrossRuntimes } from "./_helpers.ts";
import { setUpEnvironment, tearDownEnvironment } from "./_shared_fs.ts";
import { sharedFileSystemTests, type TwoMounts } from "./_shared_fs_suite.ts";

let volume: TwoMounts | string = "MooseFS was not set up";

before(() => {
  if (onceAcrossRuntimes) return;
  const dir = mkdtempSync(join(tmpdir(), "filestore-moosefs-"));
  const environment = setUpEnvironment("moosefs_env.sh", dir);
  volume = typeof environment === "string"
    ? environment
    : { dir, mount1: environment.values.mount1, mount2: environment.values.mount2 };
});

after(() => {
  if (typeof volume !== "string") tearDownEnvironment("moosefs_env.sh", volume.dir);
});

// MooseFS keeps file times in whole seconds: a lease is as coarse.
sharedFileSystemTests("MooseFS", () => volume, { timeResolutionMs: 1000 });
