"""rfc2217:// through open_transport, against pyserial's own RFC 2217 server side (PortManager)
bridging a loop:// port on a real loopback socket."""

from __future__ import annotations

import socket
import threading
import time

import pytest
import serial
import serial.rfc2217
from serial.urlhandler.protocol_loop import Serial as LoopSerial

from makerkit.errors import UsageError
from makerkit.transport import open_transport

# pyserial 3.5's RFC 2217 client uses the deprecated Thread.setName() and setDaemon()
pytestmark = [pytest.mark.filterwarnings("ignore:setName:DeprecationWarning"),
              pytest.mark.filterwarnings("ignore:setDaemon:DeprecationWarning")]


class Rfc2217Server:
    """One-connection RFC 2217 server; what the client sends comes back (loop://)."""

    def __init__(self, port=None):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"rfc2217://127.0.0.1:{self.listener.getsockname()[1]}"
        self.port = port if port is not None else serial.serial_for_url("loop://", timeout=0.05)
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        conn, _ = self.listener.accept()
        conn.settimeout(0.1)

        class Writer:
            write = conn.sendall

        manager = serial.rfc2217.PortManager(self.port, Writer())

        def board_to_host():
            while not self.stop.is_set():
                data = self.port.read(4096)
                if data:
                    try:
                        conn.sendall(b"".join(manager.escape(data)))
                    except OSError:
                        return

        threading.Thread(target=board_to_host, daemon=True).start()
        while not self.stop.is_set():
            try:
                data = conn.recv(4096)
            except socket.timeout:
                continue
            except OSError:
                break
            if not data:
                break
            self.port.write(b"".join(manager.filter(data)))
        conn.close()

    def close(self):
        self.stop.set()
        self.listener.close()


@pytest.fixture
def rfc_server():
    server = Rfc2217Server()
    yield server
    server.close()


def read_exactly(t, count, timeout=10.0):
    data, deadline = b"", time.monotonic() + timeout
    while len(data) < count and time.monotonic() < deadline:
        data += t.read(4096, timeout=0.2)
    return data


def test_rfc2217_round_trip_and_baud(rfc_server):
    with open_transport(rfc_server.url) as t:
        t.write(b"hello makerkit")
        assert read_exactly(t, 14) == b"hello makerkit"
        assert t.read(timeout=0.05) == b""
        t.set_baud(57600)  # sent to the server as an RFC 2217 SET-BAUDRATE
        deadline = time.monotonic() + 10
        while rfc_server.port.baudrate != 57600 and time.monotonic() < deadline:
            t.write(b"")
            t.read(timeout=0.05)
        assert rfc_server.port.baudrate == 57600


def test_a_plain_socket_server_is_not_rfc2217():
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    try:
        with pytest.raises(UsageError) as info:
            open_transport(f"rfc2217://127.0.0.1:{listener.getsockname()[1]}?timeout=0.5")
        assert "socket://" in info.value.message_en and "RFC 2217" in info.value.message_zh
    finally:
        for conn in accepted:
            conn.close()
        listener.close()


class LineRecorder(LoopSerial):
    """A loop:// port that records every DTR/RTS change the RFC 2217 server applies to it."""

    def __init__(self, *args, **kwargs):
        self.lines = []
        super().__init__(*args, **kwargs)

    def _update_dtr_state(self):
        self.lines.append(("dtr", self._dtr_state))

    def _update_rts_state(self):
        self.lines.append(("rts", self._rts_state))


def test_pulse_reset_drives_dtr_and_rts_in_the_esp32_safe_order():
    """Arduino: the DTR edge back to asserted resets it. ESP32 auto-reset: RTS asserted with DTR
    released holds EN low; RTS is released while DTR is still released, so GPIO0 is high at boot
    (a normal start, not the ROM loader). Ends with both asserted, as after opening."""
    port = LineRecorder("loop://", timeout=0.05)
    server = Rfc2217Server(port)
    try:
        with open_transport(server.url) as t:
            port.lines.clear()
            t.pulse_reset()
            deadline = time.monotonic() + 10
            while len(port.lines) < 5 and time.monotonic() < deadline:
                t.read(timeout=0.05)
        assert port.lines[:5] == [("dtr", False), ("rts", True), ("rts", False), ("dtr", True), ("rts", True)]
    finally:
        server.close()
