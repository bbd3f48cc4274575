"""Fixtures for the dashboard tests: the telemetry tests' real mosquitto, a portfolio with a class,
its students and logins, the dashboard server on a free loopback port, virtual ESP32 kits (the real
firmware on WiFi, answering the teacher's controls as real kits do), a plain MQTT publisher, and
Debian's chromium driven by playwright."""

from __future__ import annotations

import json
import os
import threading

import paho.mqtt.client as paho
import pytest

import makerkit
from makerkit.access.logins import issue_login
from makerkit.dashboard import DashboardServer
from makerkit.protocol import telemetry as tm
from makerkit.store import open_store

from telemetry.conftest import broker, wait_until  # noqa: F401 - fixtures shared with the telemetry tests

ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "artifacts")


@pytest.fixture
def portfolio(tmp_path):
    """A SQLite portfolio: class 7a, two students (with display names), kit-01 held by 王小明, a
    teacher login and a dashboard login (passwords returned, hashes stored)."""
    url = f"sqlite:///{tmp_path}/portfolio.db"
    with open_store(url) as store:
        store.add_class("7a")
        store.add_student("7a", "王小明", student_id="s-wxm001")
        store.add_student("7a", "李华", student_id="s-lh0002")
        store.assign("7a", "kit-01", student="s-wxm001")
        teacher = issue_login(store, class_id="7a", role="teacher", name="li")
        viewer = issue_login(store, class_id="7a", role="dashboard", name="hall")
        kit_login = issue_login(store, class_id="7a", role="kit", kit="kit-01")
    return {"url": url, "teacher": teacher, "dashboard": viewer, "kit": kit_login}


@pytest.fixture
def dashboard(broker, portfolio):
    server = DashboardServer(broker=broker.url, db=portfolio["url"], listen="127.0.0.1:0", classes=["7a"],
                             roster_every=0.5).start()
    yield server
    server.stop()


class Publisher:
    """A plain paho client: what a kit (or anything on the broker) publishes."""

    def __init__(self, broker):
        self.client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2)
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        self.seq = 0

    def reading(self, kit: str, readings: dict, units: dict | None = None, class_id: str = "7a"):
        self.seq += 1
        doc = {"v": 1, "seq": self.seq, "boot": 1, "uptime_ms": self.seq * 100, "readings": readings}
        if units:
            doc["units"] = units
        self.client.publish(tm.topic(class_id, kit), json.dumps(doc), qos=1).wait_for_publish(5)

    def status(self, kit: str, state: str, class_id: str = "7a"):
        self.client.publish(tm.topic(class_id, kit, "status"), json.dumps({"v": 1, "state": state}),
                            qos=1, retain=True).wait_for_publish(5)

    def event(self, kit: str, event: str, data: dict, class_id: str = "7a"):
        doc = {"v": 1, "event": event, "boot": 1, "uptime_ms": 1, "data": data}
        self.client.publish(tm.topic(class_id, kit, "event"), json.dumps(doc), qos=1).wait_for_publish(5)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher(broker):
    p = Publisher(broker)
    yield p
    p.close()


@pytest.fixture
def wifi_kits(broker):
    """Two virtual ESP32 kits of class 7a on WiFi to the broker (the real firmware: it answers the
    class control topic with control_ack events)."""
    kits = {}
    try:
        for kit_id in ("kit-02", "kit-03"):
            kit = makerkit.connect("sim://esp32", clock="real")
            kit.configure(kit=kit_id, class_="7a", wifi_ssid="lab", broker=broker.url)
            kits[kit_id] = kit
        yield kits
    finally:
        for kit in kits.values():
            kit.close()


def artifact(name: str) -> str:
    """A path under tests/artifacts/ (kept after the run, e.g. for screenshots)."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    return os.path.join(ARTIFACTS, name)
