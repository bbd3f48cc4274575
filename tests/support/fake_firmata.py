"""A small, faithful fake of a board running stock StandardFirmata 2.4 (the Arduino IDE's example),
speaking real Firmata bytes over a loopback TCP socket or a pty.

It is the hardware boundary for tests that need what the virtual kit cannot be: firmware that
lacks the makerkit extensions, a board that never answers, one that boots slowly, a cable pulled
mid-lesson, noise on the line, and old makerkit firmware (``identity=``). What it implements is
what StandardFirmata 2.4 does: REPORT_VERSION/REPORT_FIRMWARE (also sent unasked at start-up),
capability and analog-mapping queries, SET_PIN_MODE, DIGITAL_MESSAGE writes (an INPUT pin written
1 gets its pull-up), REPORT_DIGITAL (the port at once, then on change), REPORT_ANALOG every
sampling interval, PWM through ANALOG_MESSAGE, PIN_STATE_QUERY, I2C reads (``"I2C: Too few bytes
received"`` as STRING_DATA when nobody answers). Unknown sysex commands are ignored, as
StandardFirmata ignores them; SET_DIGITAL_PIN_VALUE (protocol 2.5) is unknown to it.
"""

from __future__ import annotations

import os
import select
import socket
import threading
import time

from makerkit.protocol import firmata as fm

UNO_PWM = {3, 5, 6, 9, 10, 11}


def uno_capabilities(protocol=(2, 4)):
    pins = []
    for pin in range(20):
        modes = [(fm.PinMode.INPUT, 1), (fm.PinMode.OUTPUT, 1)]
        if protocol >= (2, 5):
            modes.append((fm.PinMode.PULLUP, 1))
        if pin >= 14:
            modes.append((fm.PinMode.ANALOG, 10))
        if pin in UNO_PWM:
            modes.append((fm.PinMode.PWM, 8))
        if pin not in (0, 1):
            modes.append((fm.PinMode.SERVO, 14))
        if pin in (18, 19):
            modes.append((fm.PinMode.I2C, 1))
        pins.append(tuple(modes))
    return pins


