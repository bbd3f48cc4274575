"""Batched acknowledgements (``MqttConnection.ack_many``) and the collector's inbox, against a real mosquitto."""

from __future__ import annotations

import threading
import time

import pytest

from makerkit.collector import Collector
from makerkit.mqtt.connection import MqttConnection
from makerkit.store import open_store

from .conftest import wait_until


def _publish(url: str, topic_of, n: int, payload_of) -> None:
    pub = MqttConnection(url, f"pub-{time.monotonic_ns()}").start()
    try:
        infos = [pub.publish(topic_of(i), payload_of(i), 1) for i in range(n)]
        for info in infos:
            info.wait_for_publish(10)
            assert info.is_published()
    finally:
        pub.stop()


@pytest.mark.parametrize("protocol", ["5", "3.1.1"])
def test_ack_many_acknowledges_exactly_the_listed_messages(broker, protocol):
    got: list[tuple] = []
    kw = dict(subscriptions=[("t/#", 1)], manual_ack=True, clean_start=False, protocol=protocol)
    if protocol == "5":
        kw["session_expiry"] = 600
    conn = MqttConnection(broker.url, "acker", on_receive=got.append, **kw).start()
    _publish(broker.url, lambda i: f"t/{i}", 40, lambda i: str(i).encode())
    wait_until(lambda: len(got) == 40, 10, what="40 messages")
    topic, payload, qos, mid, generation, received, retain = got[0]
    assert (topic, payload, qos, retain) == ("t/0", b"0", 1, False) and generation == conn.generation and received > 0
    assert [m[1] for m in got] == [str(i).encode() for i in range(40)]
    # acks for another connection are never sent
    assert conn.ack_many([m[3] for m in got[25:]], conn.generation + 1) is False
    assert conn.ack_many([m[3] for m in got[:25]], conn.generation) is True
    assert conn.ack_many([], conn.generation) is True
    conn.stop()          # DISCONNECT is queued after the PUBACKs, so they reach the broker first

    again: list[tuple] = []
    conn = MqttConnection(broker.url, "acker", on_receive=again.append, **kw).start()
    try:
        wait_until(lambda: len(again) >= 15, 10, what="the 15 unacknowledged messages")
        time.sleep(0.5)      # nothing else may follow
        assert sorted(int(m[1]) for m in again) == list(range(25, 40))
        assert conn.ack_many([m[3] for m in again], again[0][4]) is True
    finally:
        conn.stop()

    last: list[tuple] = []
    conn = MqttConnection(broker.url, "acker", on_receive=last.append, **kw).start()
    try:
        time.sleep(0.5)
        assert last == []    # everything acknowledged now
    finally:
        conn.stop()


def test_stop_under_load_loses_nothing_and_stores_once(broker, tmp_path):
    """stop() while messages keep coming ends promptly; what it did not acknowledge comes again."""
    db = f"sqlite:///{tmp_path}/p.db"
    n = 3000
    col = Collector(broker.url, db, collector_id="c-stop", stats_interval=60, batch_size=200).start()
    done = threading.Event()

    def feed():
        try:
            _publish(broker.url, lambda i: f"makerkit/v1/7a/kit-{i % 5:02d}/telemetry", n,
                     lambda i: (b'{"v":1,"seq":%d,"boot":1,"uptime_ms":%d,"readings":{"t":%d}}'
                                % (i // 5 + 1, i, i)))
        finally:
            done.set()
    feeder = threading.Thread(target=feed, daemon=True)
    feeder.start()
    wait_until(lambda: col.stats.stored >= 300, 20, what="the first rows")
    writer = col._thread
    t0 = time.monotonic()
    col.stop()
    # the writer ended with its last commit (stop() gives it 30 s, then goes on without it), while the
    # feed went on; the bound is only a guard, under that 30 s
    assert not writer.is_alive()
    assert time.monotonic() - t0 < 20
    stored_first = col.stats.stored
    assert done.wait(60)
    feeder.join(10)
    col = Collector(broker.url, db, collector_id="c-stop", stats_interval=60).start()
    try:
        store = open_store(db)
        try:
            wait_until(lambda: store.count() >= n, 30, what="every message stored")
            time.sleep(0.3)
            assert store.count() == n
        finally:
            store.close()
    finally:
        col.stop()
    assert stored_first < n or col.stats.stored == 0
