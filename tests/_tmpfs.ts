// Small tmpfs mounts for the full-disk and read-only tests (root only).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";

function mount(args: string[]): void {
  execFileSync("mount", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function unmount(dir: string): void {
  execFileSync("umount", [dir], { stdio: ["ignore", "ignore", "pipe"] });
}

function probe(): string | false {
  if (process.getuid?.() !== 0) return "needs root to mount a tmpfs (run as root to test full and read-only disks)";
  const dir = mkdtempSync(join(tmpdir(), "filestore-probe-"));
  try {
    mount(["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    unmount(dir);
    return false;
  } catch (error) {
    return `cannot mount a tmpfs here (${String((error as Error).message).split("\n")[0]})`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `false` when tmpfs mounts work here, else the reason to skip. */
export const tmpfsSkip: string | false = probe();

/** A mounted tmpfs of `size` bytes, handed to `body` and always unmounted afterwards. */
export async function withTmpfs<T>(
  size: number,
  body: (dir: string, remount: (mode: "ro" | "rw") => void) => Promise<T>,
): Promise<T> {
  const base = mkdtempSync(join(tmpdir(), "filestore-tmpfs-"));
  const dir = join(base, "mnt");
  mkdirSync(dir);
  mount(["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]);
  try {
    return await body(dir, (mode) => mount(["-o", `remount,${mode}`, dir]));
  } finally {
    try {
      unmount(dir);
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  }
}
