"""The collector against a real mosquitto: shared subscriptions, quarantine (fuzzed with hypothesis),
unregistered kits, graceful shutdown, its own status and stats topics."""

from __future__ import annotations

import json
import threading

import paho.mqtt.client as paho
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from makerkit.classroom.headless import HeadlessKit
from makerkit.collector import Collector
from makerkit.protocol import telemetry as tm
from makerkit.store import BEGINNING, open_store

from .conftest import KitRunner, wait_until, seqs_of


def paho_client(url, client_id=""):
    from makerkit.mqtt.url import parse_broker_url
    addr = parse_broker_url(url)
    c = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id=client_id,
                    protocol=paho.MQTTv5)
    c.connect(addr.host, addr.port)
    c.loop_start()
    return c


def publish_all(client, items, timeout=10):
    infos = [client.publish(topic, payload, qos=1) for topic, payload in items]
    for info in infos:
        info.wait_for_publish(timeout)
        assert info.is_published()


def test_two_collectors_on_one_shared_subscription_split_without_loss_or_doubles(broker, db_url):
    per_kit, names = 1500, ["k1", "k2", "k3"]
    a = Collector(broker.url, db_url, collector_id="ca", share="district").start()
    b = Collector(broker.url, db_url, collector_id="cb", share="district").start()
    kits = [HeadlessKit("9c", n, broker=broker.url, capacity=per_kit) for n in names]
    runner = KitRunner(kits, per_kit, rate=3000).start()
    store = open_store(db_url)
    try:
        assert runner.done.wait(60)
        wait_until(lambda: store.count() >= per_kit * len(names), 30, what="all rows")
        for kit in names:
            assert seqs_of(store, kit) == list(range(1, per_kit + 1))
        assert a.stats.stored > 0 and b.stats.stored > 0, "the shared subscription did not split the load"
        assert a.stats.stored + b.stats.stored == per_kit * len(names)
    finally:
        runner.close()
        a.stop()
        b.stop()
        store.close()


payload_strategy = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
                 lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
                 max_leaves=12).map(lambda d: json.dumps(d).encode()),
    st.fixed_dictionaries({"v": st.integers(0, 2), "seq": st.integers(-2, 2**64) | st.text(max_size=3),
                           "boot": st.integers(-1, 3), "uptime_ms": st.integers(-1, 10),
                           "readings": st.dictionaries(st.text(max_size=40), st.floats() | st.booleans() | st.text(max_size=3),
                                                       max_size=3)},
                          optional={"time": st.text(max_size=30), "units": st.dictionaries(st.text(max_size=4), st.integers())})
    .map(lambda d: json.dumps(d).encode()),
    st.integers(4097, 6000).map(lambda n: b"{" + b" " * n + b"}"),
)
topic_strategy = st.one_of(st.just("makerkit/v1/fz/kit-1/telemetry"), st.just("makerkit/v1/fz/Bad Kit/telemetry"),
                           st.just("makerkit/v1/fz/kit-1/telemetry/x"), st.just("makerkit/v1/fz/kit-1/status"),
                           st.just("makerkit/v1/fz/kit-1/event"))


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_fuzzed_payloads_never_crash_the_collector_and_land_in_quarantine(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="fuzz").start()
    pub = paho_client(broker.url, "fuzzer")
    sent = {"n": 0, "bad": 0}

    def refused(topic, payload):
        try:
            where = tm.parse_topic(topic)
            if where.kind == "telemetry":
                tm.parse_telemetry(topic, payload)
            else:
                tm.parse_message(where.kind, payload)
        except tm.TelemetryRejected:
            return True
        return False

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(st.lists(st.tuples(topic_strategy, payload_strategy), min_size=1, max_size=30))
    def check(items):
        # a valid record never hides in the fuzz: the seq space is far from the fuzz values
        publish_all(pub, items)
        sent["n"] += len(items)
        sent["bad"] += sum(refused(t, p) for t, p in items)
        wait_until(lambda: col.stats.received >= sent["n"], 10, what="collector caught up")
        assert col.running
        # every refused message is accounted for, none silently dropped: kept whole, or (past the
        # flood gate's first messages per topic and reason) counted in a flood summary
        refused_total = lambda: col.store.quarantine_count() + sum(f.messages for f in col.store.quarantine_floods())
        wait_until(lambda: refused_total() >= sent["bad"], 10, what="refused messages on record")
        assert refused_total() == sent["bad"]

    try:
        check()
        quarantined = col.store.quarantined()
        assert quarantined, "fuzzing produced nothing to quarantine"
        assert all(q["reason"] and q["detail"] for q in quarantined)
        accounted = col.stats.stored + col.stats.duplicates + col.stats.quarantined
        others = col.stats.received - accounted            # valid status/event messages
        assert others >= 0
        # afterwards a good reading still goes through
        pub_kit = HeadlessKit("fz", "kit-ok", broker=broker.url)
        pub_kit.record({"t": 1.0})
        pub_kit.pump()
        wait_until(lambda: col.store.count("kit-ok") == 1, 10, what="good record after fuzz")
        pub_kit.close()
    finally:
        pub.loop_stop()
        col.stop()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_each_bad_message_is_quarantined_with_its_reason(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="q").start()
    pub = paho_client(broker.url)
    items = [
        ("makerkit/v1/7a/kit-1/telemetry", b"{bad json"),
        ("makerkit/v1/7a/kit-1/telemetry", b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{"t":NaN}}'),
        ("makerkit/v1/7a/kit-1/telemetry", b'{"v":1,"seq":"x","boot":0,"uptime_ms":0,"readings":{"t":1}}'),
        ("makerkit/v1/7a/kit-1/telemetry", b"{" + b" " * 5000 + b"}"),
        ("makerkit/v1/7a/KIT/telemetry", b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{"t":1}}'),
        ("makerkit/v1/7a/kit-1/status", b'{"v":1,"state":"sleepy"}'),
    ]
    try:
        publish_all(pub, items)
        wait_until(lambda: col.store.quarantine_count() == len(items), 10, what="quarantine rows")
        reasons = [q["reason"] for q in col.store.quarantined()]
        assert sorted(reasons) == sorted(["bad_json", "not_finite", "bad_schema", "too_large", "bad_topic", "bad_schema"])
        assert col.store.count() == 0 and col.running
    finally:
        pub.loop_stop()
        col.stop()


