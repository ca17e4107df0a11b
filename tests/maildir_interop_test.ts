// Interoperability with real Maildir programs from Debian packages: Python's
// mailbox, mblaze, safecat, maildrop's deliverquota and Dovecot's doveadm.
// Each test skips with a message when its program is not installed
// (scripts/debian_packages.txt lists them; scripts/install_system_deps.sh installs them).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { baseOf, type Claim, FileStore, flagsOf } from "../mod.ts";
import { onceAcrossRuntimes, withStore, withTempDir } from "./_helpers.ts";

const encoder = new TextEncoder();

function run(command: string, args: string[], options: { input?: string | Uint8Array; env?: string[] } = {}): string {
  const result = spawnSync(options.env ? "env" : command, options.env ? [...options.env, command, ...args] : args, {
    input: options.input,
    encoding: "utf8",
    timeout: 30_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} exited with ${result.status}: ${result.stderr}`);
  }
  return result.stdout;
}

function installed(command: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${command}`], { encoding: "utf8" }).status === 0;
}

/** A skip reason when a program is missing, else false. */
function needs(pkg: string, ...commands: string[]): string | false {
  const missing = commands.filter((command) => !installed(command));
  return missing.length === 0 ? false : `needs ${missing.join(", ")} (Debian package ${pkg}), which is not installed`;
}

const pythonMissing = spawnSync("python3", ["-c", "import mailbox"]).status === 0
  ? false
  : "needs python3 with the mailbox module, which is not installed";

/** The files of a store's new/ and cur/ as key -> { bytes, flags, area }. */
function onDisk(dir: string): Map<string, { bytes: Uint8Array; flags: string; area: string }> {
  const files = new Map<string, { bytes: Uint8Array; flags: string; area: string }>();
  for (const area of ["new", "cur"]) {
    for (const name of readdirSync(join(dir, area))) {
      files.set(baseOf(name), { bytes: readFileSync(join(dir, area, name)), flags: flagsOf(name), area });
    }
  }
  return files;
}

