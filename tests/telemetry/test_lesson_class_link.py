"""A lesson on a tethered kit linked to the class (``makerkit lesson run --port ... --broker ...``): over a
real mosquitto, what the lesson publishes and the events it raises reach the class topics, and a
teacher's ``say`` from the class controls reaches the program's ``kit.when_message``, so lessons 14-16
work on an Uno as on a kit with WiFi."""

from __future__ import annotations

import json
import threading

import paho.mqtt.client as paho
import pytest

import makerkit
from makerkit.classroom.control import OBEYED, say_to_class
from makerkit.errors import UsageError
from makerkit.lessons_runner import run_lesson
from makerkit.lessons_runner.tether import class_link
from makerkit.protocol import telemetry as tm

from .conftest import wait_until


class ClassTopics:
    """A dashboard's view: every telemetry record and event of class 7a."""

    def __init__(self, broker):
        self.records: list[dict] = []
        self.events: list[dict] = []
        ready = threading.Event()
        self.client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(
            [(tm.subscription("7a", "telemetry"), 1), (tm.subscription("7a", "event"), 1)])
        self.client.on_subscribe = lambda *a: ready.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert ready.wait(5), "dashboard not subscribed"

    def _on_message(self, client, userdata, msg):
        doc = json.loads(msg.payload)
        (self.records if tm.parse_topic(msg.topic).kind == "telemetry" else self.events).append(doc)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def dashboard(broker):
    view = ClassTopics(broker)
    yield view
    view.close()


def _run_in_background(lesson, kit, seconds):
    done = {}
    thread = threading.Thread(target=lambda: done.setdefault("run", run_lesson(
        lesson, kit=kit, solution=True, seconds=seconds, scenario=False)), daemon=True)
    thread.start()
    return thread, done


def test_the_weather_station_on_a_tethered_uno_reaches_the_class(broker, dashboard, tmp_path):
    kit = makerkit.connect("sim://uno", clock="real")
    try:
        with class_link(kit, broker=broker.url, class_id="7a", kit_id="kit-uno",
                        outbox=str(tmp_path / "outbox.db")):
            thread, done = _run_in_background("14-weather-station", kit, seconds=1.5)
            thread.join(30)
            wait_until(lambda: len(dashboard.records) >= 3, 10, what="the first round of readings")
    finally:
        kit.close()
    assert done["run"].crash is None
    first = {name: (rec["readings"][name], rec["units"][name]) for rec in dashboard.records[:3]
             for name in rec["readings"]}
    assert set(first) == {"temperature", "humidity", "light"}
    assert first["temperature"][1] == "°C" and first["light"][1] == "%"


def test_the_teachers_say_moves_the_window_of_a_tethered_uno(broker, dashboard, tmp_path):
    kit = makerkit.connect("sim://uno", clock="real")
    try:
        with class_link(kit, broker=broker.url, class_id="7a", kit_id="kit-uno",
                        outbox=str(tmp_path / "outbox.db")) as bridge:
            assert bridge.mqtt.subscribed.wait(15)
            thread, done = _run_in_background("16-remote-control", kit, seconds=6.0)
            wait_until(lambda: kit.sim.world.servo_angle("D9") == 0, 5, what="the window closed at the start")
            # 30 s: the wait ends when the one kit answered; a loaded machine cannot make it "no answer"
            result = say_to_class(broker=broker.url, class_id="7a", text="open", timeout=30)
            wait_until(lambda: kit.sim.world.servo_angle("D9") == 90, 5, what="the window open")
            wait_until(lambda: any(e.get("event") == "window" for e in dashboard.events), 10,
                       what="the window's report on the class's event topic")
            thread.join(30)
    finally:
        kit.close()
    assert [k.state for k in result.kits if k.kit == "kit-uno"] == [OBEYED]
    report = next(e for e in dashboard.events if e.get("event") == "window")
    assert report["data"] == {"angle": 90}
    assert "Teacher 老师 (teacher): open" in done["run"].printed


def test_a_kit_on_wifi_needs_no_link(broker):
    kit = makerkit.connect("sim://esp32", clock="real")
    try:
        kit.configure(kit="kit-esp", class_="7a", wifi_ssid="lab", broker=broker.url)
        with pytest.raises(UsageError) as info, class_link(kit, broker=broker.url):
            pass
    finally:
        kit.close()
    assert "own WiFi" in info.value.message_en and "--broker" in info.value.hint_zh
