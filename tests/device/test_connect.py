"""makerkit.connect: URL kinds, auto-detection of the one plugged-in board, bad arguments, and the
atexit hook that leaves a forgotten kit safe."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest

import makerkit
from makerkit.errors import PortNotFoundError, UnknownBoardError, UsageError
from makerkit.sim import serve
from makerkit.transport import ports
from makerkit.transport.ports import PortInfo


def usb_port(path, vid, pid):
    bridge, candidates, notes = ports.describe_usb(vid, pid)
    return PortInfo(port=path, description="USB Serial", vid=vid, pid=pid, bridge=bridge,
                    candidates=candidates, notes=notes)


@pytest.fixture
def served():
    srv = serve("uno", listen=None, pty=True)
    yield srv
    srv.close()


def test_auto_detects_the_one_board(served, monkeypatch):
    # USB enumeration is the hardware boundary: the OS's port list names our pty as a genuine Uno
    monkeypatch.setattr(ports, "list_ports", lambda **kw: [
        PortInfo(port="/dev/ttyS0", description="ttyS0"), usb_port(served.pty_path, 0x2341, 0x0043)])
    with makerkit.connect(timeout=30) as kit:
        assert kit.url == served.pty_path
        assert kit.board.id == "uno"


def test_no_board_plugged_in(monkeypatch):
    monkeypatch.setattr(ports, "list_ports", lambda **kw: [PortInfo(port="/dev/ttyS0")])
    with pytest.raises(PortNotFoundError) as info:
        makerkit.connect()
    assert "/dev/ttyS0" in info.value.message_en and "makerkit ports" in info.value.hint_en


def test_several_boards_plugged_in(monkeypatch):
    monkeypatch.setattr(ports, "list_ports", lambda **kw: [
        usb_port("/dev/ttyUSB0", 0x1A86, 0x7523), usb_port("/dev/ttyACM0", 0x2341, 0x0043)])
    with pytest.raises(UsageError) as info:
        makerkit.connect()
    assert "/dev/ttyUSB0" in info.value.message_en and "/dev/ttyACM0" in info.value.message_en
    assert "makerkit.connect(" in info.value.hint_en


@pytest.mark.parametrize("kwargs, error", [
    ({"url": "sim://uno", "clock": "fast"}, UsageError),
    ({"url": "sim://uno", "timeout": 0}, UsageError),
    ({"url": "sim://uno", "board": "esp32"}, UsageError),
    ({"url": "sim://toaster"}, UnknownBoardError),
    ({"url": "sim://uno", "board": "toaster"}, UnknownBoardError),
    ({"url": "   "}, UsageError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        makerkit.connect(**kwargs)


def test_board_without_identity_and_unknown_pin_count_needs_board(fake_board, monkeypatch):
    from support import fake_firmata
    monkeypatch.setattr(fake_firmata, "uno_capabilities",
                        lambda protocol=(2, 4): [((0, 1), (1, 1))] * 7)   # a board with 7 pins
    board = fake_board()
    with pytest.raises(UnknownBoardError) as info:
        makerkit.connect(board.url, timeout=30)
    assert 'board="uno"' in info.value.hint_en


def test_real_clock_virtual_kit():
    with makerkit.connect("sim://uno", clock="real") as kit:
        assert not kit.client.virtual
        led = kit.led("D13")
        start = time.monotonic()
        kit.sleep(0.1)
        assert time.monotonic() - start >= 0.1
        led.on()
        deadline = time.monotonic() + 10
        while kit.sim.world.pin_level("D13") != 1 and time.monotonic() < deadline:
            time.sleep(0.005)
        assert kit.sim.world.pin_level("D13") == 1


def test_a_forgotten_kit_is_left_safe_at_exit():
    srv = serve("uno", listen="127.0.0.1:0")
    try:
        script = textwrap.dedent(f"""
            import makerkit
            kit = makerkit.connect({srv.url!r}, timeout=30)
            kit.led("D13").on()
            kit.pwm_led("D9").value = 1
            kit.sleep(0.1)
            print("lit", flush=True)
            # no kit.close(): the atexit hook must leave the board safe
        """)
        out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)
        assert out.stdout.strip() == "lit", out.stderr
        world = srv.kit.world
        assert [e.value for e in world.trace if e.pin == "D13" and e.kind == "digital"][-2:] == [1, 0]
        deadline = time.monotonic() + 10
        while (world.pin_level("D13") or world.pwm_duty("D9")) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert world.pin_level("D13") == 0 and world.pwm_duty("D9") == 0
    finally:
        srv.close()


def test_profile_from_usb_ids_of_a_named_port(fake_board, monkeypatch):
    board = fake_board("pty")
    # a genuine Mega 2560's USB IDs on this port: USB beats the pin-count guess (which says uno)
    monkeypatch.setattr(ports, "list_ports", lambda **kw: [usb_port(board.url, 0x2341, 0x0042)])
    with makerkit.connect(board.url, timeout=30) as kit:
        assert kit.board.id == "mega2560"


def test_identity_beats_usb_ids(served, monkeypatch):
    monkeypatch.setattr(ports, "list_ports", lambda **kw: [usb_port(served.pty_path, 0x2341, 0x0042)])
    with makerkit.connect(served.pty_path, timeout=30) as kit:
        assert kit.board.id == "uno"          # the virtual kit's firmware says so
