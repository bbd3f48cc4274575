"""What poison and junk cost the collector (run on demand, not collected by pytest)::

    python3 benchmarks/bench_poison.py                # 100,000-message ingest rounds, 5-minute floods
    python3 benchmarks/bench_poison.py --quick        # 30,000 messages, 30-second floods

Two figures, each a ratio measured in one run against mosquitto on a free loopback port:

* ingest: the same backlog of N telemetry messages drained by the collector, clean and with one
  poison message in every 1,000 (a time in year 1, a 21-digit seq, a unit that is a spreadsheet
  formula, broken JSON, a seq jump of 2**40, all of which must be stored flagged or quarantined).
  Target: poisoned rate >= 0.95 x clean rate. Rounds alternate so drift hits both alike.
* flood: a collector process while a publisher sends, for ``--seconds``, (a) junk at the broker's
  message size limit, or (b) normal readings at the same message rate. Reported: the collector's
  peak RSS (with its writer child) and the portfolio's growth (after a WAL checkpoint), each as
  junk / clean. Quarantine keeps 4 KiB of each refused payload and summarises a flooding topic, so
  junk must cost far less disk than its volume.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

from bench_collector import client, make_session, tree_rss_kb  # noqa: E402

from makerkit.collector import Collector  # noqa: E402
from tests.support.brokers import Mosquitto  # noqa: E402

KITS = 20
CONF = os.path.join(os.path.dirname(HERE), "conf", "mosquitto-classroom.conf")
POISON = [
    lambda seq: json.dumps({"v": 1, "seq": seq, "boot": 1, "uptime_ms": 10, "time": "0001-01-01T00:00:00+01:00",
                            "readings": {"t": 1.0}}),
    lambda seq: json.dumps({"v": 1, "seq": 10 ** 20, "boot": 1, "uptime_ms": 10, "readings": {"t": 1.0}}),
    lambda seq: json.dumps({"v": 1, "seq": seq, "boot": 1, "uptime_ms": 10, "readings": {"t": 1.0},
                            "units": {"t": '=HYPERLINK("x")'}}),
    lambda seq: "{not json",
    lambda seq: json.dumps({"v": 1, "seq": 2 ** 40 + seq, "boot": 1, "uptime_ms": 10, "readings": {"t": 1.0}}),
]


def size_limit() -> int:
    """The shipped mosquitto configuration's message_size_limit (bytes)."""
    with open(CONF, encoding="utf-8") as fh:
        found = re.search(r"^message_size_limit\s+(\d+)", fh.read(), re.M)
    return int(found.group(1)) if found else 4096


