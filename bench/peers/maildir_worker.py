"""Python's mailbox.Maildir doing the benchmark's full cycle: add COUNT
items, then list the keys and get_bytes and remove each one. add() fsyncs
the file (not new/); SYNC=0 turns that fsync off.

Usage: python3 maildir_worker.py DIR SIZE COUNT SYNC   (prints one line of JSON)
"""
import json
import mailbox
import os
import sys
import time

directory, size, count, sync = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
if not sync:
    # add() closes its tmp file through this helper, which fsyncs first.
    mailbox._sync_close = lambda f: f.close()
payload = b"x" * size
# Maildir() creates tmp/, new/ and cur/ only along with the directory itself.
box = mailbox.Maildir(os.path.join(directory, "maildir"), create=True)
t0 = time.monotonic()
for _ in range(count):
    box.add(payload)
t1 = time.monotonic()
taken = 0
for key in box.keys():
    data = box.get_bytes(key)
    box.remove(key)
    taken += 1
t2 = time.monotonic()
if taken != count:
    sys.exit(f"maildir_worker: drained {taken} of {count} items")
print(json.dumps({"items": count, "put": t1 - t0, "drain": t2 - t1}))
