"""A small, faithful Firmata board on a real pty, for transport, probe and CLI tests.

The host side opens the pty's slave (``board.port``, a real tty pyserial opens like a USB port);
the board answers on the master side, using makerkit's own codec the way firmware does
(``board_side=True`` decoding, the firmware-side encoders). Like a real board it:

* only understands the host at its own baud rate: bytes sent at another speed are garbage to it and
  its answers are garbage to the host (the master sees the slave's termios speed);
* ignores everything while it boots (``boot_delay`` seconds after the port is first opened),
  as StandardFirmata does while it blinks its version;
* with ``announce=True``, sends its version and firmware report by itself once booted, as
  StandardFirmata's ``Firmata.begin()`` does; a host at another speed receives that as noise;
* answers REPORT_VERSION, REPORT_FIRMWARE, CAPABILITY_QUERY and ANALOG_MAPPING_QUERY, and,
  when its firmware is makerkit, MK_IDENTITY.

``silent=True`` makes a board that never answers (an Uno running some other sketch).
``unplug()`` closes the master side: the host sees what a pulled USB cable looks like (EIO).
"""

from __future__ import annotations

import os
import select
import termios
import threading
import time
import tty

from makerkit.protocol import firmata as fm

SPEEDS = {getattr(termios, f"B{b}"): b for b in (9600, 19200, 38400, 57600, 115200)}


class FakeBoard:
    def __init__(self, *, name: str = "makerkit", version: tuple[int, int] = (1, 0),
                 protocol: tuple[int, int] = (2, 6), baud: int = 115200, pins: int = 20,
                 identity: dict | None = None, boot_delay: float = 0.0, silent: bool = False,
                 announce: bool = False):
        self.name, self.version, self.protocol = name, version, protocol
        self.announce = announce
        self.baud, self.pins, self.boot_delay, self.silent = baud, pins, boot_delay, silent
        self.identity = identity if identity is not None else {
            "fw": "makerkit", "version": "1.0.0", "proto": 1, "board": "uno", "kit": "kit-07",
            "class": "7a", "boot": 12, "features": ["dht", "sonar", "tone", "servo", "i2c"]}
        self.master, slave = os.openpty()
        # non-blocking: a read must never block, or unplug() could not close the master (a read
        # blocked in another thread keeps the file open, and the host would never see the hang-up)
        os.set_blocking(self.master, False)
        tty.setraw(slave)
        attrs = termios.tcgetattr(slave)
        attrs[4] = attrs[5] = termios.B9600  # a speed makerkit never uses: see `touched`
        termios.tcsetattr(slave, termios.TCSANOW, attrs)
        self.port = os.ttyname(slave)
        os.close(slave)
        self.received: list = []
        self.queries = 0
        self._decoder = fm.FirmataDecoder(board_side=True)
        self._stop_r, self._stop_w = os.pipe()
        self._opened_at: float | None = None
        self._unplugged = False
        self._thread = threading.Thread(target=self._run, name=f"fake-board {self.port}", daemon=True)

    def __enter__(self) -> "FakeBoard":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the board -----------------------------------------------------------------------------------
    def _host_baud(self) -> int | None:
        try:
            return SPEEDS.get(termios.tcgetattr(self.master)[4])
        except termios.error:
            return None

    def _run(self) -> None:
        announced = False
        while True:
            wait = 1.0
            if self.announce and not announced and self._opened_at is not None:
                wait = max(0.0, self._opened_at + self.boot_delay - time.monotonic())
                if wait == 0.0:
                    announced = True
                    self._send_announcement()
                    continue
            try:
                ready, _, _ = select.select([self.master, self._stop_r], [], [], wait)
            except (OSError, ValueError):
                return
            if self._stop_r in ready:
                return
            if not ready:
                continue
            try:
                data = os.read(self.master, 4096)
            except BlockingIOError:  # the host opened the slave between select() and read()
                continue
            except OSError:  # EIO: nobody has the slave open right now; wait for the next open
                self._opened_at = None
                time.sleep(0.02)
                continue
            if self._opened_at is None:
                self._opened_at = time.monotonic()  # the host opened the port: the board "resets"
            if self.silent or time.monotonic() - self._opened_at < self.boot_delay:
                continue
            if self._host_baud() != self.baud:
                self._decoder.reset()  # at the wrong speed every byte is noise
                continue
            for event in self._decoder.feed(data):
                self.received.append(event)
                reply = self._answer(event)
                if reply:
                    try:
                        os.write(self.master, reply)
                    except BlockingIOError:  # the host is not reading: a UART would overrun too
                        pass
                    except OSError:
                        return

    def _send_announcement(self) -> None:
        message = fm.protocol_version(*self.protocol) + fm.firmware_report(*self.version, self.name)
        if self._host_baud() != self.baud:  # what a UART at another speed makes of it
            message = bytes((b * 7 + 3) & 0x7F for b in message)
        try:
            os.write(self.master, message)
        except OSError:
            pass

    def _answer(self, event) -> bytes:
        if isinstance(event, fm.VersionQuery):
            self.queries += 1
            return fm.protocol_version(*self.protocol)
        if isinstance(event, fm.Sysex):
            if event.command == fm.REPORT_FIRMWARE and not event.data:
                return fm.firmware_report(self.version[0], self.version[1], self.name)
            if event.command == fm.CAPABILITY_QUERY:
                return fm.capability_response([[(0, 1), (1, 1)] for _ in range(self.pins)])
            if event.command == fm.ANALOG_MAPPING_QUERY:
                return fm.analog_mapping_response([None] * self.pins)
            if event.command == fm.MK_IDENTITY and self.name.startswith("makerkit"):
                return fm.mk_json(fm.MK_IDENTITY, self.identity)
        return b""

    @property
    def touched(self) -> bool:
        """True once a host opened the port (pyserial sets its speed) or sent anything."""
        return bool(self.received) or self._opened_at is not None or self._host_baud() != 9600

    # -- test controls -------------------------------------------------------------------------------
    def unplug(self) -> None:
        """Close the master side: the host's next read fails as with a pulled cable."""
        if not self._unplugged:
            self._unplugged = True
            os.write(self._stop_w, b"x")
            self._thread.join(timeout=2)
            os.close(self.master)

    def close(self) -> None:
        if not self._unplugged:
            self.unplug()
        for fd in (self._stop_r, self._stop_w):
            try:
                os.close(fd)
            except OSError:
                pass