def test_unregistered_kits_are_stored_and_reported_then_attributed_once_registered(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="reg", stats_interval=0.2).start()
    kit = HeadlessKit("7a", "kit-new", broker=broker.url)
    try:
        for i in range(5):
            kit.record({"light": i / 10})
        while kit.pending:
            kit.pump()
        wait_until(lambda: col.store.count("kit-new") == 5, 10, what="rows")
        wait_until(lambda: col.stats.unassigned_kits == ["7a/kit-new"], 5, what="unassigned report")
        assert col.store.unassigned_kits() == {("7a", "kit-new"): 5}
        rows = list(col.store.export(kit="kit-new"))
        assert [r["student"] for r in rows] == [None] * 5
        # the teacher registers the class set later: earlier readings now belong to the student
        col.store.add_class("7a", "Class 7A")
        sid = col.store.add_student("7a", "王小明")
        col.store.assign("7a", "kit-new", student=sid, since=BEGINNING)
        assert col.store.unassigned_kits() == {}
        assert {r["student"] for r in col.store.export(kit="kit-new")} == {sid}
        wait_until(lambda: col.stats.unassigned_kits == [], 5, what="report cleared")
    finally:
        kit.close()
        col.stop()


def test_graceful_stop_flushes_and_publishes_status_and_stats(broker, db_url):
    seen = {}
    ready = threading.Event()
    watcher = paho_client(broker.url, "watcher")

    def on_message(client, userdata, msg):
        seen[msg.topic] = msg.payload
        if msg.topic.endswith("/stats"):
            ready.set()
    watcher.on_message = on_message
    watcher.subscribe("makerkit/v1/_collector/#", qos=1)
    col = Collector(broker.url, db_url, collector_id="gs", stats_interval=0.2).start()
    kit = HeadlessKit("7a", "kit-s", broker=broker.url)
    try:
        for i in range(200):
            kit.record({"t": float(i)})
        while kit.pending:
            kit.pump()
        assert ready.wait(10)
        stats = json.loads(seen["makerkit/v1/_collector/gs/stats"])
        assert stats["id"] == "gs" and "rate" in stats and "lag_s" in stats
        col.stop()
        store = open_store(db_url)
        assert store.count("kit-s") == 200
        store.close()
        wait_until(lambda: json.loads(seen.get("makerkit/v1/_collector/gs/status", b"{}")).get("state") == "offline",
                   5, what="offline status")
    finally:
        kit.close()
        watcher.loop_stop()
        col.stop()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_gap_the_kit_can_no_longer_fill_is_marked_lost(db_url, tmp_path):
    from support.brokers import Mosquitto
    broker = Mosquitto(tmp_path / "v", persistence=False).start()
    kit = HeadlessKit("7a", "kit-small", broker=broker.url, capacity=10)
    col = Collector(broker.url, db_url, collector_id="lost", gap_grace=0.3, gap_retry=0.5).start()
    try:
        col.stop()                                           # a session now waits on the broker
        for i in range(30):
            kit.record({"t": float(i)})
        while kit.pending:
            kit.pump()
        broker.kill()                                        # ... and the 30 queued messages die with it
        broker.start()
        col = Collector(broker.url, db_url, collector_id="lost", gap_grace=0.3, gap_retry=0.5).start()
        for i in range(5):
            kit.record({"t": float(i)})

        def settled():
            kit.pump()
            return col.store.gaps(state="lost")
        wait_until(settled, 20, interval=0.1, what="gap marked lost")
        assert seqs_of(col.store, "kit-small") == list(range(26, 36))     # what the kit still had came back
        (gap,) = col.store.gaps()
        assert (gap.first, gap.last, gap.state) == (1, 30, "lost")
        assert "1..25" in gap.note
    finally:
        kit.close()
        col.stop()
        broker.close()


@pytest.mark.parametrize("db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_process_writer_commits_in_a_child_and_stops_with_it(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="proc", writer="process").start()
    child = col._writer.proc
    kit = HeadlessKit("7a", "kit-p", broker=broker.url)
    try:
        assert child.is_alive()
        for i in range(300):
            kit.record({"t": float(i)})
        while kit.pending:
            kit.pump()
        wait_until(lambda: col.stats.stored == 300, 15, what="rows via the child process")
        assert seqs_of(col.store, "kit-p") == list(range(1, 301))
    finally:
        kit.close()
        col.stop()
    child.join(5)
    assert not child.is_alive()
