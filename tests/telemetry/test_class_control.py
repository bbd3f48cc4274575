"""``makerkit class stop`` / ``class say``: teacher controls over a real mosquitto, reaching virtual ESP32
kits (the real firmware, on WiFi), a 掌控板 with its OLED, and a bridged Uno; each kit's answer reported,
an offline kit named as offline, and the outputs read back as off from the virtual kits' worlds."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import paho.mqtt.client as paho
import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.classroom.control import NO_ANSWER, OBEYED, OFFLINE, REFUSED, SETTLE, say_to_class, stop_class
from makerkit.protocol import control as ctl
from makerkit.protocol import telemetry as tm

from .conftest import wait_until

WAIT = 30.0
"""How long a teacher command waits for the kits' answers here. The wait ends as soon as every online
kit has answered, so a long one costs nothing, and a loaded machine cannot turn a prompt answer into
"no answer" (the default, 2 s, is what a teacher waits; how fast kits answer is a benchmark figure)."""


class Watcher:
    """A paho client on the class's status and event topics (what a dashboard sees)."""

    def __init__(self, broker, class_id):
        self.status: dict[str, str] = {}
        self.events: list[tuple[str, dict]] = []
        ready = threading.Event()
        self.client = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2)
        self.client.on_message = self._on_message
        self.client.on_connect = lambda c, u, f, rc, p: c.subscribe(
            [(tm.subscription(class_id, "status"), 1), (tm.subscription(class_id, "event"), 1)])
        self.client.on_subscribe = lambda *a: ready.set()
        self.client.connect("127.0.0.1", broker.port)
        self.client.loop_start()
        assert ready.wait(5), "watcher not subscribed"

    def _on_message(self, client, userdata, msg):
        where = tm.parse_topic(msg.topic)
        doc = json.loads(msg.payload)
        if where.kind == "status":
            self.status[where.kit] = doc["state"]
        else:
            self.events.append((where.kit, doc))

    def publish(self, topic, payload, retain=False):
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


def _wifi_kit(board, kit_id, broker):
    kit = makerkit.connect(f"sim://{board}", clock="real")
    kit.configure(kit=kit_id, class_="7a", wifi_ssid="lab", broker=broker.url)
    return kit


@pytest.fixture
def room(broker, tmp_path):
    """Three kits online (ESP32, 掌控板, bridged Uno), one that was switched off, and a watcher."""
    watcher = Watcher(broker, "7a")
    esp = _wifi_kit("esp32", "kit-esp", broker)
    mpy = _wifi_kit("mpython", "kit-mpy", broker)
    gone = _wifi_kit("esp32", "kit-gone", broker)
    uno = makerkit.connect("sim://uno", clock="real")
    uno.configure(kit="kit-uno", class_="7a")
    bridge = Bridge(uno, broker.url, outbox=str(tmp_path / "bridge.db")).start()
    try:
        wait_until(lambda: len(watcher.status) == 4 and set(watcher.status.values()) == {"online"}, 10,
                   what="four kits online")
        # the bridge says online on connecting, before its subscriptions are acknowledged
        assert bridge.mqtt.subscribed.wait(5)
        gone.sim.hal.network_up = False      # out of WiFi range: its socket drops, the broker publishes its will
        wait_until(lambda: watcher.status.get("kit-gone") == "offline", 10, what="the will of kit-gone")
        yield dict(esp=esp, mpy=mpy, uno=uno, bridge=bridge, watcher=watcher)
    finally:
        bridge.stop()
        for kit in (esp, mpy, uno, gone):
            kit.close()
        watcher.close()


