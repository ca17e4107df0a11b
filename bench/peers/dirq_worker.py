"""dirq QueueSimple doing the benchmark's full cycle: add COUNT items, then
iterate the queue, lock, get and remove each one. dirq never fsyncs.

Usage: python3 dirq_worker.py DIR SIZE COUNT   (prints one line of JSON)
"""
import json
import sys
import time

from dirq.QueueSimple import QueueSimple

directory, size, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
payload = b"x" * size
queue = QueueSimple(directory)
t0 = time.monotonic()
for _ in range(count):
    queue.add(payload)
t1 = time.monotonic()
taken = 0
for name in queue:
    if queue.lock(name):
        data = queue.get(name)
        queue.remove(name)
        taken += 1
t2 = time.monotonic()
if taken != count:
    sys.exit(f"dirq_worker: drained {taken} of {count} items")
print(json.dumps({"items": count, "put": t1 - t0, "drain": t2 - t1}))