function mail(subject: string, body = "Hello.\n"): string {
  return `From: sender@example.org\nTo: rcpt@example.org\nSubject: ${subject}\n\n${body}`;
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

const PYTHON_READ = `
import json, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
out = {}
for key in box.keys():
    out[key] = {"hex": box.get_bytes(key).hex(), "flags": box.get_message(key).get_flags(),
                "area": box.get_message(key).get_subdir()}
print(json.dumps(out))
`;

test("Python's mailbox.Maildir reads every item the library put, bytes and flags equal", {
  skip: pythonMissing,
}, async () => {
  await withStore(async (store, dir) => {
    await store.put(encoder.encode(mail("plain") + "8-bit: \u00e9\u00fc\n"), { sync: false });
    const flagged = await store.put(mail("flagged"), { sync: false });
    await store.setFlags(flagged.name, "SFa");
    await store.put(mail("claimed"), { name: "a-claimed-item", sync: false });
    const claim = await store.claim("a-claimed-item");
    assert.ok(claim);
    await store.addFlags(claim, "R");
    await store.put(mail("released"), { name: "b-released-item", sync: false });
    const second = await store.claim("b-released-item");
    assert.ok(second);
    await store.release(second);

    const expected = onDisk(dir);
    assert.equal(expected.size, 4);
    const seen = JSON.parse(run("python3", ["-c", PYTHON_READ, dir])) as Record<
      string,
      { hex: string; flags: string; area: string }
    >;
    assert.deepEqual(Object.keys(seen).sort(), [...expected.keys()].sort());
    for (const [key, file] of expected) {
      assert.equal(seen[key].hex, hex(file.bytes), `bytes of ${key}`);
      assert.equal(seen[key].flags, file.flags, `flags of ${key}`);
      assert.equal(seen[key].area, file.area, `area of ${key}`);
    }
    assert.equal(seen[baseOf(flagged.name)].flags, "FSa");
    assert.equal(seen[baseOf(claim.name)].flags, "R");
  });
});

const PYTHON_ADD = `
import json, mailbox, sys
box = mailbox.Maildir(sys.argv[1], factory=None, create=False)
keys = {}
keys["plain"] = box.add(b"Subject: plain\\n\\nfrom python\\n")
seen = mailbox.MaildirMessage(b"Subject: seen\\n\\nfrom python\\n")
seen.set_flags("S")
keys["seen"] = box.add(seen)
read = mailbox.MaildirMessage(b"Subject: read\\n\\nfrom python\\n")
read.set_subdir("cur")
read.set_flags("RS")
keys["read"] = box.add(read)
print(json.dumps(keys))
`;

test("the library reads and claims items Python's mailbox.Maildir added", { skip: pythonMissing }, async () => {
  await withStore(async (store, dir) => {
    const keys = JSON.parse(run("python3", ["-c", PYTHON_ADD, dir])) as Record<string, string>;
    const claimed = new Map<string, string>();
    for (let claim; (claim = await store.next());) {
      claimed.set(claim.key, text(await store.read(claim)));
      assert.equal(await store.flags(claim), claim.key === keys.seen ? "S" : "");
      await store.ack(claim);
    }
    assert.deepEqual([...claimed.keys()].sort(), [keys.plain, keys.seen].sort());
    assert.equal(claimed.get(keys.plain), "Subject: plain\n\nfrom python\n");
    assert.equal(text(await store.read(keys.read, "cur")), "Subject: read\n\nfrom python\n");
    assert.equal(await store.flags(keys.read), "RS");
    await store.addFlags(keys.read, "T");
    const left = JSON.parse(run("python3", ["-c", PYTHON_READ, dir])) as Record<string, { flags: string }>;
    assert.deepEqual(Object.keys(left), [keys.read], "Python sees the acknowledged items gone");
    assert.equal(left[keys.read].flags, "RST");
  });
});

test("mblaze: mdeliver writes, the library reads; the library writes, mlist and mflag read and flag", {
  skip: needs("mblaze", "mdeliver", "mlist", "mflag"),
}, async () => {
  await withStore(async (store, dir) => {
    const delivered = run("mdeliver", ["-v", dir], { input: mail("from mdeliver") }).trim();
    assert.match(delivered, /\/new\/[^/]+:2,$/, "mdeliver puts an info part on files in new/");
    run("mdeliver", ["-X", "F", dir], { input: mail("flagged by mdeliver") });
    const got = new Map<string, string>();
    for (let claim; (claim = await store.next());) {
      got.set(text(await store.read(claim)), await store.flags(claim));
      await store.ack(claim);
    }
    assert.deepEqual(got, new Map([[mail("from mdeliver"), ""], [mail("flagged by mdeliver"), "F"]]));

    const put = await store.putMany([mail("one"), mail("two"), mail("three")], { sync: false });
    await store.setFlags(put[0].name, "F");
    const claim = await store.claim(put[2].name);
    assert.ok(claim);
    const listed = run("mlist", [dir]).trim().split("\n").sort();
    assert.deepEqual(listed, [`${put[0].path}:2,F`, put[1].path, claim.path].sort(), "mlist sees new/ and cur/");
    assert.deepEqual(run("mlist", ["-F", dir]).trim().split("\n"), [`${put[0].path}:2,F`], "mlist -F: flagged");
    run("mflag", ["-S", ...listed]);
    assert.equal(await store.flags(put[0].name), "FS");
    assert.equal(await store.flags(put[1].name), "", "mflag leaves a name without info part alone");
    assert.equal(await store.flags(claim), "S", "mflag renamed the claimed file");
    await store.ack(claim); // the claim survives a mail reader's rename
    assert.equal(run("mlist", ["-s", dir]).trim(), put[1].path, "mlist -s: only that one is unseen");
  });
});

test("safecat and maildrop's deliverquota deliveries are read and claimed", {
  skip: needs("safecat", "safecat") || needs("maildrop", "deliverquota"),
}, async () => {
  await withStore(async (store, dir) => {
    const name = run("safecat", [join(dir, "tmp"), join(dir, "new")], { input: mail("from safecat") }).trim();
    run("deliverquota", [dir], { input: mail("from deliverquota", "x".repeat(100) + "\n") });
    const fromSafecat = await store.claim(name);
    assert.ok(fromSafecat, `claims safecat's ${name}`);
    assert.equal(text(await store.read(fromSafecat)), mail("from safecat"));
    await store.ack(fromSafecat);
    const fromMaildrop = await store.next();
    assert.ok(fromMaildrop);
    const size = /,S=(\d+)/.exec(fromMaildrop.key)?.[1];
    assert.equal(Number(size), mail("from deliverquota", "x".repeat(100) + "\n").length, "the key keeps ,S=");
    assert.equal(text(await store.read(fromMaildrop)), mail("from deliverquota", "x".repeat(100) + "\n"));
    await store.ack(fromMaildrop);
    assert.equal(await store.next(), null);
  });
});

const dovecotMissing = needs("dovecot-core", "doveadm", "runuser") ||
  (process.getuid?.() === 0 ? false : "needs root to run doveadm as nobody");

test("Dovecot's doveadm save, fetch and flags work on a store the library wrote", {
  skip: onceAcrossRuntimes || dovecotMissing,
}, async () => {
  await withTempDir(async (top) => {
    chmodSync(top, 0o755);
    const dir = join(top, "Maildir");
    const store = new FileStore(dir, { sync: false });
    await store.prepare();
    const config = join(top, "dovecot.conf");
    writeFileSync(config, `mail_location = maildir:${dir}\nssl = no\nlog_path = /dev/stderr\n`, { mode: 0o644 });
    // doveadm refuses to run as root with a user's mail: run it as nobody, owning the store.
    const doveadm = (args: string[], input?: string) => {
      run("chown", ["-R", "nobody", dir]);
      return run("runuser", ["-u", "nobody", "--", "doveadm", "-c", config, ...args], {
        env: [`HOME=${top}`, "USER=nobody"],
        input,
      });
    };
    const fetch = () =>
      new Map(
        (JSON.parse(doveadm(["-f", "json", "fetch", "guid flags text", "mailbox", "INBOX", "all"])) as {
          guid: string;
          flags: string;
          text: string;
        }[]).map((m) => [m.guid, m]),
      );

    const plain = await store.put(mail("plain"));
    const flagged = await store.put(mail("flagged"));
    await store.setFlags(flagged.name, "F");
    await store.put(mail("claimed"), { name: "claimed-item" });
    const claim = await store.claim("claimed-item");
    assert.ok(claim);

    let seen = fetch();
    assert.equal(seen.size, 3);
    for (const [key, file] of onDisk(dir)) {
      assert.equal(seen.get(key)?.text, text(file.bytes), `Dovecot reads ${key}`);
    }
    assert.match(seen.get(baseOf(flagged.name))!.flags, /\\Flagged/);

    doveadm(["flags", "add", "\\Seen $Label1", "mailbox", "INBOX", "all"]);
    assert.equal(await store.flags(plain.name), "Sa");
    assert.equal(await store.flags(flagged.name), "FSa");
    assert.equal(await store.flags(claim), "Sa");
    assert.match(readFileSync(join(dir, "dovecot-keywords"), "utf8"), /^0 \$Label1$/m);
    await store.ack(claim); // the claim survives Dovecot's rename
    await store.removeFlags(plain.name, "S");
    seen = fetch();
    assert.equal(seen.size, 2);
    assert.doesNotMatch(seen.get(plain.name)!.flags, /\\Seen/, "Dovecot sees the library's flag change");

    doveadm(["save", "-m", "INBOX"], mail("saved by Dovecot"));
    const claims = new Map<string, Claim>();
    for (let next; (next = await store.next());) claims.set(text(await store.read(next)), next);
    assert.deepEqual([...claims.keys()].sort(), [mail("flagged"), mail("plain"), mail("saved by Dovecot")]);
    const saved = claims.get(mail("saved by Dovecot"))!;
    assert.match(saved.key, /,S=\d+,W=\d+$/, "Dovecot's size fields stay in the key");
    assert.equal(await store.flags(saved), "");
    await store.ack(saved);

    const stats = await store.stats();
    assert.equal(stats.areas.cur.count, 2, "Dovecot's index files are not counted");
    assert.equal(stats.areas.new.count, 0);
    assert.ok(readdirSync(dir).some((name) => name.startsWith("dovecot.index")));
  });
});