def publish_backlog(port, n, prefix, poison_every=0):
    pub = client(port, f"{prefix}-pub-{time.monotonic_ns()}")
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    infos = []
    for i in range(n):
        seq, kit = 1 + i // KITS, i % KITS
        if poison_every and i % poison_every == poison_every - 1:
            payload, kit = POISON[(i // poison_every) % len(POISON)](seq), KITS + (i // poison_every) % 7
        else:
            payload = json.dumps({"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq * 10,
                                  "readings": {"temperature": 20.5, "humidity": 41.0}})
        infos.append(pub.publish(f"makerkit/v1/{prefix}/kit-{kit:02d}/telemetry", payload, qos=1))
        if len(infos) > 5000:
            infos.pop(0).wait_for_publish(30)
    for info in infos:
        info.wait_for_publish(60)
    pub.disconnect()
    pub.loop_stop()


def drain(port, cid, db, n):
    """Messages per second until all ``n`` are handled: stored (flagged or not) or quarantined."""
    col = Collector(f"mqtt://127.0.0.1:{port}", db, collector_id=cid, stats_interval=1.0, writer="process")
    t0 = time.monotonic()
    col.start()
    st = col.stats
    while st.stored + st.quarantined + st.duplicates < n and time.monotonic() - t0 < 600:
        time.sleep(0.01)
    elapsed = time.monotonic() - t0
    col.stop()
    return n / elapsed


def ingest(port, tmp, n, rounds):
    rates = {"clean": [], "poisoned": []}
    for r in range(rounds):
        for kind in ("clean", "poisoned") if r % 2 == 0 else ("poisoned", "clean"):
            cid, prefix = f"bench-{kind}-{r}", f"p{r}{kind[0]}"
            make_session(port, cid, f"makerkit/v1/{prefix}/+/+")
            publish_backlog(port, n, prefix, 1000 if kind == "poisoned" else 0)
            rates[kind].append(drain(port, cid, f"sqlite:///{tmp}/{cid}.db", n))
            print(f"  round {r + 1} {kind:8s} {rates[kind][-1]:9,.0f} msg/s", flush=True)
    clean, poisoned = statistics.median(rates["clean"]), statistics.median(rates["poisoned"])
    print(f"ingest: clean {clean:,.0f} msg/s, one poison per 1,000 {poisoned:,.0f} msg/s: "
          f"ratio {poisoned / clean:.3f} (target >= 0.95)")


FLOODER = r"""
import json, os, sys, time
import paho.mqtt.client as paho
port, seconds, rate, size, junk = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5] == "junk"
c = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
c.max_inflight_messages_set(1000)
c.connect("127.0.0.1", port)
c.loop_start()
t0, i, infos = time.monotonic(), 0, []
while time.monotonic() - t0 < seconds:
    kit = i % 20
    if junk:
        payload = os.urandom(size)
    else:
        payload = json.dumps({"v": 1, "seq": i // 20 + 1, "boot": 1, "uptime_ms": i, "readings": {"t": 20.5}})
    infos.append(c.publish(f"makerkit/v1/flood/kit-{kit:02d}/telemetry", payload, qos=1))
    i += 1
    if len(infos) > 500:
        infos.pop(0).wait_for_publish(30)
    delay = t0 + i / rate - time.monotonic()
    if delay > 0:
        time.sleep(delay)
for info in infos:
    info.wait_for_publish(30)
print(i)
"""


def flood(tmp, seconds, rate):
    limit = size_limit()
    results = {}
    for kind in ("clean", "junk"):
        broker = Mosquitto(os.path.join(tmp, f"broker-{kind}"), extra=f"message_size_limit {limit}").start()
        path = os.path.join(tmp, f"flood-{kind}.db")
        log = open(os.path.join(tmp, f"collector-{kind}.log"), "ab")
        col = subprocess.Popen([sys.executable, "-m", "makerkit", "collect", "--broker", broker.url, "--db",
                                f"sqlite:///{path}", "--id", f"flood-{kind}", "--quiet"], stdout=log, stderr=log)
        time.sleep(2.0)
        size0 = os.path.getsize(path) if os.path.exists(path) else 0
        pub = subprocess.Popen([sys.executable, "-c", FLOODER, str(broker.port), str(seconds), str(rate), str(limit),
                                kind], stdout=subprocess.PIPE, text=True)
        peak = 0
        while pub.poll() is None:
            peak = max(peak, tree_rss_kb(col.pid))
            time.sleep(0.5)
        sent = int(pub.stdout.read().strip() or 0)
        time.sleep(3.0)                                    # the collector drains what is left
        peak = max(peak, tree_rss_kb(col.pid))
        col.terminate()
        col.wait(30)
        broker.close()
        con = sqlite3.connect(path)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        grown = os.path.getsize(path) - size0
        results[kind] = (peak, grown, sent)
        print(f"  {kind:5s}: {sent:,} messages ({sent * (limit if kind == 'junk' else 80) / 1e6:,.0f} MB sent), "
              f"collector peak RSS {peak / 1024:.0f} MB, portfolio grew {grown / 1e6:.2f} MB", flush=True)
    (rc, gc, _), (rj, gj, _) = results["clean"], results["junk"]
    print(f"flood at {limit:,}-byte messages: RSS junk/clean {rj / rc:.2f}, portfolio growth junk/clean "
          f"{gj / max(gc, 1):.2f}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("-n", type=int, default=None, help="messages per ingest round")
    ap.add_argument("--seconds", type=float, default=None, help="length of each flood")
    ap.add_argument("--rate", type=float, default=300.0, help="flood messages per second")
    ap.add_argument("--only", choices=["ingest", "flood"], default=None)
    args = ap.parse_args()
    n = args.n or (30_000 if args.quick else 100_000)
    seconds = args.seconds or (30.0 if args.quick else 300.0)
    with tempfile.TemporaryDirectory(prefix="mk-bench-poison-") as tmp:
        if args.only in (None, "ingest"):
            broker = Mosquitto(os.path.join(tmp, "broker")).start()
            try:
                ingest(broker.port, tmp, n, 2 if args.quick else 4)
            finally:
                broker.close()
        if args.only in (None, "flood"):
            flood(tmp, seconds, args.rate)


if __name__ == "__main__":
    main()
