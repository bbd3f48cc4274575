"""``kit.publish("temperature", 23.5, unit="°C")`` just works: on a virtual ESP32 the real firmware
publishes through the umqtt-compatible client to a real mosquitto, and the collector stores it."""

from __future__ import annotations

import math

import pytest

import makerkit
from makerkit.collector import Collector
from makerkit.errors import TelemetryError

from .conftest import wait_until


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_lesson_publish_lands_in_the_portfolio(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="lesson").start()
    try:
        with makerkit.connect("sim://esp32", clock="virtual") as kit:
            kit.configure(kit="kit-07", class_="7a", wifi_ssid="lab", broker=broker.url)
            records = []
            kit.on_record(records.append)
            rec = kit.publish("temperature", 23.5, unit="°C")
            assert rec["readings"] == {"temperature": 23.5} and rec["units"] == {"temperature": "°C"}
            kit.publish("humidity", 41)
            for _ in range(50):                       # the firmware loop runs as simulated time passes
                kit.sleep(0.02)
                if col.store.count("kit-07") == 2:
                    break
            wait_until(lambda: col.store.count("kit-07") == 2, 10, what="rows from the virtual kit")
            rows = {r["name"]: r for r in col.store.export(kit="kit-07")}
            assert rows["temperature"]["value"] == 23.5 and rows["temperature"]["unit"] == "°C"
            assert rows["temperature"]["class"] == "7a"
            assert [r["seq"] for r in records] == [rec["seq"], rec["seq"] + 1]
    finally:
        col.stop()


def test_publish_refuses_bad_readings_before_they_reach_the_kit():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        with pytest.raises(TelemetryError):
            kit.publish("Temperature!", 1)
        with pytest.raises(TelemetryError):
            kit.publish("t", math.nan)
        with pytest.raises(TelemetryError):
            kit.publish("t", "hot")
        assert kit.publish("t", 1)["seq"] >= 1
