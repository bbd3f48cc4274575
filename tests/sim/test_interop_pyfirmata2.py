"""pyfirmata2 (from PyPI) drives the virtual kit over a pty: the firmware speaks standard Firmata."""

import threading
import time

import pytest

pyfirmata2 = pytest.importorskip("pyfirmata2")

from makerkit.sim import serve


def wait_until(predicate, timeout=5.0):
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


@pytest.fixture
def board(monkeypatch):
    # pyfirmata2 waits 5 s for an Arduino's auto-reset before it talks; the virtual kit needs none
    monkeypatch.setattr(pyfirmata2.pyfirmata2, "BOARD_SETUP_WAIT_TIME", 0.2)
    server = serve("uno", listen=None, pty=True)
    board = pyfirmata2.Arduino(server.pty_path)
    yield board, server.kit.world
    board.exit()
    server.close()


def test_digital_write_seen_in_the_world(board):
    board, world = board
    board.digital[13].write(1)
    assert wait_until(lambda: world.pin_level("D13") == 1)
    board.digital[13].write(0)
    assert wait_until(lambda: world.pin_level("D13") == 0)


def test_version_and_firmware_reports_parse(board):
    board, world = board
    board.samplingOn(19)
    board.send_sysex(pyfirmata2.REPORT_FIRMWARE, [])
    board.sp.write(bytes([pyfirmata2.REPORT_VERSION]))
    assert wait_until(lambda: board.firmware == "makerkit" and board.get_firmata_version() == (2, 6))


def test_analog_reads_follow_set_analog(board):
    board, world = board
    latest = {}
    seen = threading.Event()

    def on_value(value):
        latest["v"] = value
        seen.set()

    board.samplingOn(19)
    board.analog[0].register_callback(on_value)
    board.analog[0].enable_reporting()
    world.set_analog("A0", 0.25)
    assert wait_until(lambda: abs(latest.get("v", -1) - 0.25) < 0.002)
    world.set_analog("A0", 0.8)
    assert wait_until(lambda: abs(latest.get("v", -1) - 0.8) < 0.002)


def test_servo_and_pwm(board):
    board, world = board
    servo = board.get_pin("d:9:s")
    servo.write(90)
    assert wait_until(lambda: world.servo_angle("D9") is not None and abs(world.servo_angle("D9") - 90) < 0.5)
    servo.write(30)
    assert wait_until(lambda: abs(world.servo_angle("D9") - 30) < 0.5)
    led = board.get_pin("d:3:p")
    led.write(0.5)
    assert wait_until(lambda: abs(world.pwm_duty("D3") - 0.5) < 0.01)


def test_digital_input_with_pullup(board):
    board, world = board
    pin = board.get_pin("d:2:u")
    values = []
    pin.register_callback(values.append)
    board.samplingOn(19)
    pin.enable_reporting()
    assert wait_until(lambda: values and values[-1] is True)
    world.press("D2")
    assert wait_until(lambda: values[-1] is False)