def test_stop_turns_every_output_off_and_reports_who_obeyed(broker, room):
    esp, uno = room["esp"], room["uno"]
    led, motor, buzzer, servo = esp.led("GPIO2"), esp.motor("GPIO25", "GPIO26"), esp.buzzer("GPIO27"), esp.servo("GPIO13")
    led.on()
    motor.forward(0.8)
    buzzer.play(440)
    servo.angle = 90
    uno_led, uno_pwm = uno.led("D13"), uno.pwm_led("D9")
    uno_led.on()
    uno_pwm.value = 0.5
    world, uno_world = esp.sim.world, uno.sim.world
    wait_until(lambda: world.pin_level("GPIO2") and world.tone("GPIO27") == 440 and world.motor("GPIO25", "GPIO26") > 0.7
               and uno_world.pin_level("D13") and uno_world.pwm_duty("D9") > 0.4, 15, what="outputs on")

    result = stop_class(broker=broker.url, class_id="7a", timeout=WAIT)

    by_kit = {k.kit: k for k in result.kits}
    assert set(by_kit) == {"kit-esp", "kit-mpy", "kit-uno", "kit-gone"}
    assert [by_kit[k].state for k in ("kit-esp", "kit-mpy", "kit-uno")] == [OBEYED] * 3
    assert by_kit["kit-gone"].state == OFFLINE
    assert by_kit["kit-esp"].done == "stopped" and "4 outputs off" in by_kit["kit-esp"].detail     # LED, motor (2 pins), buzzer
    assert by_kit["kit-uno"].done == "stopped" and "via bridge" in by_kit["kit-uno"].detail
    assert all(by_kit[k].seconds < 10.0 for k in ("kit-esp", "kit-mpy", "kit-uno"))   # promptly
    # the wait ended once every online kit had answered (after the settle time), not at the 30 s timeout
    assert result.ok and SETTLE <= result.seconds < 10.0
    # read back from the virtual kits' worlds: everything off, the servo holds its angle
    assert world.pin_level("GPIO2") == 0
    assert world.motor("GPIO25", "GPIO26") == 0.0
    assert world.tone("GPIO27") is None
    assert world.servo_angle("GPIO13") == 90.0
    assert uno_world.pin_level("D13") == 0 and uno_world.pwm_duty("D9") == 0.0
    # the acknowledgements are on the kits' event topics, with the request id, for any dashboard
    wait_until(lambda: {k for k, e in room["watcher"].events if e.get("event") == "control_ack"
                        and e["data"]["id"] == result.request_id} == {"kit-esp", "kit-mpy", "kit-uno"},
               15, what="acks seen by a dashboard")


def test_say_shows_on_the_oled_and_reaches_the_lesson_and_the_bridge(broker, room):
    heard = []
    room["esp"].when_message(heard.append)
    result = say_to_class(broker=broker.url, class_id="7a", text="Tidy up! 整理桌面", username="7a.teacher",
                          timeout=WAIT)
    by_kit = {k.kit: k for k in result.kits}
    assert by_kit["kit-mpy"].state == OBEYED and by_kit["kit-mpy"].done == "shown"
    assert by_kit["kit-esp"].state == OBEYED and by_kit["kit-esp"].done == "passed"
    assert by_kit["kit-uno"].state == OBEYED and by_kit["kit-uno"].done == "passed"
    assert by_kit["kit-gone"].state == OFFLINE
    assert room["mpy"].sim.world.display_text() == "Tidy up! 整理桌面"
    assert room["esp"].sim.world.display_text() is None               # an ESP32 DevKit has no display
    wait_until(lambda: heard, 10, what="the lesson's callback")
    assert heard[0]["cmd"] == "say" and heard[0]["text"] == "Tidy up! 整理桌面" and heard[0]["by"] == "7a.teacher"
    assert room["bridge"].messages[-1]["text"] == "Tidy up! 整理桌面"
    assert any(n["code"] == "teacher_says" and "Tidy up!" in n["en"] for n in room["bridge"].take_notices())


def test_malformed_control_messages_never_crash_the_firmware(broker, room):
    watcher, topic = room["watcher"], ctl.control_topic("7a")
    for junk in (b"\xff\xfe", b"[1, 2]", b"{" * 5000, json.dumps({"v": 1, "id": 7, "cmd": "stop"}).encode(),
                 json.dumps({"v": 1, "id": "r-x" * 40, "cmd": "stop"}).encode()):
        watcher.publish(topic, junk)
    watcher.publish(topic, json.dumps({"v": 1, "id": "r-bad", "cmd": "dance"}).encode())
    watcher.publish(topic, json.dumps({"v": 1, "id": "r-long", "cmd": "say", "text": "x" * 201}).encode())
    wait_until(lambda: {(k, e["data"]["id"]) for k, e in watcher.events if e.get("event") == "control_ack"}
               >= {("kit-esp", "r-bad"), ("kit-mpy", "r-bad"), ("kit-esp", "r-long")}, 15, what="refusals")
    refusals = {(k, e["data"]["id"]): e["data"] for k, e in watcher.events if e.get("event") == "control_ack"}
    assert refusals[("kit-esp", "r-bad")]["done"] == "refused" and refusals[("kit-esp", "r-bad")]["reason"] == "bad_cmd"
    assert refusals[("kit-esp", "r-long")]["reason"] == "bad_text"
    assert room["esp"].sim.device.app.server.control.ignored >= 6
    # still listening and obeying
    result = stop_class(broker=broker.url, class_id="7a", timeout=WAIT)
    assert {k.kit for k in result.kits if k.state == OBEYED} == {"kit-esp", "kit-mpy", "kit-uno"}


