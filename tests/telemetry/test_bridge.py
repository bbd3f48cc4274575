"""``makerkit bridge``: a USB-tethered kit (virtual Uno: no network) published on its behalf, its records
kept on disk while the broker is away, and replays answered from that disk buffer."""

from __future__ import annotations

import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.collector import Collector

from support.brokers import Mosquitto
from .conftest import wait_until, seqs_of


def publish_many(kit, first, n):
    return [kit.publish("light", (first + i) / 1000, unit="lx")["seq"] for i in range(n)]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bridge_buffers_on_disk_while_the_broker_is_away(tmp_path, db_url):
    broker = Mosquitto(tmp_path / "b").start()
    col = Collector(broker.url, db_url, collector_id="bc").start()
    try:
        with makerkit.connect("sim://uno", clock="virtual") as kit:
            kit.configure(kit="uno-3", class_="7b")
            bridge = Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")).start()
            try:
                seqs = publish_many(kit, 0, 20)
                wait_until(lambda: col.store.count("uno-3") == 20, 10, what="first rows")
                # the kit got ACKs once the records were on disk: its own buffer holds nothing unsent
                kit.sleep(0.05)
                assert kit.sim.device.app.telemetry.pending() == 0
                broker.stop()
                seqs += publish_many(kit, 20, 30)
                wait_until(lambda: bridge.outbox.count(sent=False) == 30, 10, what="records waiting on disk")
                broker.start()
                wait_until(lambda: col.store.count("uno-3") == 50, 30, what="rows after the broker came back")
                assert seqs_of(col.store, "uno-3") == sorted(seqs)
                rows = list(col.store.export(kit="uno-3"))
                assert rows[0]["unit"] == "lx" and rows[0]["time"].endswith("Z")
            finally:
                bridge.stop()
    finally:
        col.stop()
        broker.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bridge_answers_replays_from_its_disk_buffer(tmp_path, db_url):
    broker = Mosquitto(tmp_path / "b", persistence=False).start()
    try:
        with makerkit.connect("sim://uno", clock="virtual") as kit:
            kit.configure(kit="uno-4", class_="7b")
            bridge = Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")).start()
            try:
                seqs = publish_many(kit, 0, 40)       # no collector yet: nobody receives these
                wait_until(lambda: bridge.outbox.count(sent=True) == 40, 10, what="published")
                col = Collector(broker.url, db_url, collector_id="rc", gap_grace=0.3, gap_retry=0.5).start()
                try:
                    seqs += publish_many(kit, 40, 5)  # the collector sees 41.. and asks for 1..40
                    wait_until(lambda: col.store.count("uno-4") == 45, 20, what="replayed rows")
                    assert seqs_of(col.store, "uno-4") == sorted(seqs)
                    assert bridge.replayed >= 40
                finally:
                    col.stop()
            finally:
                bridge.stop()
    finally:
        broker.close()
