// Real mail programs for the interop tests: mbsync (isync) syncing a store with a
// throwaway Dovecot reached through a Tunnel (a pipe, no network), and doveadm
// to look at and change Dovecot's side.
import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { start } from "./_helpers.ts";

function installed(path: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${path}`], { encoding: "utf8" }).status === 0;
}

const NOBODY = 65534;
const IMAP_BINARY = "/usr/lib/dovecot/imap";

/** Why the mbsync tests cannot run here, or false when they can. */
export const mbsyncMissing: string | false = (() => {
  const missing = [
    ["mbsync", "isync"],
    [IMAP_BINARY, "dovecot-imapd"],
    ["doveadm", "dovecot-core"],
    ["runuser", "util-linux"],
  ].filter(([command]) => !installed(command));
  if (missing.length > 0) {
    return `needs ${missing.map(([command, pkg]) => `${command} (Debian package ${pkg})`).join(", ")}, not installed`;
  }
  // Dovecot refuses mail access as root: it runs as nobody, which only root can switch to.
  return process.getuid?.() === 0 ? false : "needs root, to run Dovecot's imap as nobody";
})();

/** A message on Dovecot's (the far) side. */
export interface FarMessage {
  uid: number;
  flags: string;
  subject: string;
}

/** A store synced by mbsync with a Dovecot mailbox. */
export interface MailSync {
  /** The store's directory: mbsync's near side, a Maildir store with its default `AltMap no`. */
  store: string;
  /** Runs `mbsync` on the channel (extra arguments such as `--pull` first); throws if it fails. */
  sync(...args: string[]): Promise<{ startedAt: number; endedAt: number; stderr: string }>;
  /** Runs doveadm on Dovecot's side. */
  doveadm(args: string[], input?: string): string;
  /** Dovecot's messages, by UID. */
  far(): FarMessage[];
}

/**
 * Sets up Dovecot (mail in `top/imap`, owned by nobody) and an mbsync channel
 * whose near side is the Maildir `top/store`. The caller prepares the store.
 */
export function mailSync(top: string, options: { infoDelimiter?: ":" | ";" } = {}): MailSync {
  chmodSync(top, 0o755); // nobody must reach imap/
  const imap = join(top, "imap");
  const store = join(top, "store");
  mkdirSync(imap);
  chownSync(imap, NOBODY, NOBODY);
  const dovecotConf = join(top, "dovecot.conf");
  writeFileSync(dovecotConf, `mail_location = maildir:${imap}\nssl = no\nlog_path = /dev/null\n`, { mode: 0o644 });
  const asNobody = ["runuser", "-u", "nobody", "--", "env", "USER=nobody", `HOME=${top}`];
  const config = join(top, "mbsyncrc");
  // SyncState * (the default) keeps mbsync's state in dot files at the top of the store.
  writeFileSync(
    config,
    [
      "IMAPStore far",
      `Tunnel "${[...asNobody, IMAP_BINARY, "-c", dovecotConf].join(" ")}"`,
      "",
      "MaildirStore near",
      `Inbox ${store}`,
      ...(options.infoDelimiter ? [`InfoDelimiter ${options.infoDelimiter}`] : []),
      "",
      "Channel ch",
      "Far :far:",
      "Near :near:",
      "Create Both",
      "Expunge Both",
      "SyncState *",
      "",
    ].join("\n"),
  );
  const doveadm = (args: string[], input?: string): string => {
    const result = spawnSync(asNobody[0], [...asNobody.slice(1), "doveadm", "-c", dovecotConf, ...args], {
      input,
      encoding: "utf8",
      timeout: 30_000,
    });
    if (result.error) throw result.error;
    if (result.status !== 0) {
      throw new Error(`doveadm ${args.join(" ")} exited with ${result.status}: ${result.stderr}`);
    }
    return result.stdout;
  };
  return {
    store,
    async sync(...args) {
      const startedAt = Date.now();
      const result = await start(["mbsync", "-c", config, ...args, "ch"], { timeoutMs: 60_000 }).done;
      if (result.code !== 0) {
        throw new Error(`mbsync ${args.join(" ")} exited with ${result.code ?? result.signal}:\n${result.stderr}`);
      }
      return { startedAt, endedAt: Date.now(), stderr: result.stderr };
    },
    doveadm,
    far() {
      const rows = JSON.parse(doveadm(["-f", "json", "fetch", "uid flags hdr.subject", "mailbox", "INBOX", "all"])) as {
        uid: string;
        flags: string;
        "hdr.subject": string;
      }[];
      return rows.map((row) => ({ uid: Number(row.uid), flags: row.flags, subject: row["hdr.subject"] }))
        .sort((a, b) => a.uid - b.uid);
    },
  };
}

/** A small mail message: mbsync skips files without a header. */
export function mail(subject: string): string {
  return `From: sender@example.org\nTo: rcpt@example.org\nSubject: ${subject}\n\nHello.\n`;
}