class FakeStandardFirmata:
    """A stock StandardFirmata board. ``listen()`` for ``socket://`` (host connections one after another), ``open_pty()`` for a pty."""

    def __init__(self, *, name="StandardFirmata.ino", version=(2, 4), protocol=(2, 4), boot_delay=0.0,
                 answer=True, identity=None, announce=True, i2c_devices=None, sampling_ms=19):
        self.name, self.version, self.protocol = name, version, protocol
        self.boot_delay, self.answer, self.identity, self.announce = boot_delay, answer, identity, announce
        self.i2c_devices = dict(i2c_devices or {})
        self.sampling_ms = sampling_ms
        self.modes: dict[int, int] = {}
        self.outputs = [0] * 20
        self.inputs = [1] * 20          # what the world drives on input pins
        self.pullups = [0] * 20
        self.pwm: dict[int, int] = {}
        self.analog = [0] * 6
        self.report_ports: set[int] = set()
        self.report_channels: set[int] = set()
        self.received: list = []        # decoded host messages, for assertions
        self._decoder = fm.FirmataDecoder(board_side=True)
        self._lock = threading.Lock()
        self._closing = threading.Lock()
        self._closed = False
        self._stop = threading.Event()
        self._sock = self._conn = None
        self._fd = None                 # pty master
        self._thread = None
        self._last_ports: dict[int, int] = {}
        self.url = None

    # --- set-up -------------------------------------------------------------------------------------
    def listen(self) -> str:
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(1)
        self.url = f"socket://127.0.0.1:{self._sock.getsockname()[1]}"
        self._thread = threading.Thread(target=self._serve_socket, daemon=True)
        self._thread.start()
        return self.url

    def open_pty(self) -> str:
        import tty
        master, slave = os.openpty()
        tty.setraw(slave)
        self._fd = master
        self.url = os.ttyname(slave)
        self._slave = slave
        self._thread = threading.Thread(target=self._serve_fd, daemon=True)
        self._thread.start()
        return self.url

    def close(self) -> None:
        """Stop serving (for a socket: the board vanishes, as when the cable is pulled). Once: a
        second call (a test's pull_cable on a timer thread, then the fixture's teardown) waits for
        the first and closes nothing again, since the descriptor numbers may belong to someone else
        by then."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._close()

    def _close(self) -> None:
        self._stop.set()
        for sock in (self._conn, self._sock):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for fd in (self._fd, getattr(self, "_slave", None)):
            if fd is not None:
                try:
                    os.close(fd)
                except OSError:
                    pass
        self._fd = None
        self._slave = None

    pull_cable = close

    # --- the world ----------------------------------------------------------------------------------
    def set_input(self, pin: int, level: int) -> None:
        with self._lock:
            self.inputs[pin] = 1 if level else 0

    def set_analog(self, channel: int, value: int) -> None:
        with self._lock:
            self.analog[channel] = value

    def inject(self, data: bytes) -> None:
        """Put raw bytes on the line (noise)."""
        self._send(data)

    # --- serving ------------------------------------------------------------------------------------
    def _serve_socket(self) -> None:
        """One host connection after another, as a USB port can be opened again; each new one
        resets the board (an Uno resets when the port opens). The first must come within 5 s."""
        self._sock.settimeout(5.0)
        first = True
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                if first:
                    return
                continue
            except OSError:
                return
            if not first:
                self._reset()
            first = False
            self._sock.settimeout(0.5)
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._conn = conn
            self._loop(conn.fileno(), lambda: conn.recv(4096))
            try:
                conn.close()
            except OSError:
                pass

    def _reset(self) -> None:
        with self._lock:
            self.modes.clear()
            self.outputs = [0] * 20
            self.pullups = [0] * 20
            self.pwm.clear()
            self.report_ports.clear()
            self.report_channels.clear()
            self._last_ports.clear()
            self._decoder = fm.FirmataDecoder(board_side=True)

    def _serve_fd(self) -> None:
        self._loop(self._fd, lambda: os.read(self._fd, 4096))

    def _send(self, data: bytes) -> None:
        try:
            if self._conn is not None:
                self._conn.sendall(data)
            elif self._fd is not None:
                os.write(self._fd, data)
        except OSError:
            pass

    def _loop(self, fd, recv) -> None:
        start = time.monotonic()
        booted = False
        next_sample = start
        while not self._stop.is_set():
            now = time.monotonic()
            if not booted and now - start >= self.boot_delay:
                booted = True
                if self.answer and self.announce:   # StandardFirmata's setup() sends both
                    self._send(fm.protocol_version(*self.protocol) + fm.firmware_report(*self.version, self.name))
            wait = 0.005 if not booted else max(0.0, min(0.05, next_sample - now))
            try:
                ready, _, _ = select.select([fd], [], [], wait)
            except (OSError, ValueError):
                return
            if ready:
                try:
                    data = recv()
                except OSError:
                    return
                if not data:
                    return
                if booted and self.answer:
                    for event in self._decoder.feed(data):
                        self.received.append(event)
                        self._handle(event)
            if booted and self.answer:
                if time.monotonic() >= next_sample:
                    next_sample += self.sampling_ms / 1000
                    with self._lock:
                        for channel in sorted(self.report_channels):
                            self._send(fm.analog_report(channel, self.analog[channel]))
                self._report_changes()

    def _port_mask(self, port: int) -> int:
        mask = 0
        for bit in range(8):
            pin = port * 8 + bit
            if pin < 20 and self.modes.get(pin, fm.PinMode.OUTPUT) in (fm.PinMode.INPUT, fm.PinMode.PULLUP):
                mask |= self.inputs[pin] << bit
        return mask

    def _report_changes(self) -> None:
        with self._lock:
            for port in sorted(self.report_ports):
                mask = self._port_mask(port)
                if self._last_ports.get(port) != mask:
                    self._last_ports[port] = mask
                    self._send(fm.digital_port(port, mask))

    def _handle(self, event) -> None:
        kind = type(event)
        if kind is fm.VersionQuery:
            self._send(fm.protocol_version(*self.protocol))
        elif kind is fm.SetPinMode:
            if event.pin < 20:
                self.modes[event.pin] = event.mode
        elif kind is fm.DigitalPortReport:
            for bit in range(8):
                pin = event.port * 8 + bit
                if pin < 20:
                    level = (event.mask >> bit) & 1
                    if self.modes.get(pin) == fm.PinMode.INPUT:
                        self.pullups[pin] = level
                    else:
                        self.outputs[pin] = level
        elif kind is fm.AnalogReport:
            self.pwm[event.channel] = event.value
        elif kind is fm.ReportDigitalToggle:
            with self._lock:
                if event.enabled:
                    self.report_ports.add(event.port)
                    mask = self._port_mask(event.port)
                    self._last_ports[event.port] = mask
                    self._send(fm.digital_port(event.port, mask))
                else:
                    self.report_ports.discard(event.port)
        elif kind is fm.ReportAnalogToggle:
            with self._lock:
                (self.report_channels.add if event.enabled else self.report_channels.discard)(event.channel)
        elif kind is fm.Sysex:
            self._sysex(event.command, event.data)

    def _sysex(self, cmd: int, data: bytes) -> None:
        if cmd == fm.REPORT_FIRMWARE:
            self._send(fm.firmware_report(*self.version, self.name))
        elif cmd == fm.CAPABILITY_QUERY:
            self._send(fm.capability_response(uno_capabilities(self.protocol)))
        elif cmd == fm.ANALOG_MAPPING_QUERY:
            self._send(fm.analog_mapping_response([None] * 14 + list(range(6))))
        elif cmd == fm.PIN_STATE_QUERY and data:
            pin = data[0]
            self._send(fm.pin_state_response(pin, self.modes.get(pin, fm.PinMode.OUTPUT), self.outputs[pin]))
        elif cmd == fm.I2C_REQUEST and len(data) >= 2:
            address = data[0] | ((data[1] & 0x07) << 7)
            mode = (data[1] >> 3) & 0x03
            rest = bytes(data[2:])
            values = [rest[i] | (rest[i + 1] << 7) for i in range(0, len(rest) - 1, 2)]
            if mode == fm.I2cMode.READ:
                register, count = (values[0], values[1]) if len(values) >= 2 else (0, values[0] if values else 0)
                device = self.i2c_devices.get(address)
                if device is None:
                    self._send(fm.string_data("I2C: Too few bytes received"))
                else:
                    self._send(fm.i2c_reply(address, register, bytes(device[:count])))
        elif cmd == fm.MK_IDENTITY and self.identity is not None:
            self._send(fm.mk_json(fm.MK_IDENTITY, self.identity))
        # anything else: StandardFirmata ignores it
