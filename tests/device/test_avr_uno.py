"""The Kit against real firmware on an emulated ATmega328P (simavr, UART0 on a pty): the stock
StandardFirmata 2.4 build schools flash from the Arduino IDE, and makerkit's own AVR firmware.
Skipped (with the reason) when the Debian AVR toolchain is missing."""

from __future__ import annotations

import time

import pytest

import makerkit
from makerkit.errors import FeatureNotSupportedError

from support import avr_emulator as emulator

pytestmark = [pytest.mark.avr, pytest.mark.slow]


def until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture(scope="module")
def avrsim():
    missing = emulator.missing_tools()
    if missing:
        pytest.skip("the AVR emulator needs: " + ", ".join(missing))
    return emulator.build_harness()[0]


@pytest.fixture
def uno(avrsim):
    boards = []

    def make(app):
        board = emulator.EmulatedUno(avrsim=avrsim, app=app)
        boards.append(board)
        return board

    yield make
    for board in boards:
        board.close()


def test_stock_standard_firmata_on_an_emulated_uno(uno):
    try:
        app = emulator.standard_firmata_hex()
    except (OSError, ValueError) as exc:
        pytest.skip(f"cannot fetch StandardFirmata: {exc}")
    board = uno(app)
    with makerkit.connect(board.port, board="uno", timeout=30) as kit:
        assert kit.firmware.name.startswith("StandardFirmata") and not kit.firmware.is_makerkit
        # StandardFirmata talks at 57600: its garbled start-up bytes at 115200 make the host switch
        # at once (~1.9 s after opening; later when the emulator is short of CPU), rather than
        # after half the timeout (15 s). Connect-time figures are in benchmarks/bench_firmata.py.
        assert kit.handshake.baud == 57600
        assert kit.handshake.answered_after < 10.0
        led = kit.led("D13")
        led.on()
        assert until(lambda: board.level("D13") == 1)
        led.off()
        assert until(lambda: board.level("D13") == 0)
        button = kit.button("D2")
        assert until(lambda: button.is_pressed is False)
        board.set_input("D2", 0)
        assert button.wait_for_press(timeout=10)
        board.set_adc(0, 512)
        light = kit.light_sensor("A0")
        assert until(lambda: abs(light.value - 0.5) < 0.02)
        with pytest.raises(FeatureNotSupportedError):
            kit.dht11("D4")


def test_makerkit_avr_firmware_on_an_emulated_uno(uno):
    try:
        app = emulator.build_firmware() / "makerkit-uno.hex"
    except Exception as exc:  # noqa: BLE001 - no toolchain or build failure: say why
        pytest.skip(f"cannot build the makerkit AVR firmware: {exc}")
    board = uno(app)
    with makerkit.connect(board.port, timeout=30) as kit:      # 115200 answers in its first 15 s
        assert kit.firmware.is_makerkit and kit.board.id == "uno"
        assert kit.identity is not None and kit.identity.proto >= 1
        led = kit.pwm_led("D9")
        led.value = 0.5
        assert until(lambda: abs(board.pwm_duty("D9") - 0.5) < 0.02)
        button = kit.button("D2")
        assert button.is_pressed is False
        board.set_input("D2", 0)
        assert button.wait_for_press(timeout=10)
