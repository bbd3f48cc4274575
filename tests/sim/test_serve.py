"""Serving the virtual kit: loopback socket and pty, reconnects, refusals, `makerkit sim serve`."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import pytest
import serial

from makerkit.errors import UsageError
from makerkit.protocol import firmata as fm
from makerkit.sim import serve
from makerkit.sim.server import parse_listen


class SerialLink:
    """Raw Firmata over a pyserial port, decoded with the host codec."""

    def __init__(self, port):
        self.port = port
        self.decoder = fm.FirmataDecoder()
        self.events = []

    def expect(self, kind, match=lambda e: True, timeout=3.0, resend=None):
        end = time.monotonic() + timeout
        next_send = 0.0
        while True:
            for i, e in enumerate(self.events):
                if isinstance(e, kind) and match(e):
                    del self.events[i]
                    return e
            now = time.monotonic()
            if now > end:
                raise AssertionError(f"no {kind.__name__} within {timeout} s; got {self.events}")
            if resend is not None and now >= next_send:
                self.port.write(resend)
                next_send = now + 0.25
            data = self.port.read(max(1, self.port.in_waiting))
            if data:
                self.events += self.decoder.feed(data)


def open_url(url):
    return serial.serial_for_url(url, baudrate=115200, timeout=0.1)


def read_until(port, ending, timeout=3.0):
    data = b""
    end = time.monotonic() + timeout
    while not data.endswith(ending) and time.monotonic() < end:
        data += port.read(1)
    assert data.endswith(ending), data
    return data


@pytest.fixture
def uno_server():
    server = serve("uno", listen="127.0.0.1:0", pty=True)
    yield server
    server.close()


def test_socket_handshake_and_state_kept_across_reconnects(uno_server):
    assert uno_server.url.startswith("socket://127.0.0.1:")
    port = open_url(uno_server.url)
    link = SerialLink(port)
    assert link.expect(fm.ProtocolVersion, resend=fm.report_version()) == fm.ProtocolVersion(2, 6)
    port.write(fm.set_pin_mode(13, fm.PinMode.OUTPUT) + fm.set_digital_pin_value(13, 1))
    assert link.expect(fm.FirmwareReport, resend=fm.report_firmware()).name == "makerkit"
    assert uno_server.kit.world.pin_level("D13") == 1
    port.close()
    deadline = time.monotonic() + 3
    while uno_server.client_connected and time.monotonic() < deadline:
        time.sleep(0.01)
    port = open_url(uno_server.url)
    link = SerialLink(port)
    state = link.expect(fm.PinState, resend=fm.pin_state_query(13))
    assert (state.mode, state.state) == (fm.PinMode.OUTPUT, 1)   # like a board on a cable
    assert uno_server.kit.world.pin_level("D13") == 1
    port.close()


def test_a_second_program_is_refused_while_one_holds_the_port(uno_server):
    first = open_url(uno_server.url)
    SerialLink(first).expect(fm.ProtocolVersion, resend=fm.report_version())
    second = open_url(uno_server.url)
    with pytest.raises(serial.SerialException):
        end = time.monotonic() + 3
        while time.monotonic() < end:
            second.write(fm.report_version())
            if second.read(16):
                break
    first.close()
    second.close()


def test_pty_speaks_firmata(uno_server):
    assert os.path.exists(uno_server.pty_path)
    port = serial.Serial(uno_server.pty_path, 115200, timeout=0.1)
    try:
        link = SerialLink(port)
        assert link.expect(fm.FirmwareReport, resend=fm.report_firmware()).name == "makerkit"
        uno_server.kit.world.press("D2")
        port.write(fm.set_pin_mode(2, fm.PinMode.PULLUP) + fm.report_digital(0, True))
        assert link.expect(fm.DigitalPortReport).mask & 0b100 == 0
    finally:
        port.close()


@pytest.mark.parametrize("listen", ["10.0.0.5:7000", "0.0.0.0:7000", "192.168.1.2:0", "example.invalid:1"])
def test_non_loopback_addresses_are_refused(listen):
    with pytest.raises(UsageError) as info:
        serve("uno", listen=listen)
    assert "loopback" in info.value.message_en and "回环" in info.value.message_zh


def test_listen_parsing():
    assert parse_listen("127.0.0.1:5000") == ("127.0.0.1", 5000)
    assert parse_listen("localhost:0") == ("localhost", 0)
    assert parse_listen("7000") == ("127.0.0.1", 7000)
    with pytest.raises(UsageError):
        parse_listen("127.0.0.1:http")
    with pytest.raises(UsageError):
        serve("uno", listen=None, pty=False)


def _start_cli(*args):
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "--lang", "en", "sim", "serve", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lines = []
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if "Ctrl-C" in line:
            return proc, "".join(lines)
    proc.kill()
    raise AssertionError("makerkit sim serve did not start: " + "".join(lines) + proc.stderr.read())


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_cli_serves_until_signalled(sig):
    proc, text = _start_cli("--board", "esp32", "--listen", "127.0.0.1:0", "--pty")
    try:
        url = re.search(r"socket://127\.0\.0\.1:\d+", text).group(0)
        assert re.search(r"pseudo-terminal (/dev/\S+)", text)
        port = open_url(url)
        link = SerialLink(port)
        info = link.expect(fm.MkIdentity, resend=fm.mk_identity_query()).info
        assert info["board"] == "esp32" and "repl" in info["features"]
        port.close()
    finally:
        proc.send_signal(sig)
        try:
            assert proc.wait(timeout=10) == 0
        finally:
            if proc.poll() is None:
                proc.kill()


def test_cli_refuses_a_public_address():
    proc = subprocess.run([sys.executable, "-m", "makerkit", "--lang", "en", "sim", "serve", "--listen", "0.0.0.0:7000"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode == 2 and "loopback" in proc.stderr


def test_filesystem_survives_reconnects():
    server = serve("esp32", listen="127.0.0.1:0")
    try:
        server.kit.fs.write("/makerkit.json", json.dumps({"kit": "kit-03"}).encode())
        for _ in range(2):
            port = open_url(server.url)
            port.write(fm.mk_repl())
            read_until(port, b">>> ")
            port.write(b"\x01")
            read_until(port, b"raw REPL; CTRL-B to exit\r\n>")
            port.write(b"print(open('/makerkit.json').read())\x04")
            assert b"kit-03" in read_until(port, b"\x04>")
            port.write(b"\x02\x04")        # back to friendly, soft reset: the firmware runs again
            read_until(port, b"MPY: soft reboot\r\n")
            # after the 500 ms boot window the firmware answers again
            assert SerialLink(port).expect(fm.ProtocolVersion, resend=fm.report_version()) == fm.ProtocolVersion(2, 6)
            port.close()
    finally:
        server.close()


def test_cli_unknown_board_in_both_languages():
    for lang, word in (("en", "does not know a board"), ("zh", "不认识")):
        proc = subprocess.run([sys.executable, "-m", "makerkit", "--lang", lang, "sim", "serve", "--board", "toaster"],
                              capture_output=True, text=True, timeout=30)
        assert proc.returncode == 2 and word in proc.stderr and "makerkit boards" in proc.stderr
