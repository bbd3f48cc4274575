"""The dashboard on a class broker that enforces the access rules (a real mosquitto configured by
``render_mosquitto`` from the portfolio's logins): it subscribes with a ``dashboard`` login, sends the
teacher's stop with the teacher's own login, and a fake kit client answers on its own login the way
real kits do (a ``control_ack`` event on its event topic)."""

from __future__ import annotations

import json
import os
import signal
import subprocess

import paho.mqtt.client as paho
import pytest

from makerkit.access.mosquitto import render_mosquitto
from makerkit.broker import mosquitto_path
from makerkit.dashboard import DashboardServer
from makerkit.errors import BrokerError
from makerkit.protocol import control as ctl
from makerkit.protocol import telemetry as tm
from makerkit.store import open_store
from support.brokers import free_port, wait_port

from .conftest import wait_until
from .test_access import Browser

pytestmark = pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")


@pytest.fixture
def class_broker(portfolio, tmp_path):
    port = free_port()
    out = str(tmp_path / "broker")
    with open_store(portfolio["url"]) as store:
        render_mosquitto(store, listen=f"127.0.0.1:{port}", out_dir=out)
    log = open(tmp_path / "mosquitto.log", "ab")
    proc = subprocess.Popen([mosquitto_path(), "-c", os.path.join(out, "mosquitto.conf")], stdout=log, stderr=log)
    try:
        wait_port(port)
        yield f"mqtt://127.0.0.1:{port}"
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(10)
        log.close()


class FakeKit:
    """kit-01 on its own login: online (with a last will), one reading, and answers every control."""

    def __init__(self, url, creds):
        port = int(url.rsplit(":", 1)[1])
        self.client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id="kit-01")
        self.client.username_pw_set(creds.username, creds.password)
        self.client.will_set(tm.topic("7a", "kit-01", "status"), tm.status_payload("offline"), qos=1, retain=True)
        self.client.on_message = self._on_message
        self.subscribed = False
        self.client.on_subscribe = lambda *a: setattr(self, "subscribed", True)
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(
            [(tm.class_control_topic("7a"), 1), (ctl.control_topic("7a", "kit-01"), 1)])
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        wait_until(lambda: self.subscribed, 5, what="fake kit subscribed")
        self.client.publish(tm.topic("7a", "kit-01", "status"), tm.status_payload("online"), qos=1, retain=True)
        doc = {"v": 1, "seq": 1, "boot": 1, "uptime_ms": 10, "readings": {"distance": 12.5}, "units": {"distance": "cm"}}
        self.client.publish(tm.topic("7a", "kit-01"), json.dumps(doc), qos=1)

    def _on_message(self, client, userdata, msg):
        doc = ctl.parse_control(msg.payload)
        if doc is not None:
            client.publish(tm.topic("7a", "kit-01", "event"),
                           ctl.ack_payload(doc["id"], doc["cmd"], "stopped" if doc["cmd"] == "stop" else "shown",
                                           outputs=2), qos=1)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def test_dashboard_login_subscribes_and_teacher_login_controls(class_broker, portfolio):
    viewer = portfolio["dashboard"]
    server = DashboardServer(broker=class_broker, db=portfolio["url"], listen="127.0.0.1:0", classes=["7a"],
                             username=viewer.username, password=viewer.password, open_view=False).start()
    kit = FakeKit(class_broker, portfolio["kit"])
    try:
        wait_until(lambda: [t for t in server.state.snapshot("7a") if t["kit"] == "kit-01"
                            and t["status"] == "online" and t["readings"] == {"distance": 12.5}], 10,
                   what="kit-01 on the dashboard")
        b = Browser(server.url)
        assert b.login(portfolio["teacher"], next_path="/teacher")[0] == 303
        page = b.request("/teacher")[2]
        token = json.loads(page.split('type="application/json">', 1)[1].split("</script>", 1)[0])["csrf"]
        status, _, body = b.request("/api/control", {"cmd": "stop"},
                                    {"Content-Type": "application/json", "X-CSRF-Token": token})
        assert status == 200, body
        (answer,) = json.loads(body)["kits"]
        assert answer["kit"] == "kit-01" and answer["state"] == "obeyed" and answer["done"] == "stopped"
        # the kit vanishes: the broker's will turns its tile offline
        kit.client.loop_stop()
        kit.client.socket().close()
        wait_until(lambda: [t for t in server.state.snapshot("7a") if t["kit"] == "kit-01"
                            and t["status"] == "offline"], 60, what="the will of kit-01")
    finally:
        kit.close()
        server.stop()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_wrong_broker_password_is_said(class_broker, portfolio, lang, monkeypatch):
    monkeypatch.setenv("MAKERKIT_LANG", lang)
    server = DashboardServer(broker=class_broker, db=portfolio["url"], listen="127.0.0.1:0",
                             username=portfolio["dashboard"].username, password="wrong-password")
    with pytest.raises(BrokerError) as info:
        server.start()
    assert "cannot subscribe to the class broker" in info.value.message_en
    assert "看板无法订阅" in info.value.message_zh and "MAKERKIT_MQTT_PASSWORD" in info.value.hint_en
