/**
 * A short demonstration: a store in a temp directory, a few items put and
 * claimed. (The multi-process demo replaces this.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStore } from "../mod.ts";

const dir = mkdtempSync(join(tmpdir(), "filestore-demo-"));
try {
  const store = new FileStore(dir);
  await store.prepare();
  for (let i = 0; i < 5; i++) await store.put(`item ${i}`);
  for (let claim; (claim = await store.next());) {
    console.log(`claimed ${claim.name}: ${new TextDecoder().decode(await store.read(claim))}`);
    await store.ack(claim);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
