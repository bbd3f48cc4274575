"""What goes wrong in a classroom: cables pulled mid-lesson, noise on the line, a student's callback
that raises, old makerkit firmware."""

from __future__ import annotations

import threading
import time
import warnings

import pytest

import makerkit
from makerkit.device.handshake import FirmwareWarning
from makerkit.errors import DisconnectedError
from makerkit.protocol import firmata as fm


@pytest.mark.parametrize("transport", ["socket", "pty"])
def test_cable_pulled_under_a_blocked_call(fake_board, transport):
    board = fake_board(transport)
    kit = makerkit.connect(board.url, board="uno", timeout=30)
    button = kit.button("D2")
    assert button.is_pressed is False
    threading.Timer(0.3, board.pull_cable).start()
    start = time.monotonic()
    with pytest.raises(DisconnectedError):
        button.wait_for_press(timeout=60)
    assert time.monotonic() - start < 10.0   # raised by the pull (0.3 s), not at the 60 s timeout
    with pytest.raises(DisconnectedError):        # and every later call says so too
        kit.led("D13").on()
    kit.close()                                   # closing a kit whose cable is gone is fine


@pytest.mark.parametrize("transport", ["socket", "pty"])
def test_cable_pulled_during_sleep(fake_board, transport):
    board = fake_board(transport)
    kit = makerkit.connect(board.url, board="uno", timeout=30)
    threading.Timer(0.2, board.pull_cable).start()
    start = time.monotonic()
    with pytest.raises(DisconnectedError):
        kit.sleep(60)
    assert time.monotonic() - start < 10.0   # ended by the pull (0.2 s), not by the 60 s sleep
    kit.close()


def test_garbage_mid_stream_is_skipped(stock_kit):
    kit, board = stock_kit
    knob = kit.potentiometer("A0")
    board.set_analog(0, 100)
    deadline = time.monotonic() + 10
    while knob.raw != 100 and time.monotonic() < deadline:
        time.sleep(0.01)
    # noise: stray data bytes, a truncated ANALOG_MESSAGE, a sysex cut short by a command byte
    board.inject(b"\x13\x37\x7f" + b"\xe0\x05" + b"\xf0\x79\x02" + b"\x00\x55")
    board.set_analog(0, 700)
    deadline = time.monotonic() + 10
    while knob.raw != 700 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert knob.raw == 700
    assert kit.client.garbage_bytes > 0
    version = kit.client.request(fm.report_version(), expect=fm.ProtocolVersion, timeout=10)
    assert (version.major, version.minor) == (2, 4)


def test_exception_in_a_callback_reaches_the_next_call(stock_kit):
    kit, board = stock_kit
    button = kit.button("D2")
    led = kit.led("D13")
    assert not button.is_pressed

    def broken():
        return 1 / 0

    button.when_pressed = broken
    board.set_input(2, 0)
    with pytest.raises(ZeroDivisionError):
        for _ in range(1000):         # the student's loop: the error surfaces on a call (10 s at most)
            kit.sleep(0.01)
    led.on()                          # raised once, then the kit carries on
    assert button.is_pressed


def test_exception_in_a_listener_does_not_kill_the_reader(stock_kit):
    kit, board = stock_kit
    kit.client.add_listener(fm.AnalogReport, lambda event: {}["missing"])
    kit.light_sensor("A2")
    with pytest.raises(KeyError):
        for _ in range(1000):         # the first analog report (every 19 ms) raises: 10 s at most
            kit.sleep(0.01)
    kit.client.remove_listener(fm.AnalogReport, kit.client._listeners[fm.AnalogReport][0])
    board.set_analog(2, 1023)
    kit.sleep(0.1)
    assert kit.client.request(fm.report_version(), expect=fm.ProtocolVersion, timeout=10)


def test_old_makerkit_firmware_warns_with_how_to_update(fake_board):
    identity = {"fw": "makerkit", "version": "0.9.2", "proto": 0, "board": "uno", "kit": "kit-07",
                "class": "7a", "boot": 3, "features": ["servo", "i2c"]}
    board = fake_board(name="makerkit-uno", version=(0, 9), protocol=(2, 6), identity=identity)
    with pytest.warns(FirmwareWarning) as record:
        kit = makerkit.connect(board.url, timeout=30)
    try:
        assert kit.firmware.is_makerkit and kit.firmware.version == "0.9.2"
        assert kit.identity.kit_id == "kit-07" and kit.identity.class_id == "7a" and kit.identity.boot == 3
        assert kit.board.id == "uno"                  # from the identity
        assert len(kit.warnings) == 1
        warning = kit.warnings[0]
        assert "makerkit flash --board uno" in warning.en and "0.9.2" in warning.en
        assert "更新固件" in warning.zh
        assert record[0].message is warning
    finally:
        kit.close()


def test_current_makerkit_firmware_does_not_warn(fake_board):
    identity = {"fw": "makerkit", "version": "1.0.0", "proto": 1, "board": "uno", "kit": "", "class": "",
                "boot": 1, "features": ["dht"]}
    board = fake_board(name="makerkit-uno", version=(1, 0), protocol=(2, 6), identity=identity)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with makerkit.connect(board.url, timeout=30) as kit:
            assert kit.warnings == []
            assert kit.firmware.supports("dht")
