"""Nothing stops the collector: poison and extreme messages, contention, floods, restarts.

Each case of the reported failures is a test here, against a real mosquitto and each store engine:
a device time of year 1 or 9999, a retained status with a 21-digit seq, a seq jump to 2**40, units
that a spreadsheet would run as a formula, a NUL in a unit (PostgreSQL refuses it in text), an
exception on one message, a portfolio locked by another program, two collectors with one id, 20 MB
junk messages and floods, and gaps left open by a stopped collector."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
import threading
import time

import pytest

from makerkit.collector import Collector
from makerkit.collector.instance import CollectorRunningError
from makerkit.errors import StoreBusyError
from makerkit.protocol.telemetry import KitKey
from makerkit.store import open_store
from makerkit.store.export import write_export

from .conftest import retained_status, seqs_of, wait_until
from .test_collector import paho_client, publish_all


def rec(seq, *, time_=None, boot=1, up=None, readings=None, units=None, inc=None) -> bytes:
    doc = {"v": 1, "seq": seq, "boot": boot, "uptime_ms": seq * 1000 if up is None else up,
           "readings": readings or {"t": 20.5}}
    if time_:
        doc["time"] = time_
    if units:
        doc["units"] = units
    if inc:
        doc["inc"] = inc
    return json.dumps(doc).encode()


def row(store, kit, seq):
    return store._execute("SELECT time_source, flags, taken_at, device_time FROM telemetry WHERE kit_id = ? AND seq = ?",
                          (kit, seq))[0]


def test_poison_messages_are_stored_or_quarantined_and_never_stop_the_collector(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="poison").start()
    pub = paho_client(broker.url, "poisoner")
    t = "makerkit/v1/7a/{}/telemetry"
    try:
        publish_all(pub, [
            (t.format("kit-p1"), rec(1, time_="0001-01-01T00:00:00+01:00")),         # passes the schema
            (t.format("kit-p3"), rec(1)), (t.format("kit-p3"), rec(2 ** 40)),            # a jump, not a gap
            (t.format("kit-p4"), rec(1, time_="9999-12-31T23:59:59Z")), (t.format("kit-p4"), rec(2)),
            (t.format("kit-p5"), rec(1, units={"t": '=HYPERLINK("x")'})),
            (t.format("kit-p6"), rec(1, units={"t": "a\u0000b"})),
            (t.format("kit-p7"), rec(1, up=2 ** 53 - 1)), (t.format("kit-p7"), rec(2, up=1000)),  # 285,000 years
            (t.format("kit-ok"), rec(1)),
        ])
        info = pub.publish("makerkit/v1/7a/kit-p2/status", b'{"v":1,"state":"online","seq":100000000000000000000}',
                           qos=1, retain=True)
        info.wait_for_publish(5)
        publish_all(pub, [(t.format("kit-ok"), rec(2))])
        wait_until(lambda: col.store.count("kit-ok") == 2, 10, what="the normal kit's readings")
        wait_until(lambda: col.store.quarantine_count() >= 1, 10, what="the poisoned status quarantined")
        assert col.running
        store = col.store
        src, flags, taken, device = row(store, "kit-p1", 1)
        assert (src, flags, device) == ("boot", "time_implausible", "0001-01-01T00:00:00+01:00")
        assert taken[:4] == time.strftime("%Y")                  # the collector's estimate, not year 1
        assert seqs_of(store, "kit-p3") == [1, 2 ** 40]
        assert [(g.state, g.first, g.last) for g in store.gaps(kit="kit-p3")] == [("jump", 2, 2 ** 40 - 1)]
        assert col.stats.seq_jumps == 1 and col.open_gaps() == 0
        assert row(store, "kit-p4", 1)[:2] == ("boot", "time_implausible")
        assert row(store, "kit-p4", 2)[0] == "boot" and row(store, "kit-p4", 2)[2][:4] == time.strftime("%Y")
        assert row(store, "kit-p7", 1)[0] == "boot" and row(store, "kit-p7", 1)[2][:4] == time.strftime("%Y")
        assert row(store, "kit-p7", 2)[:2] == ("received", "uptime_implausible")
        assert json.loads(store._execute("SELECT units FROM telemetry WHERE kit_id = 'kit-p6'")[0][0]) == {"t": "a\x00b"}
        reasons = {q["topic"]: q["reason"] for q in store.quarantined()}
        assert reasons["makerkit/v1/7a/kit-p2/status"] == "bad_schema"
        out = io.StringIO()
        write_export(store, out, kit="kit-p5")
        cells = list(csv.reader(io.StringIO(out.getvalue())))
        assert cells[1][6] == '\'=HYPERLINK("x")'        # shown as text by a spreadsheet
    finally:
        pub.loop_stop()
        col.stop()
    # the retained poison is delivered again on every start: the collector still starts and works
    col = Collector(broker.url, db_url, collector_id="poison").start()
    pub = paho_client(broker.url, "poisoner2")
    try:
        publish_all(pub, [(t.format("kit-ok"), rec(3))])
        wait_until(lambda: col.store.count("kit-ok") == 3, 10, what="readings after a restart")
        assert col.running
    finally:
        pub.loop_stop()
        col.stop()


def test_an_exception_on_one_message_quarantines_it_as_internal(broker, db_url, monkeypatch):
    from makerkit.collector import timebase
    real = timebase.TimeBase.stamp

    def stamp(self, record, received):
        if record.kit == "kit-boom":
            raise ZeroDivisionError("a bug in the time base")
        return real(self, record, received)
    monkeypatch.setattr(timebase.TimeBase, "stamp", stamp)
    col = Collector(broker.url, db_url, collector_id="boom").start()
    pub = paho_client(broker.url)
    try:
        publish_all(pub, [("makerkit/v1/7a/kit-boom/telemetry", rec(1)), ("makerkit/v1/7a/kit-fine/telemetry", rec(1))])
        wait_until(lambda: col.store.count("kit-fine") == 1 and col.store.quarantine_count() == 1, 10, what="rows")
        (q,) = col.store.quarantined()
        assert q["reason"] == "internal" and "ZeroDivisionError: a bug in the time base" in q["detail"]
        assert col.running and col.stats.quarantined == 1
    finally:
        pub.loop_stop()
        col.stop()


def test_a_row_the_database_refuses_is_quarantined_and_the_batch_goes_on(db_url, monkeypatch):
    """Not the database as a whole (busy, full: retried) but one row it will not take: each record of
    the batch is then written alone and the refused one is quarantined as internal."""
    from makerkit.collector.writer import BatchWriter
    from makerkit.errors import StoreError
    with open_store(db_url) as store:
        real = type(store).write_batch

        def write_batch(self, records, *args, **kw):
            if any(r.record.kit == "kit-bad" for r in records):
                raise StoreError(en="value out of range for this column", zh="数值超出范围")
            return real(self, records, *args, **kw)
        monkeypatch.setattr(type(store), "write_batch", write_batch)
        writer = BatchWriter(store)
        res = writer.write([(f"makerkit/v1/7a/{kit}/telemetry", rec(1)) for kit in ("kit-a", "kit-bad", "kit-b")],
                           time.time())
        assert (res.added, res.quarantined) == (2, 1)
        (q,) = store.quarantined()
        assert q["reason"] == "internal" and "value out of range" in q["detail"] and "kit-bad" in q["topic"]
        assert store.count() == 2


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_portfolio_locked_by_another_program_is_waited_out(broker, db_url, tmp_path):
    store = open_store(db_url)
    col = Collector(broker.url, store, collector_id="locked", stats_interval=0.5).start()
    browser = sqlite3.connect(db_url[len("sqlite:///"):], isolation_level=None)
    pub = paho_client(broker.url)
    try:
        browser.execute("BEGIN IMMEDIATE")             # a DB browser holding a write lock
        publish_all(pub, [("makerkit/v1/7a/kit-l/telemetry", rec(i)) for i in range(1, 51)])
        wait_until(lambda: isinstance(col.stats.store_error, StoreBusyError), 20, what="the busy error")
        assert col.running
        stats = json.loads(retained_status(broker.url, "makerkit/v1/_collector/locked/stats") or "{}")
        assert stats.get("error", {}).get("code") == "busy" and "另一个收集器" in stats["error"]["hint_zh"]
        time.sleep(1.0)
        browser.execute("COMMIT")                      # the other program lets go
        wait_until(lambda: store.count("kit-l") == 50, 30, what="every reading stored after the lock")
        wait_until(lambda: col.stats.store_error is None, 10, what="the error cleared")
        assert seqs_of(store, "kit-l") == list(range(1, 51))
    finally:
        browser.close()
        pub.loop_stop()
        col.stop()
        store.close()


def test_a_second_collector_with_the_same_id_refuses_and_names_the_first(broker, tmp_path):
    db = f"sqlite:///{tmp_path}/p.db"
    first = Collector(broker.url, db, collector_id="same").start()
    try:
        with pytest.raises(CollectorRunningError) as err:
            Collector(broker.url, f"sqlite:///{tmp_path}/q.db", collector_id="same").start()
        assert f"process {os.getpid()}" in err.value.message_en and "--id" in err.value.hint_en
        other = Collector(broker.url, f"sqlite:///{tmp_path}/q.db", collector_id="other").start()
        other.stop()
        # a collector on another computer (no shared lock file) with the same id: the two would knock
        # each other off the broker for ever; the later one sees the first's live status, names it and stays off
        from makerkit.collector import instance
        elsewhere = Collector(broker.url, f"sqlite:///{tmp_path}/r.db", collector_id="same")
        elsewhere._instance = instance.InstanceLock("same", broker.url + "/elsewhere")
        try:
            try:
                elsewhere.start()
            except Exception:       # it may be refused while connecting, or just after
                pass
            wait_until(lambda: elsewhere.mqtt.taken_over, 10, what="the later collector giving up")
            with pytest.raises(CollectorRunningError, match="took over") as err:
                elsewhere.raise_if_failed()
            assert f"process {os.getpid()}" in err.value.message_en
            wait_until(lambda: first.mqtt.is_connected, 5, what="the first one back")
            count = first.mqtt.connect_count
            time.sleep(1.5)
            assert first.mqtt.connect_count == count and first.mqtt.is_connected and not first.mqtt.taken_over
        finally:
            elsewhere.stop()
    finally:
        first.stop()


def test_quarantine_keeps_4_kib_of_junk_and_summarises_a_flood(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="flood").start()
    pub = paho_client(broker.url)
    try:
        junk = os.urandom(2 * 1024 * 1024)
        publish_all(pub, [("makerkit/v1/7a/kit-j/telemetry", junk)] * 3)
        publish_all(pub, [("makerkit/v1/7a/kit-f/telemetry", b"{not json %d" % i) for i in range(100)])
        wait_until(lambda: col.stats.received >= 103, 20, what="the junk received")
        rows = col.store.quarantined()
        big = [q for q in rows if q["topic"].endswith("kit-j/telemetry")]
        assert [(q["size"], len(q["payload"])) for q in big] == [(len(junk), 4096)] * 3
        kept = [q for q in rows if "kit-f" in q["topic"]]
        (flood,) = col.store.quarantine_floods()
        assert len(kept) == 20 and flood.messages == 80 and flood.reason == "bad_json"
        assert col.stats.quarantined == 103 and col.running
    finally:
        pub.loop_stop()
        col.stop()


def test_open_gaps_are_requested_again_after_a_restart(broker, db_url):
    replays: list[dict] = []
    watcher = paho_client(broker.url, "kit-g-replay-watcher")
    watcher.on_message = lambda c, u, m: replays.append(json.loads(m.payload))
    watcher.subscribe("makerkit/v1/7a/kit-g/replay", qos=1)
    pub = paho_client(broker.url)
    topic = "makerkit/v1/7a/kit-g/telemetry"
    col = Collector(broker.url, db_url, collector_id="gaps", gap_grace=0.2, gap_retry=0.3).start()
    try:
        publish_all(pub, [(topic, rec(s, inc="ab12cd34")) for s in (1, 2, 3, 7)])
        wait_until(lambda: col.store.gaps(state="open"), 10, what="the gap recorded")
        wait_until(lambda: replays, 10, what="a replay request")
    finally:
        col.stop()
    assert replays[0]["from"] == 4 and replays[0]["to"] == 6 and replays[0]["inc"] == "ab12cd34"
    replays.clear()
    col = Collector(broker.url, db_url, collector_id="gaps", gap_grace=0.2, gap_retry=0.3).start()
    try:
        wait_until(lambda: replays, 10, what="the open gap requested again after the restart")
        publish_all(pub, [(topic, rec(s, inc="ab12cd34")) for s in (4, 5, 6)])
        wait_until(lambda: col.store.gaps(state="healed"), 15, what="the gap healed")
        assert col.store.seqs(KitKey("7a", "kit-g", "ab12cd34")) == list(range(1, 8))
    finally:
        col.stop()
        pub.loop_stop()
        watcher.loop_stop()


PUBLISHER = r"""
import os, sys, json
import paho.mqtt.client as paho
port, count, size = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
c = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, protocol=paho.MQTTv5)
c.connect("127.0.0.1", port)
c.loop_start()
for seq in (1, 2 ** 50):
    c.publish("makerkit/v1/7a/kit-jump/telemetry", json.dumps({"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq % 1000,
              "readings": {"t": 1.0}}), qos=1).wait_for_publish(10)
