"""Exactly once through crashes: 20,000 readings from four kits (the real device telemetry code,
publishing through the umqtt-compatible client to a real mosquitto), while the test SIGKILLs the
collector process once and restarts the broker once. Then: every reading stored exactly once.
And: the broker SIGKILLed with a backlog queued for the collector, so acknowledged messages are
lost; the collector finds the gaps and the kits replay them from their buffers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from makerkit.classroom.headless import HeadlessKit
from makerkit.collector import Collector
from makerkit.store import open_store

from support.brokers import Mosquitto
from .conftest import KitRunner, retained_status, wait_until, seqs_of

pytestmark = pytest.mark.slow


def start_collector_process(broker_url, db_url, workdir, name="c1"):
    log = open(os.path.join(workdir, f"collector-{name}.log"), "ab")
    return subprocess.Popen([sys.executable, "-m", "makerkit", "collect", "--broker", broker_url, "--db", db_url,
                             "--id", name], stdout=log, stderr=log, env={**os.environ, "MAKERKIT_LANG": "en"})


def assert_whole(store, kits, per_kit):
    for kit in kits:
        assert seqs_of(store, kit) == list(range(1, per_kit + 1)), f"{kit} incomplete or doubled"
    assert store.count() == len(kits) * per_kit


def test_20000_readings_survive_collector_sigkill_and_broker_restart(broker, db_url, tmp_path):
    per_kit, names = 5000, [f"kit-{i:02d}" for i in range(4)]
    kits = [HeadlessKit("7a", name, broker=broker.url, capacity=per_kit) for name in names]
    collector = start_collector_process(broker.url, db_url, tmp_path)
    store = open_store(db_url)
    runner = None
    try:
        wait_until(lambda: "online" in retained_status(broker.url), 15, what="collector online")
        runner = KitRunner(kits, per_kit, rate=1500).start()
        wait_until(lambda: store.count() > 3000, 30, what="first rows")
        os.kill(collector.pid, signal.SIGKILL)                       # crash 1: the collector
        collector.wait(10)
        time.sleep(0.3)
        collector = start_collector_process(broker.url, db_url, tmp_path)
        wait_until(lambda: store.count() > 10000, 30, what="rows after collector restart")
        broker.restart()                                             # the broker goes away and comes back
        assert runner.done.wait(60), "kits did not deliver everything"
        wait_until(lambda: store.count() >= len(names) * per_kit, 60, what="all rows")
        time.sleep(1.0)                                              # redeliveries still arriving change nothing
        assert_whole(store, names, per_kit)
    finally:
        if runner:
            runner.close()
        if collector.poll() is None:
            collector.send_signal(signal.SIGTERM)
            assert collector.wait(20) == 0
        store.close()


def test_broker_sigkill_loses_acknowledged_messages_and_replay_heals(db_url, tmp_path):
    # no persistence: whatever the broker holds in memory when it is SIGKILLed is gone for sure
    broker = Mosquitto(tmp_path / "volatile", persistence=False).start()
    per_kit, names = 1500, ["kit-a", "kit-b", "kit-c"]
    kits = [HeadlessKit("8b", name, broker=broker.url, capacity=4000) for name in names]
    col = Collector(broker.url, db_url, collector_id="healer", gap_grace=0.5, gap_retry=1.0, stats_interval=0.5).start()
    # first half live, then the collector goes away for a while: the broker queues for its session
    runner = KitRunner(kits, per_kit, rate=2000).start()
    try:
        wait_until(lambda: col.store.count() >= 600, 30, what="first rows")
        col.stop()
        time.sleep(0.6)                                   # messages now queue in the broker's memory only
        broker.kill()                                     # SIGKILL: the queued, acknowledged messages are gone
        broker.start()
        col = Collector(broker.url, db_url, collector_id="healer", gap_grace=0.5, gap_retry=1.0,
                        stats_interval=0.5).start()
        assert runner.done.wait(60)
        wait_until(lambda: col.store.count() >= len(names) * per_kit, 60, what="store whole again")
        assert_whole(col.store, names, per_kit)
        assert col.stats.replays_requested > 0
        wait_until(lambda: not col.store.gaps(state="open"), 20, what="gaps marked healed")
        healed = col.store.gaps(state="healed")
        assert healed and all(g.kit in names for g in healed)
    finally:
        runner.close()
        col.stop()
        broker.close()
