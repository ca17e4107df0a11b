// Exactly-once on a shared distributed file system: one GlusterFS volume
// mounted twice stands in for two machines sharing a store (the tests are in
// tests/_shared_fs_suite.ts). Needs root and /dev/fuse (scripts/gluster_env.sh
// sets the volume up and tears it down); elsewhere the tests skip.
import { after, before } from "node:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { onceAcrossRuntimes } from "./_helpers.ts";
import { setUpEnvironment, tearDownEnvironment } from "./_shared_fs.ts";
import { sharedFileSystemTests, type TwoMounts } from "./_shared_fs_suite.ts";

let volume: TwoMounts | string = "GlusterFS was not set up";

before(() => {
  if (onceAcrossRuntimes) return;
  const dir = mkdtempSync(join(tmpdir(), "filestore-gluster-"));
  const environment = setUpEnvironment("gluster_env.sh", dir);
  volume = typeof environment === "string"
    ? environment
    : { dir, mount1: environment.values.mount1, mount2: environment.values.mount2 };
});

after(() => {
  if (typeof volume !== "string") tearDownEnvironment("gluster_env.sh", volume.dir);
});

sharedFileSystemTests("GlusterFS", () => volume);