infos = []
for i in range(count):
    infos.append(c.publish(f"makerkit/v1/7a/kit-{i % 50:02d}/telemetry", os.urandom(size), qos=1))
    if len(infos) >= 200:
        for info in infos:
            info.wait_for_publish(30)
        infos = []
for info in infos:
    info.wait_for_publish(30)
c.disconnect()
"""


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_memory_and_disk_stay_bounded_under_a_seq_jump_of_2_50_and_a_flood(broker, db_url, tmp_path):
    """10,000 oversize messages (8 KiB, twice what the contract allows) and a jump of 2**50: the
    collector's memory stays flat and the portfolio grows by kilobytes, not the 80 MB it received.
    (The bound is generous; benchmarks/bench_collector.py --only flood measures the real figure.)"""
    import subprocess
    import sys
    store = open_store(db_url)
    col = Collector(broker.url, store, collector_id="bounded").start()
    try:
        wait_until(lambda: col.mqtt.is_connected, 5, what="connected")
        before = _rss_mb()
        size_before = os.path.getsize(db_url[len("sqlite:///"):])
        subprocess.run([sys.executable, "-c", PUBLISHER, str(broker.port), "10000", "8192"], check=True, timeout=300)
        wait_until(lambda: col.stats.received >= 10_002, 120, what="the flood received")
        grown = _rss_mb() - before
        assert grown < 100, f"collector memory grew by {grown:.0f} MB"
        assert [g.state for g in store.gaps(kit="kit-jump")] == ["jump"] and col.open_gaps() == 0
        assert store.quarantine_count() <= 50 * 20
        assert sum(f.messages for f in store.quarantine_floods()) + store.quarantine_count() == 10_000
        store._execute("PRAGMA wal_checkpoint(TRUNCATE)")
        growth = os.path.getsize(db_url[len("sqlite:///"):]) - size_before
        assert growth < 8 * 1024 * 1024, f"portfolio grew by {growth / 1e6:.1f} MB for 80 MB of junk"
    finally:
        col.stop()
        store.close()


def test_a_long_gap_is_asked_for_in_bounded_pieces(broker, db_url):
    """A gap of 5,000 readings: each replay request spans at most MAX_REPLAY_SPAN numbers and a round
    sends at most REPLAYS_PER_ROUND of them (a kit rate-limits replays; a flood would be refused)."""
    from makerkit.collector.core import REPLAYS_PER_ROUND
    from makerkit.protocol.telemetry import MAX_REPLAY_SPAN
    replays: list[dict] = []
    watcher = paho_client(broker.url, "kit-long-replay-watcher")
    watcher.on_message = lambda c, u, m: replays.append(json.loads(m.payload))
    watcher.subscribe("makerkit/v1/7a/kit-long/replay", qos=1)
    pub = paho_client(broker.url)
    col = Collector(broker.url, db_url, collector_id="long", gap_grace=0.1, gap_retry=5.0).start()
    try:
        publish_all(pub, [("makerkit/v1/7a/kit-long/telemetry", rec(s)) for s in (1, 5002)])
        wait_until(lambda: len(replays) >= REPLAYS_PER_ROUND, 10, what="the first round of requests")
        time.sleep(0.5)
        assert len(replays) == REPLAYS_PER_ROUND            # the next round waits for gap_retry
        assert [(r["from"], r["to"]) for r in replays] == [(2 + i * MAX_REPLAY_SPAN, 1 + (i + 1) * MAX_REPLAY_SPAN)
                                                           for i in range(REPLAYS_PER_ROUND)]
    finally:
        col.stop()
        pub.loop_stop()
        watcher.loop_stop()


def test_replay_requests_are_bounded_where_they_are_made():
    from makerkit.protocol import telemetry as tm
    assert tm.replay_chunks(1, 2500) == [(1, 1000), (1001, 2000), (2001, 2500)]
    assert tm.replay_chunks(1, 10 ** 6, limit=2) == [(1, 1000), (1001, 2000)]
    for first, last in [(0, 5), (5, 4), (1, 2 ** 64), (1, 1001), (2 ** 53, 2 ** 53)]:
        with pytest.raises(ValueError):
            tm.replay_payload(first, last)


def test_a_collector_restarted_at_once_with_its_id_runs(broker, tmp_path):
    """A run stopped right after it started leaves its own "online" status queued in the persistent
    session; the next run with that id takes the session over and must not take it for another one."""
    db = f"sqlite:///{tmp_path}/p.db"
    quick = Collector(broker.url, db, collector_id="again", writer="thread").start()
    quick.stop()
    again = Collector(broker.url, db, collector_id="again").start()
    try:
        time.sleep(1.0)
        assert again.mqtt.is_connected and not again.mqtt.taken_over
        again.raise_if_failed()
    finally:
        again.stop()