class FakeSocketBoard(FakeBoard):
    """The same board behind ``socket://127.0.0.1:PORT`` (as ``makerkit sim serve --listen`` offers).

    Serves one connection at a time; ``hang_up()`` closes the current connection from the board's
    side (the host's next read raises DisconnectedError)."""

    def __init__(self, **options):
        import socket
        super().__init__(**options)
        os.close(self.master)  # no pty for this one
        self.master = -1
        self._unplugged = True
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"socket://127.0.0.1:{self._listener.getsockname()[1]}"
        self.port = self.url
        self._conn = None
        self._thread = threading.Thread(target=self._serve, name=f"fake-board {self.url}", daemon=True)

    def _serve(self) -> None:
        while True:
            ready, _, _ = select.select([self._listener, self._stop_r], [], [], 1.0)
            if self._stop_r in ready:
                return
            if not ready:
                continue
            conn, _ = self._listener.accept()
            self._conn = conn
            self._decoder.reset()
            opened = time.monotonic()
            while True:
                ready, _, _ = select.select([conn, self._stop_r], [], [], 1.0)
                if self._stop_r in ready:
                    conn.close()
                    return
                if not ready:
                    continue
                try:
                    data = conn.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    conn.close()
                    break
                if self.silent or time.monotonic() - opened < self.boot_delay:
                    continue
                for event in self._decoder.feed(data):
                    self.received.append(event)
                    reply = self._answer(event)
                    if reply:
                        try:
                            conn.sendall(reply)
                        except OSError:
                            break

    def hang_up(self) -> None:
        import socket
        if self._conn is not None:
            try:
                self._conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def close(self) -> None:
        os.write(self._stop_w, b"x")
        self._thread.join(timeout=2)
        self._listener.close()
        for fd in (self._stop_r, self._stop_w):
            try:
                os.close(fd)
            except OSError:
                pass
