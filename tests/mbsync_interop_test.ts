// Interoperability with the real mbsync (isync 1.4) in its default `AltMap no`:
// it keeps IMAP UIDs in the names of its Maildir side, appending `,U=<uid>` to
// the base (`new/KEY` -> `new/KEY,U=1`, `cur/KEY,C=...:2,` -> `cur/KEY,C=...,U=1:2,`).
// Such fields are not part of the key, and a claim is its key plus its claim
// token, so keys, reads and claims survive mbsync. The far side is a Dovecot
// run through mbsync's Tunnel (tests/_mail_tools.ts). Each test starts many
// processes, so they run once, from the Node run of the suite.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { type Claim, FileStore } from "../mod.ts";
import { onceAcrossRuntimes, waitFor, withTempDir } from "./_helpers.ts";
import { mail, type MailSync, mailSync, mbsyncMissing } from "./_mail_tools.ts";

const skip = onceAcrossRuntimes || mbsyncMissing;
const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

/** A prepared store that mbsync syncs with a fresh Dovecot mailbox. */
function withSyncedStore(body: (store: FileStore, mbsync: MailSync) => Promise<void>): Promise<void> {
  return withTempDir(async (top) => {
    const mbsync = mailSync(top);
    const store = new FileStore(mbsync.store, { areas: ["failed"] });
    await store.prepare();
    await body(store, mbsync);
  });
}

/** The names in an area, sorted. */
function names(store: FileStore, area: string): string[] {
  return readdirSync(store.areaPath(area)).sort();
}

test("an item mbsync renamed to KEY,U=n in new/ keeps its key for flags, read, claim and next", { skip }, async () => {
  await withSyncedStore(async (store, mbsync) => {
    const first = await store.put(mail("first"));
    const second = await store.put(mail("second"));
    await mbsync.sync();
    // What mbsync does: the UID it gave each message, appended to the base.
    assert.deepEqual(names(store, "new"), [`${first.name},U=1`, `${second.name},U=2`].sort());
    assert.deepEqual(mbsync.far().map((m) => m.subject), ["first", "second"]);

    assert.equal(await store.flags(first.name), "");
    assert.equal(await store.flags(first.name, "new"), "");
    assert.equal(text(await store.read(first.name, "new")), mail("first"));
    assert.equal(text(await store.read(second.name, "new")), mail("second"));
    assert.equal((await store.stats()).areas.new.count, 2, "mbsync's dot files at the top are not items");

    const claimed = await store.claim(first.name);
    assert.ok(claimed, "claim(KEY) finds new/KEY,U=1");
    assert.equal(claimed.key, first.name);
    assert.equal(text(await store.read(claimed)), mail("first"));
    const next = await store.next();
    assert.ok(next, "next() hands out new/KEY,U=2");
    assert.equal(next.key, second.name);
    assert.equal(text(await store.read(next)), mail("second"));
    assert.equal(await store.next(), null);

    // The claims keep the UIDs mbsync gave: to mbsync they are the same messages, not new ones.
    await mbsync.sync();
    assert.deepEqual(mbsync.far().map((m) => m.subject), ["first", "second"], "no message uploaded twice");
    await store.ack(claimed);
    await store.ack(next);
    await mbsync.sync();
    assert.deepEqual(mbsync.far(), [], "mbsync expunges what the store acknowledged");
    assert.deepEqual([...names(store, "new"), ...names(store, "cur")], []);
  });
});

