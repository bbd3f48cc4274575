"""Collector figures on this machine (run on demand, not collected by pytest)::

    python3 benchmarks/bench_collector.py                   # 200,000-message ingest, latency, 1,000,000 backlog
    python3 benchmarks/bench_collector.py --quick           # 50,000 / 100,000: a minute
    python3 benchmarks/bench_collector.py --db postgresql://postgres@127.0.0.1:5432/test?schema=mk_bench

What it measures (mosquitto started here on a free loopback port, QoS 1 everywhere):

* sustained ingest: N valid telemetry messages are queued on the broker for three persistent
  sessions, then drained in turn by (a) a bare paho MQTT 5 subscriber that stores nothing and
  acknowledges each message at once, paho's own way (the issue's reference); (a2) the same with the
  collector's client (``MqttConnection``: same settings, manual acks) acknowledging every 1,000
  messages in one write, as the collector does, and storing nothing (the tightest ceiling); and
  (b) the collector (acks after a durable commit: SQLite WAL with ``synchronous=FULL``).
  Target: (b) >= 0.9 x (a). Every drain is timed from connect to its N-th message (the collector:
  to its N-th committed row).
* latency from publish to committed row (p50/p99) at a steady live rate;
* memory (peak RSS of a collector process) while it drains a backlog of ``--backlog`` messages.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import paho.mqtt.client as paho  # noqa: E402
from paho.mqtt.packettypes import PacketTypes  # noqa: E402
from paho.mqtt.properties import Properties  # noqa: E402

from makerkit.collector import Collector  # noqa: E402
from makerkit.mqtt.connection import MqttConnection  # noqa: E402
from makerkit.protocol.telemetry import iso_utc  # noqa: E402
from makerkit.store import open_store  # noqa: E402
from tests.support.brokers import Mosquitto  # noqa: E402

KITS = 20


def client(port, cid="", clean=True, v5=True):
    if v5:
        c = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id=cid, protocol=paho.MQTTv5)
    else:
        c = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id=cid, clean_session=clean)
    c.max_inflight_messages_set(2000)
    c.max_queued_messages_set(0)
    return c


def publish(port, n, start_seq=1, rate=None, stamp=False, prefix="bench"):
    """Publish ``n`` messages spread over KITS kits at QoS 1; waits for every PUBACK."""
    pub = client(port, f"{prefix}-pub-{os.getpid()}-{time.monotonic_ns()}")
    pub.connect("127.0.0.1", port)
    pub.loop_start()
    infos, t0 = [], time.monotonic()
    for i in range(n):
        seq = start_seq + i // KITS
        kit = i % KITS
        doc = {"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq * 10, "readings": {"temperature": 20.5, "humidity": 41.0},
               "units": {"temperature": "°C", "humidity": "%"}}
        if stamp:
            doc["time"] = iso_utc(time.time())
        infos.append(pub.publish(f"makerkit/v1/{prefix}/kit-{kit:02d}/telemetry", json.dumps(doc), qos=1))
        if rate:
            delay = t0 + (i + 1) / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        if len(infos) > 5000:
            infos.pop(0).wait_for_publish(30)
    for info in infos:
        info.wait_for_publish(60)
    pub.disconnect()
    pub.loop_stop()
    return time.monotonic() - t0


def make_session(port, cid, flt):
    c = client(port, cid)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    done = threading.Event()
    c.on_connect = lambda cl, u, f, rc, p: (cl.subscribe(flt, qos=1), None)
    c.on_subscribe = lambda *a: done.set()
    c.connect("127.0.0.1", port, clean_start=True, properties=props)
    c.loop_start()
    done.wait(10)
    c.disconnect()
    c.loop_stop()


def drain_bare(port, cid, n):
    """The ceiling: connect to an existing session, count ``n`` messages, ack each at once."""
    c = client(port, cid)
    props = Properties(PacketTypes.CONNECT)
    props.SessionExpiryInterval = 3600
    props.ReceiveMaximum = 2000
    got = [0]
    done = threading.Event()

    def on_message(cl, u, msg):
        got[0] += 1
        if got[0] >= n:
            done.set()
    c.on_message = on_message
    t0 = time.monotonic()
    c.connect("127.0.0.1", port, clean_start=False, properties=props)
    c.loop_start()
    done.wait(600)
    elapsed = time.monotonic() - t0
    c.disconnect()
    c.loop_stop()
    return n / elapsed, elapsed


def drain_bare_batched(port, cid, n, batch=1000):
    """The collector's client and protocol work without the storing: acks go out 1,000 at a time in
    one write, from the network thread, as soon as they are counted."""
    got = [0]
    mids = []
    done = threading.Event()

    def on_receive(item):
        got[0] += 1
        if item[2]:
            mids.append(item[3])
        if len(mids) >= batch or got[0] >= n:
            conn.ack_many(mids[:], item[4])
            mids.clear()
        if got[0] >= n:
            done.set()
    conn = MqttConnection(f"mqtt://127.0.0.1:{port}", cid, on_receive=on_receive, manual_ack=True,
                          clean_start=False, session_expiry=3600, receive_maximum=2000)
    t0 = time.monotonic()
    conn.start_background()
    done.wait(600)
    elapsed = time.monotonic() - t0
    conn.stop()
    return n / elapsed, elapsed


def drain_collector(port, cid, db, n):
    col = Collector(f"mqtt://127.0.0.1:{port}", db, collector_id=cid, stats_interval=1.0, writer="process")
    t0 = time.monotonic()
    col.start()
    while col.stats.stored < n and time.monotonic() - t0 < 600:
        time.sleep(0.01)
    elapsed = time.monotonic() - t0
    col.stop()
    return n / elapsed, elapsed


def tree_rss_kb(pid):
    """RSS of a process plus its children (the collector's writer process)."""
    total = rss_kb(pid)
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            kids = [int(k) for k in fh.read().split()]
    except OSError:
        kids = []
    return total + sum(rss_kb(k) for k in kids)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("-n", type=int, default=None, help="messages for the ingest comparison")
    ap.add_argument("--backlog", type=int, default=None, help="messages queued for the memory figure")
    ap.add_argument("--db", default=None, help="portfolio URL (default: a fresh SQLite file)")
    ap.add_argument("--only", choices=["ingest", "latency", "backlog"], default=None, help="run one part")
    args = ap.parse_args()
    n = args.n or (50_000 if args.quick else 200_000)
    backlog = args.backlog if args.backlog is not None else (100_000 if args.quick else 1_000_000)
    work = tempfile.mkdtemp(prefix="bench-collector-")
    db = args.db or f"sqlite:///{work}/bench.db"
    broker = Mosquitto(os.path.join(work, "broker"), persistence=False).start()
    port = broker.port
    try:
        # -- sustained ingest: the same backlog drained by the ceiling and by the collector ---------
        # alternate rounds (the machine is shared: single runs vary by +-30 %); each round drains a
        # fresh backlog of n messages with new rows for the collector
        bare_rates, batched_rates, col_rates = [], [], []
        rounds = 0 if args.only not in (None, "ingest") else 2 if args.quick else 3
        for r in range(rounds):
            make_session(port, f"bare{r}", "makerkit/v1/#")
            make_session(port, f"batched{r}", "makerkit/v1/#")
            warm = Collector(broker.url, db, collector_id=f"bench-collector{r}", writer="thread")
            warm.start()
            warm.stop()
            secs = publish(port, n, start_seq=1 + r * (n // KITS + 1))
            print(f"round {r + 1}: queued {n} messages for the three sessions in {secs:.1f} s ({n / secs:.0f} msg/s publish)")
            bare_rate, bare_s = drain_bare(port, f"bare{r}", n)
            batched_rate, batched_s = drain_bare_batched(port, f"batched{r}", n)
            col_rate, col_s = drain_collector(port, f"bench-collector{r}", db, n)
            bare_rates.append(bare_rate)
            batched_rates.append(batched_rate)
            col_rates.append(col_rate)
            print(f"  bare paho subscriber (stores nothing, acks each): {bare_rate:,.0f} msg/s ({bare_s:.2f} s)")
            print(f"  bare, the collector's client, batched acks:       {batched_rate:,.0f} msg/s ({batched_s:.2f} s)")
            print(f"  collector (durable, ack after commit):            {col_rate:,.0f} msg/s ({col_s:.2f} s)  "
                  f"= {col_rate / bare_rate:.2f} x bare, {col_rate / batched_rate:.2f} x batched")
        if rounds:
            def span(rates):
                return (f"median {statistics.median(rates):,.0f} msg/s "
                        f"(range {min(rates):,.0f}-{max(rates):,.0f})")
            bare_med, batched_med, col_med = (statistics.median(x) for x in (bare_rates, batched_rates, col_rates))
            ratios = sorted(c / b for c, b in zip(col_rates, bare_rates))
            print(f"bare paho subscriber:      {span(bare_rates)}")
            print(f"bare with batched acks:    {span(batched_rates)}")
            print(f"collector:                 {span(col_rates)}")
            print(f"ratio collector/bare: medians {col_med / bare_med:.2f} x, per round "
                  f"{', '.join(f'{x:.2f}' for x in ratios)} (target >= 0.9); "
                  f"collector/batched-ack bare: {col_med / batched_med:.2f} x")

        # -- latency publish -> committed row at a steady rate ---------------------------------------
        lat = []
        seen = threading.Event()
        rate, count = 2000, (4000 if args.quick else 10000)

        def on_batch(records, bad):
            now = time.time()
            for item in records:
                if item.record.time:
                    from datetime import datetime
                    t = datetime.fromisoformat(item.record.time.replace("Z", "+00:00")).timestamp()
                    lat.append(now - t)
            if len(lat) >= count:
                seen.set()
        if args.only in (None, "latency"):
            col = Collector(broker.url, db, collector_id="bench-latency", on_batch=on_batch, classes=["lat"],
                            writer="process").start()
            publish(port, count, start_seq=1, rate=rate, stamp=True, prefix="lat")
            seen.wait(60)
            col.stop()
        lat.sort()
        if lat:
            print(f"latency publish -> committed row at {rate} msg/s: p50 {statistics.median(lat) * 1000:.1f} ms, "
                  f"p99 {lat[int(len(lat) * 0.99) - 1] * 1000:.1f} ms ({len(lat)} samples; "
                  "timestamps are ms-resolution)")

        # -- memory under a backlog --------------------------------------------------------------------
        if backlog and args.only in (None, "backlog"):
            mdb = f"sqlite:///{work}/backlog.db"
            env = {**os.environ, "PYTHONPATH": os.path.dirname(HERE)}
            cmd = [sys.executable, "-m", "makerkit", "collect", "--broker", broker.url, "--db", mdb,
                   "--id", "bench-backlog", "--class", "mem", "--quiet"]
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(2)
            proc.terminate()
            proc.wait(30)
            secs = publish(port, backlog, prefix="mem")
            print(f"queued a backlog of {backlog:,} messages in {secs:.0f} s; broker RSS {rss_kb(broker.proc.pid) / 1024:.0f} MB")
            t0 = time.monotonic()
            proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            peak = 0
            store = None
            while time.monotonic() - t0 < 1800:
                peak = max(peak, tree_rss_kb(proc.pid))
                time.sleep(0.2)
                if store is None and os.path.exists(mdb[len("sqlite:///"):]):
                    store = open_store(mdb)
                if store is not None and store.count() >= backlog:
                    break
            elapsed = time.monotonic() - t0
            proc.terminate()
            proc.wait(60)
            print(f"collector (process + its writer child) draining it: peak RSS {peak / 1024:.0f} MB, {backlog / elapsed:,.0f} msg/s "
                  f"({elapsed:.0f} s, {store.count() if store else 0:,} rows)")
    finally:
        broker.close()


if __name__ == "__main__":
    main()
