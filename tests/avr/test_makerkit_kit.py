"""`makerkit.connect(port)` driving a board that runs makerkit's AVR firmware on the emulated Uno:
the student-facing device API end to end, down to the pins of the emulated chip."""

from __future__ import annotations

import time

import pytest

import makerkit
from support.avr_emulator import EmulatedUno


@pytest.fixture(scope="module")
def board(harness, makerkit_hex):
    uno = EmulatedUno(avrsim=harness[0], app=makerkit_hex)
    yield uno
    uno.close()


@pytest.fixture(scope="module")
def kit(board):
    with makerkit.connect(board.port, board="uno", timeout=30) as kit:     # 115200 answers in its first 15 s
        yield kit


def test_identity(kit):
    assert kit.firmware.is_makerkit and kit.firmware.version == "1.0.0"
    assert {"dht", "sonar", "tone", "servo", "i2c", "telemetry", "config"} <= set(kit.firmware.features)
    assert kit.identity.board == "uno" and kit.identity.boot >= 1


def test_button_and_led(kit, board):
    with kit.button("D2") as button, kit.led("D12") as led:
        board.set_input("D2", 0)
        assert button.wait_for_press(timeout=10)
        led.on()
        assert board.wait_for(lambda: board.level("D12") == 1, timeout=10)
        board.set_input("D2", None)
        assert button.wait_for_release(timeout=10)


def test_pwm_and_servo(kit, board):
    with kit.pwm_led("D3") as led, kit.servo("D10") as servo:
        led.value = 0.5
        servo.angle = 45
        assert board.wait_for(lambda: abs(board.pwm_duty("D3") - 0.5) < 0.01, timeout=10)
        assert board.wait_for(lambda: abs(board.pulse("D10")[0] - (544 + 1856 / 4)) < 20, timeout=10)


def test_potentiometer(kit, board):
    with kit.potentiometer("A2") as pot:
        board.set_adc(2, 1023)
        assert board.wait_for(lambda: pot.value == 1.0, timeout=10)


def test_buzzer_plays_a_tone(kit, board):
    with kit.buzzer("D11") as buzzer:
        buzzer.play(440)
        assert board.wait_for(lambda: abs(1e6 / max(board.pulse("D11")[1], 1) - 440) < 3, timeout=10)
        buzzer.stop()


def test_distance_and_dht22(kit, board):
    board.sonar("D7", "D8", 33)
    board.command("dht 4 22 24.5 61")
    with kit.distance_sensor("D7", "D8") as sonar, kit.dht22("D4") as dht:
        assert board.wait_for(lambda: sonar.distance_cm == 33, timeout=10)
        assert board.wait_for(lambda: (dht.temperature, dht.humidity) == (24.5, 61.0), timeout=10)


def test_configure_and_publish(kit):
    config = kit.configure(kit="kit-03", **{"class": "7b"})
    assert (config["kit"], config["class"]) == ("kit-03", "7b")
    records = []
    kit.on_record(records.append)
    kit.publish("temp", 21.5, unit="°C")
    deadline = time.monotonic() + 10
    while not records and time.monotonic() < deadline:
        time.sleep(0.02)
    assert records and records[-1]["readings"] == {"temp": 21.5} and records[-1]["units"] == {"temp": "°C"}


def test_lesson_event_comes_back_for_the_bridge(kit):
    """An Uno has no network: MK_TELEMETRY EVENT comes back unpublished (flag 0), stamped, for the bridge."""
    from makerkit.errors import MakerkitError
    from makerkit.protocol import firmata as fm
    from makerkit.protocol import telemetry as tm
    sent = kit.event("checkpoint", step=3, label="LED on", ok=True)
    assert sent.pop("published") is False
    doc = tm.parse_message("event", __import__("json").dumps(sent).encode())      # the documented payload
    assert doc["event"] == "checkpoint" and doc["data"] == {"step": 3, "label": "LED on", "ok": True}
    assert doc["boot"] == kit.identity.boot and doc["uptime_ms"] > 0
    with pytest.raises(MakerkitError) as info:
        kit.client.request(fm.mk_telemetry_event("Bad Name"), expect=fm.MkTelemetryEvent, timeout=10.0,
                           what=("the event", "这个事件"), raise_mk_error=fm.MK_TELEMETRY)
    assert "event" in info.value.message_en