test("a claim stays held while mbsync renames it in cur/: touch, read, flags, recover, ack", { skip }, async () => {
  await withSyncedStore(async (store, mbsync) => {
    const item = await store.put(mail("held"));
    const claim = await store.claim(item.name);
    assert.ok(claim);
    const claimedName = names(store, "cur")[0];
    assert.match(claimedName, /,C=[^,:]+:2,$/);
    await mbsync.sync();
    // What mbsync does: the UID goes after the claim token, before the info part.
    assert.deepEqual(names(store, "cur"), [claimedName.replace(/:2,$/, ",U=1:2,")]);

    await store.touch(claim);
    assert.equal(text(await store.read(claim)), mail("held"));
    assert.equal(await store.flags(claim), "");

    // A flag set on the IMAP side comes back as a rename of the claimed file.
    mbsync.doveadm(["flags", "add", "\\Seen", "mailbox", "INBOX", "uid", "1"]);
    await mbsync.sync();
    assert.deepEqual(names(store, "cur"), [claimedName.replace(/:2,$/, ",U=1:2,S")]);
    assert.equal(await store.flags(claim), "S");
    await store.touch(claim);

    // Its holder (this process) is alive: recover() keeps it however short olderThan is.
    const path = join(store.areaPath("cur"), names(store, "cur")[0]);
    const touchedAt = statSync(path).mtimeMs;
    await waitFor(() => Date.now() > touchedAt + 5, "the lease to be older than olderThan");
    assert.deepEqual(await store.recover({ olderThan: 1 }), []);
    assert.equal(await store.next(), null, "the held item is not handed out again");

    await store.ack(claim);
    assert.deepEqual([...names(store, "new"), ...names(store, "cur")], []);
    await mbsync.sync();
    assert.deepEqual(mbsync.far(), []);
  });
});

test("consume() handlers running across mbsync runs are not aborted and handle each item once", { skip }, async () => {
  await withSyncedStore(async (store, mbsync) => {
    const subjects = ["c1", "c2", "c3", "c4"];
    for (const subject of subjects) await store.put(mail(subject));
    // mbsync runs over and over while the items are handled.
    let syncing = true;
    const runs: { startedAt: number; endedAt: number }[] = [];
    const syncLoop = (async () => {
      while (syncing) runs.push(await mbsync.sync());
    })();
    const handled: string[] = [];
    let aborted = 0;
    try {
      const summary = await store.consume(async (item) => {
        const body = await item.text();
        const claimedAt = Date.now();
        // Hold the claim across a whole mbsync run that started after it was claimed, then
        // until consume() renewed the lease of the file under the name mbsync gave it.
        await waitFor(
          () => item.signal.aborted || runs.some((run) => run.startedAt > claimedAt),
          "an mbsync run over the claim",
        );
        const renamed = () =>
          names(store, "cur").find((name) => name.startsWith(`${item.key},`) && /,U=\d+/.test(name));
        await waitFor(
          () => {
            if (item.signal.aborted) return true;
            const name = renamed();
            return name !== undefined && statSync(join(store.areaPath("cur"), name)).mtimeMs > runs.at(-1)!.endedAt;
          },
          "consume() to touch the claim under mbsync's name",
        );
        if (item.signal.aborted) {
          aborted++;
          throw item.signal.reason;
        }
        handled.push(body);
      }, { concurrency: 2, lease: 300, untilEmpty: true });
      assert.equal(aborted, 0, "no handler was aborted");
      assert.deepEqual(summary, { handled: 4, failed: 0, retried: 0, lost: 0 });
    } finally {
      syncing = false;
      await syncLoop;
    }
    assert.deepEqual(handled.sort(), subjects.map(mail));
    assert.deepEqual([...names(store, "new"), ...names(store, "cur"), ...names(store, "failed")], []);
    assert.deepEqual(await store.recover({ olderThan: 1 }), []);
    await mbsync.sync();
    assert.deepEqual(mbsync.far(), [], "every message uploaded was expunged, none twice");
  });
});