def _cli(*args, env=None, timeout=30):
    return subprocess.run([sys.executable, "-m", "makerkit", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "MAKERKIT_LANG": "en", "COLUMNS": "160", **(env or {})})


def test_cli_names_a_kit_that_is_online_but_silent(broker, room, tmp_path):
    # a kit whose retained status says online but which does not answer (hung, or old firmware)
    room["watcher"].publish(tm.topic("7a", "kit-hung", "status"), tm.status_payload("online"), retain=True)
    secret = "s3cret-teacher-pw"
    # the silent kit keeps the command waiting its whole --timeout: 8 s, time for the others to answer
    run = _cli("class", "stop", "--broker", broker.url, "--class", "7a", "--username", "7a.teacher",
               "--timeout", "8", env={"MAKERKIT_MQTT_PASSWORD": secret})
    assert run.returncode == 11, run.stdout + run.stderr
    lines = {line.split()[1]: line for line in run.stdout.splitlines() if "kit-" in line}
    assert "no answer" in lines["kit-hung"] and "obeyed" in lines["kit-esp"] and "offline" in lines["kit-gone"]
    assert "3 obeyed, 1 offline, 1 online but did not obey" in run.stdout
    assert secret not in run.stdout + run.stderr
    room["watcher"].publish(tm.topic("7a", "kit-hung", "status"), tm.status_payload("offline"), retain=True)
    ok = _cli("class", "say", "--broker", broker.url, "--class", "7a", "--timeout", str(WAIT), "Lunch!", timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "3 obeyed, 2 offline" in ok.stdout


def test_inventory_names_kits_that_never_came_online(broker, room, tmp_path):
    from makerkit.store import open_store
    db = f"sqlite:///{tmp_path}/portfolio.db"
    with open_store(db) as store:
        store.add_class("7a")
        store.register_kit("7a", "kit-spare", board="esp32")
    result = stop_class(broker=broker.url, class_id="7a", db=db, timeout=WAIT)
    spare = next(k for k in result.kits if k.kit == "kit-spare")
    assert spare.state == OFFLINE and spare.detail == "never online"
    assert result.ok and NO_ANSWER not in {k.state for k in result.kits} and REFUSED not in {k.state for k in result.kits}


def test_say_refuses_an_empty_or_too_long_text_before_publishing(broker):
    from makerkit.errors import UsageError
    with pytest.raises(UsageError):
        say_to_class(broker=broker.url, class_id="7a", text="  ")
    with pytest.raises(UsageError) as info:
        say_to_class(broker=broker.url, class_id="7a", text="x" * 201)
    assert "200" in info.value.message_en and "200" in info.value.message_zh


def test_a_running_lesson_shows_say_and_ends_at_stop(broker):
    from makerkit.lessons_runner import Output, run_lesson
    kit = _wifi_kit("esp32", "kit-lesson", broker)
    events, done = [], []
    try:
        worker = threading.Thread(target=lambda: done.append(run_lesson(
            "01-blink", kit=kit, solution=True, seconds=120, clock="real", on_event=events.append)), daemon=True)
        worker.start()
        wait_until(lambda: any(isinstance(e, Output) and "on" in e.text for e in events), 10, what="the lesson blinking")
        said = say_to_class(broker=broker.url, class_id="7a", text="Five minutes left", timeout=WAIT)
        assert said.named(OBEYED) == ["kit-lesson"]
        wait_until(lambda: any(isinstance(e, Output) and "Five minutes left" in e.text for e in events), 10,
                   what="the teacher's words in the run")
        stopped = stop_class(broker=broker.url, class_id="7a", timeout=WAIT)
        assert stopped.named(OBEYED) == ["kit-lesson"]
        worker.join(30)
        # ended by the stop (the run says so), long before its 120 s budget
        assert done and done[0].crash is None and done[0].elapsed < 60
        assert any(isinstance(e, Output) and "停下" in e.text for e in events)
        assert kit.sim.world.pin_level("LED_BUILTIN") == 0
    finally:
        kit.close()
