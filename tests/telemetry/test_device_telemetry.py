"""The device side (``mkfw.telemetry``): numbering across reboots, the bounded buffer, the MK_TELEMETRY
sysex spoken with the host codec, MQTT publishing with reconnects against a real mosquitto, and the
module running under the real MicroPython interpreter."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess

import pytest

from makerkit.classroom.headless import HeadlessKit, NetHal
from makerkit.protocol import firmata
from makerkit.protocol import telemetry as tm
from mkfw.telemetry import SEQ_BLOCK, Telemetry, format_iso_ms, parse_iso_ms

from .conftest import wait_until

ROOT = pathlib.Path(__file__).resolve().parents[2]


class OfflineHal(NetHal):
    def network_ready(self):
        return False


class FakeServer:
    """What the sysex handler touches on a FirmataServer."""

    def __init__(self):
        self.sent = []
        self.features = []

    def send_json(self, command, obj, sub=None):
        self.sent.append((command, obj))

    def add_sysex_handler(self, command, handler):
        self.handler = handler

    def add_poller(self, fn):
        self.poller = fn


def records_of(data: bytes):
    return [ev for ev in firmata.FirmataDecoder().feed(data) if isinstance(ev, firmata.MkTelemetryRecord)]


def test_seq_only_grows_across_reboots_and_boot_counts(tmp_path):
    state = str(tmp_path / "state.json")
    seen = []
    for boot in range(1, 4):
        kit = HeadlessKit("7a", "kit-1", broker="mqtt://127.0.0.1:1", state_path=state)
        assert kit.telemetry.boot == boot
        for _ in range(SEQ_BLOCK + 3):
            seen.append(kit.record({"t": 1.0}))
    assert seen == sorted(seen) and len(set(seen)) == len(seen)
    # a reboot skips at most one reserved block
    steps = [b - a for a, b in zip(seen, seen[1:])]
    assert max(steps) <= SEQ_BLOCK


def test_full_buffer_drops_oldest_first_and_says_how_many():
    tel = Telemetry(OfflineHal(), {"kit": "k", "class": "c"}, boot=1, capacity=5)
    for i in range(8):
        tel.record({"n": float(i)})
    assert tel.dropped == 3
    # a hardware layer without flash keeps the outbox in RAM
    assert [e[0] for e in tel.outbox.entries] == [4, 5, 6, 7, 8]
    last = json.loads(tel.outbox.entries[-1][1])
    assert last["dropped"] == 3 and last["readings"] == {"n": 7.0}
    assert tel.missing(1, 8) == [[1, 3]]
    # delivered records make room without counting as drops
    tel.ack(8)
    tel.record({"n": 9.0})
    assert tel.dropped == 3


def test_sysex_put_record_ack_replay_clock_with_the_host_codec():
    tel = Telemetry(OfflineHal(), {"kit": "k", "class": "c"}, boot=2)
    server = FakeServer()

    def send(data: bytes):
        # the firmware's own parser cuts the host's bytes; the handler gets the body after the command
        from mkfw.parser import FirmataParser
        (kind, command, payload), = FirmataParser().feed(data)
        assert (kind, command) == ("sysex", 0x03)
        tel.handle_sysex(server, payload, 1000)

    send(firmata.mk_telemetry_put({"temperature": 23.5}, {"temperature": "°C"}))
    recs = records_of(tel.poll(1000))
    assert len(recs) == 1
    rec = tm.parse_telemetry("makerkit/v1/c/k/telemetry", recs[0].raw.encode())
    assert rec.readings == {"temperature": 23.5} and rec.units == {"temperature": "°C"} and rec.time is None
    send(firmata.mk_telemetry_clock("2026-11-23T13:00:05.120Z"))
    send(firmata.mk_telemetry_put({"humidity": 41}))
    rec2 = tm.parse_telemetry("makerkit/v1/c/k/telemetry", records_of(tel.poll(1000))[0].raw.encode())
    assert rec2.time == "2026-11-23T13:00:05.120Z" and rec2.seq == rec.seq + 1
    assert tel.pending() == 2
    send(firmata.mk_telemetry_ack(rec.seq))
    assert tel.pending() == 1
    send(firmata.mk_telemetry_replay(rec.seq, rec2.seq))
    again = records_of(tel.poll(1000))
    assert [r.payload["seq"] for r in again] == [rec.seq, rec2.seq]
    send(firmata.mk_telemetry_put({"Bad-Name": 1}))
    assert server.sent and server.sent[-1][1]["code"] == "bad_reading"


def test_iso_time_helpers_round_trip():
    for text in ("1970-01-01T00:00:00.000Z", "2026-11-23T13:00:05.120Z", "2000-02-29T23:59:59.999Z"):
        assert format_iso_ms(parse_iso_ms(text)) == text
    assert format_iso_ms(parse_iso_ms("2026-11-23T21:00:05.120+08:00")) == "2026-11-23T13:00:05.120Z"


def test_kit_buffers_while_the_broker_is_down_and_reconnects_by_itself(broker, tmp_path):
    import paho.mqtt.client as paho
    got, status = [], []
    sub = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id="watch",
                      protocol=paho.MQTTv311, clean_session=False)

    def on_message(c, u, m):
        (status if m.topic.endswith("/status") else got).append(m)
    sub.on_message = on_message
    sub.connect("127.0.0.1", broker.port)
    sub.subscribe("makerkit/v1/#", qos=1)
    sub.loop_start()
    kit = HeadlessKit("7a", "kit-r", broker=broker.url, capacity=100)
    try:
        kit.record({"t": 1.0})
        kit.pump()
        assert kit.connected
        wait_until(lambda: len(got) == 1, 5, what="first reading")
        wait_until(lambda: any(json.loads(m.payload)["state"] == "online" for m in status), 5, what="online")
        broker.stop()
        for i in range(10):
            kit.record({"t": float(i)})
            kit.pump()
        assert not kit.connected and kit.pending >= 9
        broker.start()
        wait_until(lambda: (kit.pump() or kit.pending == 0), 20, interval=0.1, what="kit reconnected and sent")
        def seqs():
            return sorted({json.loads(m.payload)["seq"] for m in got})
        wait_until(lambda: len(seqs()) == 11, 10, what=f"all readings {seqs()} {sub.is_connected()}")
        # the kit vanishing without DISCONNECT triggers its last will: retained offline
        kit.telemetry.client.close_socket()
        wait_until(lambda: json.loads(status[-1].payload)["state"] == "offline", 10, what="last will")
        assert status[-1].retain or status[-1].topic == "makerkit/v1/7a/kit-r/status"
    finally:
        kit.close()
        sub.loop_stop()


@pytest.mark.skipif(shutil.which("micropython") is None, reason="the micropython command is not installed")
def test_mkfw_telemetry_runs_under_real_micropython(tmp_path):
    script = tmp_path / "run.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(ROOT / 'firmware' / 'micropython')!r})\n"
        "from mkfw import telemetry, wire\n"
        "class Hal:\n"
        "    def __init__(self): self.state = {}\n"
        "    def load_state(self): return dict(self.state)\n"
        "    def save_state(self, s): self.state = dict(s)\n"
        "    def network_ready(self): return False\n"
        "t = telemetry.Telemetry(Hal(), {'kit': 'k', 'class': 'c'}, boot=3, capacity=4)\n"
        "t.set_clock('2026-11-23T13:00:05.120Z')\n"
        "for i in range(6): t.record({'temperature': 20.5 + i}, {'temperature': 'C'}, 100 * i)\n"
        "out = t.poll(700)\n"
        "print(t.dropped, t.next_seq, len(out) > 0, t.missing(1, 6))\n"
        "print(t.outbox.entries[-1][1].decode())\n")
    result = subprocess.run(["micropython", str(script)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr
    first, payload = result.stdout.strip().splitlines()
    assert first == "2 7 True [[1, 2]]"
    rec = tm.parse_telemetry("makerkit/v1/c/k/telemetry", payload.encode())
    assert rec.seq == 6 and rec.boot == 3 and rec.time == "2026-11-23T13:00:05.620Z" and rec.readings == {"temperature": 25.5}


def test_lesson_events_go_to_the_event_topic(broker):
    import paho.mqtt.client as paho
    import threading
    got, ready = [], threading.Event()
    sub = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2)
    sub.on_message = lambda c, u, m: got.append(m)
    sub.on_connect = lambda c, u, f, rc, p: c.subscribe("makerkit/v1/7a/kit-ev/event", qos=1)
    sub.on_subscribe = lambda *a: ready.set()
    sub.connect("127.0.0.1", broker.port)
    sub.loop_start()
    kit = HeadlessKit("7a", "kit-ev", broker=broker.url)
    try:
        assert kit.telemetry.event("checkpoint") is False          # not connected yet: says so
        kit.pump()
        assert ready.wait(5), "subscriber not subscribed"
        assert kit.telemetry.event("checkpoint", {"step": 2}, kit.hal.ticks_ms())
        wait_until(lambda: got, 5, what="event")
        doc = tm.parse_message("event", got[0].payload)
        assert doc["event"] == "checkpoint" and doc["data"] == {"step": 2} and doc["boot"] == kit.telemetry.boot
    finally:
        kit.close()
        sub.loop_stop()
