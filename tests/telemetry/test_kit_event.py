"""``kit.event("checkpoint", step=3)`` from lesson code: MK_TELEMETRY EVENT to the kit, which publishes it
on ``makerkit/v1/{class}/{kit}/event`` (virtual ESP32 on WiFi), or hands it back for ``makerkit bridge``
to publish (a kit without network). Real mosquitto, real paho subscriber."""

from __future__ import annotations

import json
import threading

import paho.mqtt.client as paho
import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.errors import MakerkitError, TelemetryError
from makerkit.protocol import telemetry as tm

from .conftest import wait_until


class Subscriber:
    def __init__(self, broker, topic):
        self.got = []
        ready = threading.Event()
        self.client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2)
        self.client.on_message = lambda c, u, m: self.got.append(m.payload)
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(topic, qos=1)
        self.client.on_subscribe = lambda *a: ready.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert ready.wait(5), "subscriber not subscribed"

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def test_kit_event_arrives_on_the_event_topic_from_a_virtual_esp32(broker):
    sub = Subscriber(broker, "makerkit/v1/7a/kit-ev/event")
    try:
        with makerkit.connect("sim://esp32", clock="virtual") as kit:
            kit.configure(kit="kit-ev", class_="7a", wifi_ssid="lab", broker=broker.url)
            tel = kit.sim.device.app.telemetry
            for _ in range(200):                       # the firmware connects as simulated time passes
                if tel.connected:
                    break
                kit.sleep(0.02)
            assert tel.connected
            sent = kit.event("checkpoint", step=3, label="LED on", ok=True, values=[1, 2.5])
            assert sent["published"] is True and sent["event"] == "checkpoint"
            for _ in range(100):
                if sub.got:
                    break
                kit.sleep(0.02)
            wait_until(lambda: sub.got, 5, what="the event on the broker")
            doc = tm.parse_message("event", sub.got[0])         # the documented payload (schema-checked)
            assert doc["v"] == 1 and doc["event"] == "checkpoint"
            assert doc["data"] == {"step": 3, "label": "LED on", "ok": True, "values": [1, 2.5]}
            assert doc["boot"] == tel.boot and isinstance(doc["uptime_ms"], int)
            assert {k: v for k, v in sent.items() if k != "published"} == json.loads(sub.got[0])
    finally:
        sub.close()


def test_kit_event_refuses_bad_names_and_data_before_they_reach_the_kit():
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        with pytest.raises(TelemetryError):
            kit.event("Check point!")
        with pytest.raises(TelemetryError):
            kit.event("checkpoint", **{"Bad-Key": 1})
        with pytest.raises(TelemetryError):
            kit.event("checkpoint", x=float("nan"))
        with pytest.raises(TelemetryError):
            kit.event("checkpoint", x=object())
        # offline (no broker configured): the kit stamps it and hands it back unpublished
        sent = kit.event("button", pressed=1)
        assert sent["published"] is False and sent["data"] == {"pressed": 1}


def test_firmware_refuses_a_malformed_event_with_mk_error():
    from makerkit.protocol import firmata as fm
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        bad = fm.mk_telemetry_event("Bad Name")                 # the host helper would refuse this
        with pytest.raises(MakerkitError) as info:
            kit.client.request(bad, expect=fm.MkTelemetryEvent, timeout=2.0, what=("the event", "这个事件"),
                               raise_mk_error=fm.MK_TELEMETRY)
        assert "Bad Name" in str(info.value.message_en)


def test_bridge_publishes_events_of_a_kit_without_network(broker, tmp_path):
    sub = Subscriber(broker, "makerkit/v1/7b/esp-usb/event")
    try:
        with makerkit.connect("sim://esp32", clock="real") as kit:    # an ESP32 on USB, no WiFi configured
            kit.configure(kit="esp-usb", class_="7b")
            bridge = Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")).start()
            try:
                sent = kit.event("checkpoint", step=1)
                assert sent["published"] is False
                wait_until(lambda: sub.got, 10, what="the event published by the bridge")
                doc = tm.parse_message("event", sub.got[0])
                assert doc["event"] == "checkpoint" and doc["data"] == {"step": 1} and "time" in doc
                assert bridge.events == 1
            finally:
                bridge.stop()
    finally:
        sub.close()


def test_mkfw_event_handler_runs_under_real_micropython(tmp_path):
    import shutil
    import subprocess
    from pathlib import Path
    from makerkit.protocol import firmata as fm
    if shutil.which("micropython") is None:
        pytest.skip("the micropython command is not installed")
    root = Path(__file__).resolve().parents[2] / "firmware" / "micropython"
    body = fm.mk_telemetry_event("checkpoint", {"step": 3, "label": "LED on"})[2:-1]     # sub + packed lines
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(root)!r})\n"
        "from mkfw import telemetry, wire\n"
        "class Hal:\n"
        "    def __init__(self): self.state = {}\n"
        "    def load_state(self): return dict(self.state)\n"
        "    def save_state(self, s): self.state = dict(s)\n"
        "    def network_ready(self): return False\n"
        "class Server:\n"
        "    def send_json(self, cmd, obj): print('ERR', obj['code'])\n"
        "t = telemetry.Telemetry(Hal(), {'kit': 'k', 'class': 'c'}, boot=4)\n"
        "t.set_clock('2026-11-23T13:00:05.120Z')\n"
        f"t.handle_sysex(Server(), {body!r}, 250)\n"
        "out = t.poll(250)\n"
        "print(out.hex())\n"
        f"t.handle_sysex(Server(), {fm.mk_telemetry_event('Bad')[2:-1]!r}, 260)\n")
    result = subprocess.run(["micropython", str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    out_hex, err = result.stdout.strip().splitlines()
    (event,) = fm.decode_all(bytes.fromhex(out_hex))
    assert event.published is False
    assert event.payload == {"v": 1, "event": "checkpoint", "boot": 4, "uptime_ms": 0,
                             "time": "2026-11-23T13:00:05.120Z", "data": {"step": 3, "label": "LED on"}}
    assert err == "ERR bad_event"
