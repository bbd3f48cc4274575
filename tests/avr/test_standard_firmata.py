"""Stock StandardFirmata (an unmodified Arduino IDE build for the Uno, from avrgirl-arduino@5.0.1)
on the emulated Uno, driven by the makerkit host: the classroom Unos schools already have."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import makerkit
from support.avr_emulator import EmulatedUno
from makerkit.errors import FeatureNotSupportedError


@pytest.fixture(scope="module")
def sf_board(harness, standard_firmata):
    uno = EmulatedUno(avrsim=harness[0], app=standard_firmata)
    yield uno
    uno.close()


@pytest.fixture(scope="module")
def kit(sf_board):
    # the host opens at the makerkit speed (115200), hears nothing it understands, and finds
    # StandardFirmata at 57600 by itself (30 s: an emulator short of CPU boots late; the switch
    # comes with its garbled start-up bytes, see test_firmware_is_recognised)
    with makerkit.connect(sf_board.port, board="uno", timeout=30) as kit:
        yield kit


def test_firmware_is_recognised(kit):
    assert kit.firmware.name.startswith("StandardFirmata") and kit.firmware.version == "2.4"
    assert not kit.firmware.is_makerkit
    # found at 57600 by itself, switched on the noise rather than at half the timeout (15 s)
    assert kit.handshake.baud == 57600 and kit.handshake.answered_after < 10.0


def test_led_on_and_off(kit, sf_board):
    led = kit.led("D13")
    try:
        led.on()
        assert sf_board.wait_for(lambda: sf_board.level("D13") == 1, timeout=10)
        led.off()
        assert sf_board.wait_for(lambda: sf_board.level("D13") == 0, timeout=10)
    finally:
        led.close()


def test_pwm_duty(kit, sf_board):
    with kit.pwm_led("D6") as led:
        for value in (0.25, 0.5, 0.75):
            led.value = value
            assert sf_board.wait_for(lambda: abs(sf_board.pwm_duty("D6") - value) < 0.01, timeout=10), sf_board.pwm_duty("D6")


def test_analog_read_follows_the_adc(kit, sf_board):
    with kit.light_sensor("A1") as sensor:
        for counts in (100, 700):
            sf_board.set_adc(1, counts)
            assert sf_board.wait_for(lambda: sensor.raw == counts, timeout=10), sensor.raw


def test_button_reports(kit, sf_board):
    with kit.button("D2") as button:
        sf_board.set_input("D2", None)
        assert sf_board.wait_for(lambda: not button.is_pressed, timeout=10)
        sf_board.set_input("D2", 0)
        assert button.wait_for_press(timeout=10)
        sf_board.set_input("D2", None)
        assert button.wait_for_release(timeout=10)


def test_servo_pulse(kit, sf_board):
    with kit.servo("D9") as servo:
        servo.angle = 0
        assert sf_board.wait_for(lambda: abs(sf_board.pulse("D9")[0] - 544) < 20, timeout=10), sf_board.pulse("D9")
        servo.angle = 180
        assert sf_board.wait_for(lambda: abs(sf_board.pulse("D9")[0] - 2400) < 20, timeout=10), sf_board.pulse("D9")


@pytest.mark.parametrize("use", [
    lambda kit: kit.dht11("D4"),
    lambda kit: kit.distance_sensor("D7", "D8"),
    lambda kit: kit.configure(kit="kit-07"),
    lambda kit: kit.publish("temp", 21.5),
])
def test_makerkit_only_features_name_the_firmware_needed(kit, use):
    with pytest.raises(FeatureNotSupportedError) as info:
        use(kit)
    err = info.value
    assert "StandardFirmata" in err.message_en and "makerkit firmware" in err.message_en
    assert "makerkit flash" in err.hint_en and "makerkit flash" in err.hint_zh


def test_info_names_standard_firmata(sf_board, kit):
    kit.close()   # one program at a time on a port
    proc = subprocess.run([sys.executable, "-m", "makerkit", "info", "--port", sf_board.port, "--json",
                           "--timeout", "8"],       # 57600 gets 4 s: time for a slowed emulator to boot
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["firmware"]["name"] == "StandardFirmata" and out["firmware"]["version"] == "2.4"
    assert out["firmware"]["is_makerkit"] is False and out["baud"] == 57600