test("mbsync's flag changes, moves to cur/ and pulled mail keep the store consistent", { skip }, async () => {
  await withSyncedStore(async (store, mbsync) => {
    const read = await store.put(mail("read"));
    const flagged = await store.put(mail("flagged"));
    const kept = await store.put(mail("kept"));
    await mbsync.sync();

    // Flags set on the IMAP side: mbsync moves the file from new/ to cur/, even for \Flagged alone.
    mbsync.doveadm(["flags", "add", "\\Seen", "mailbox", "INBOX", "uid", "1"]);
    mbsync.doveadm(["flags", "add", "\\Flagged", "mailbox", "INBOX", "uid", "2"]);
    await mbsync.sync();
    assert.deepEqual(names(store, "cur"), [`${read.name},U=1:2,S`, `${flagged.name},U=2:2,F`].sort());
    assert.deepEqual(names(store, "new"), [`${kept.name},U=3`]);
    assert.equal(await store.flags(read.name), "S");
    assert.equal(await store.flags(flagged.name), "F");
    // Files in cur/ without a claim token are a mail reader's: never handed out or recovered.
    assert.deepEqual(await store.recover({ olderThan: 1 }), []);
    const stats = await store.stats();
    assert.equal(stats.areas.new.count, 1);
    assert.equal(stats.areas.cur.count, 2);

    // Flags set by the store in new/ keep the UID: mbsync carries them over to the same message.
    await store.addFlags(kept.name, "F");
    assert.deepEqual(names(store, "new"), [`${kept.name},U=3:2,F`]);
    await mbsync.sync();
    assert.match(mbsync.far().find((m) => m.subject === "kept")!.flags, /\\Flagged/);
    assert.equal(mbsync.far().length, 3, "no message uploaded twice");

    // A claim handed back with release() keeps its UID too.
    const claim = await store.next();
    assert.ok(claim);
    assert.equal(claim.key, kept.name);
    const released = await store.release(claim);
    assert.match(released.name, /,U=3(?=[,:]|$)/);
    await mbsync.sync();
    assert.equal(mbsync.far().length, 3, "a released item is not a new message to mbsync");

    // Mail mbsync pulls from IMAP lands in new/ as BASE,U=n:2,; its key is BASE.
    mbsync.doveadm(["save", "-m", "INBOX"], mail("pulled"));
    await mbsync.sync();
    const pulledName = names(store, "new").find((name) => name.includes(",U=4"));
    assert.ok(pulledName, `mbsync pulled the message into new/: ${JSON.stringify(names(store, "new"))}`);
    assert.match(pulledName, /^[^,:]+,U=4:2,$/);
    const taken: Claim[] = [];
    for (let next; (next = await store.next());) taken.push(next);
    assert.deepEqual(taken.map((c) => c.key).sort(), [kept.name, pulledName.slice(0, pulledName.indexOf(","))].sort());
    const pulled = taken.find((c) => c.key !== kept.name)!;
    // mbsync adds an X-TUID header to the copies it makes.
    assert.match(text(await store.read(pulled)), /^Subject: pulled\nX-TUID: \S+\n/m);
    for (const c of taken) await store.ack(c);
    await mbsync.sync();
    assert.deepEqual(mbsync.far().map((m) => m.subject), ["read", "flagged"]);
    // What mbsync left at the top of the store is not an item.
    assert.ok(readdirSync(mbsync.store).some((name) => name.startsWith(".mbsyncstate")));
    assert.ok(readFileSync(join(mbsync.store, ".uidvalidity"), "utf8").length > 0);
    assert.equal((await store.stats()).areas.new.count, 0);
  });
});

test(
  "a store with infoSeparator ';' and mbsync with InfoDelimiter ';' agree on keys, flags and claims",
  { skip },
  async () => {
    await withTempDir(async (top) => {
      const mbsync = mailSync(top, { infoDelimiter: ";" });
      const store = new FileStore(mbsync.store, { infoSeparator: ";" });
      await store.prepare();
      const first = await store.put(mail("first"));
      const second = await store.put(mail("second"));
      await mbsync.sync();
      assert.deepEqual(names(store, "new"), [`${first.name},U=1`, `${second.name},U=2`].sort());
      const claim = await store.claim(second.name);
      assert.ok(claim);
      assert.match(claim.name, /;2,$/);
      // Flags set on the IMAP side: mbsync writes them after ';' on both files.
      mbsync.doveadm(["flags", "add", "\\Seen", "mailbox", "INBOX", "all"]);
      await mbsync.sync();
      const all = [...names(store, "new"), ...names(store, "cur")];
      assert.ok(all.every((name) => !name.includes(":")), `no ':' in ${JSON.stringify(all)}`);
      assert.equal(await store.flags(first.name), "S", "mbsync's ';2,S' is read as the flags");
      await store.touch(claim);
      assert.equal(await store.flags(claim), "S");
      assert.equal(text(await store.read(claim)), mail("second"));
      await store.ack(claim);
      assert.deepEqual(mbsync.far().map((m) => m.subject), ["first", "second"]);
      await mbsync.sync();
      assert.deepEqual(mbsync.far().map((m) => m.subject), ["first"], "mbsync expunges what the store acknowledged");
    });
  },
);
