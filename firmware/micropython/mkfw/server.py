"""The sans-I/O Firmata server: ``feed(bytes)`` from the host, ``poll(now_ms) -> bytes`` to it.

MicroPython-compatible. It implements standard Firmata 2.6 (see firmware/PROTOCOL.md) over a
hardware layer (``mkfw.hal``); the makerkit extensions and the FirmataExpress/ConfigurableFirmata
features live in ``mkfw.features`` and ``mkfw.mkext`` and plug in through the same hooks any
extension uses: ``add_sysex_handler(command, handler)`` with ``handler(server, payload, now_ms)``,
and ``add_poller(fn)`` with ``fn(now_ms) -> bytes``.
"""

import json

from . import wire
from .parser import FirmataParser
from .profile import Profile

DEFAULT_SAMPLING_MS = 19
MIN_SAMPLING_MS = 10
MAX_SAMPLING_MS = 16383
SERVO_MIN_US = 544
SERVO_MAX_US = 2400

_ERRORS = {
    "bad_pin": ("The board has no pin %s.", "开发板上没有 %s 号引脚。"),
    "bad_mode": ("Pin %s cannot do that.", "%s 号引脚不支持这个功能。"),
    "unknown_sysex": ("Unknown command %s.", "不认识的命令 %s。"),
    "i2c_nack": ("No I2C device answers at address %s.", "I2C 地址 %s 上没有设备应答。"),
    "unsupported": ("This board cannot do command %s.", "这块开发板不支持命令 %s。"),
    "bad_request": ("Command %s was malformed.", "命令 %s 的格式不对。"),
    "extension_failed": ("The firmware part %s failed and was switched off.", "固件模块 %s 出错，已被关闭。"),
}


def ticks_diff(a, b):
    """a - b for millisecond tick counters that wrap at 2**30 (as MicroPython's do)."""
    return ((a - b + 0x20000000) & 0x3FFFFFFF) - 0x20000000


class FirmataServer:
    def __init__(self, hal, profile, config=None):
        self.hal = hal
        self.profile = profile if isinstance(profile, Profile) else Profile(profile)
        self.config = config if config is not None else {}
        self.state = {}
        self.boot = 0
        self.features = ["dht", "sonar", "tone", "servo", "i2c", "config"]
        if getattr(hal, "has_repl", False):
            self.features.append("repl")
        self.parser = FirmataParser()
        self.repl_requested = False
        self.now = 0
        self._out = bytearray()
        self._handlers = {}
        self._pollers = []
        self._sample_hooks = []
        self._reset_hooks = []
        self.modes = {}
        self.values = {}
        self.configured = set()   # pins whose hardware has been set up since the last reset
        self.servo_range = {}
        self.reporting_ports = {}
        self.reporting_analog = []
        self.sampling_ms = DEFAULT_SAMPLING_MS
        self._next_sample = 0
        for cmd, fn in ((wire.CAPABILITY_QUERY, _capability), (wire.ANALOG_MAPPING_QUERY, _mapping),
                        (wire.PIN_STATE_QUERY, _pin_state), (wire.EXTENDED_ANALOG, _extended_analog),
                        (wire.SERVO_CONFIG, _servo_config), (wire.STRING_DATA, _string_data),
                        (wire.REPORT_FIRMWARE, _report_firmware),
                        (wire.SAMPLING_INTERVAL, _sampling_interval)):
            self._handlers[cmd] = fn
        self._reset_state(False)

    # --- extension hooks ------------------------------------------------------------------------
    def add_sysex_handler(self, command, handler):
        """``handler(server, payload, now_ms)`` runs for every sysex ``command`` from the host."""
        self._handlers[command] = handler

    def add_poller(self, fn):
        """``fn(now_ms) -> bytes`` runs on every poll; what it returns goes to the host."""
        self._pollers.append(fn)

    def add_sample_hook(self, fn):
        """``fn(now_ms)`` runs once per sampling interval (I2C continuous reads use it)."""
        self._sample_hooks.append(fn)

    def add_reset_hook(self, fn):
        """``fn()`` runs on SYSTEM_RESET."""
        self._reset_hooks.append(fn)

    # --- I/O ------------------------------------------------------------------------------------
    def send(self, data):
        self._out.extend(data)

    def send_sysex(self, command, payload=b""):
        self._out.extend(wire.sysex(command, payload))

    def send_json(self, command, obj, sub=None):
        payload = wire.pack7(json.dumps(obj).encode("utf-8"))
        if sub is not None:
            payload = bytes((sub,)) + payload
        self.send_sysex(command, payload)

    def error(self, code, cmd, pin=None, detail=None):
        what = detail if detail is not None else (pin if pin is not None else cmd)
        en, zh = _ERRORS.get(code, ("Error %s.", "错误 %s。"))
        info = {"code": code, "cmd": cmd, "en": en % (what,), "zh": zh % (what,)}
        if pin is not None:
            info["pin"] = pin
        self.send_json(wire.MK_ERROR, info)

    def feed(self, data):
        for kind, command, payload in self.parser.feed(data):
            if kind == "sysex":
                handler = self._handlers.get(command)
                if handler is None:
                    self.error("unknown_sysex", command)
                else:
                    try:
                        handler(self, payload, self.now)
                    except Exception:  # a malformed message (or a broken extension) must not stop Firmata
                        self.error("bad_request", command)
            else:
                self._message(command, payload)

    def poll(self, now_ms):
        self.now = now_ms
        for port in self.reporting_ports:
            value = self.port_value(port)
            if value != self.reporting_ports[port]:
                self.reporting_ports[port] = value
                self._send_port(port, value)
        if ticks_diff(now_ms, self._next_sample) >= 0:
            self._next_sample = now_ms + self.sampling_ms
            for channel in self.reporting_analog:
                self._send_analog(channel)
            for hook in self._sample_hooks:
                hook(now_ms)
        for poller in list(self._pollers):
            try:
                data = poller(now_ms)
            except Exception:  # a broken extension is switched off, once, instead of stopping the loop
                self._pollers.remove(poller)
                self.error("extension_failed", 0, detail=getattr(poller, "__name__", "poller"))
                continue
            if data:
                self._out.extend(data)
        return self.take_output()

    def take_output(self):
        """Bytes queued for the host (and forget them)."""
        if not self._out:
            return b""
        out = bytes(self._out)
        self._out = bytearray()
        return out

    # --- state ------------------------------------------------------------------------------------
    def _reset_state(self, touch):
        # As StandardFirmata, digital pins start in OUTPUT mode and analog pins in ANALOG mode
        # (Firmata clients such as pyFirmata rely on it), but the hardware is only touched when a
        # pin is first used: an ESP32 must not drive every GPIO low at boot.
        for pin in self.profile.pins:
            if touch and pin in self.configured:
                self.hal.configure(pin, wire.INPUT)
            if self.profile.channel(pin) is not None:
                default = wire.ANALOG
            elif self.profile.can(pin, wire.OUTPUT):
                default = wire.OUTPUT
            else:
                default = wire.INPUT
            self.modes[pin] = default if self.profile.modes(pin) else None
            self.values[pin] = 0
        self.configured = set()
        self.servo_range = {}
        self.reporting_ports = {}
        self.reporting_analog = []
        self.sampling_ms = DEFAULT_SAMPLING_MS
        self.parser.reset()

    def system_reset(self):
        self._reset_state(True)
        for hook in self._reset_hooks:
            hook()

    def port_value(self, port):
        mask = 0
        for bit in range(8):
            pin = port * 8 + bit
            mode = self.modes.get(pin)
            if mode == wire.INPUT or mode == wire.PULLUP:
                if self.hal.digital_read(pin):
                    mask |= 1 << bit
        return mask

    def _send_port(self, port, value):
        self._out.extend(bytes((wire.DIGITAL_MESSAGE | (port & 0x0F), value & 0x7F, (value >> 7) & 0x7F)))

    def _send_analog(self, channel):
        pin = self.profile.channels.get(channel)
        if pin is None:
            return
        value = self.hal.analog_read(pin)
        if channel < 16:
            self._out.extend(bytes((wire.ANALOG_MESSAGE | channel, value & 0x7F, (value >> 7) & 0x7F)))

    def set_mode(self, pin, mode, cmd=wire.SET_PIN_MODE):
        """Change a pin's mode; sends MK_ERROR and returns False when the pin cannot do it."""
        if pin not in self.profile.pins:
            self.error("bad_pin", cmd, pin)
            return False
        if not self.profile.can(pin, mode):
            self.error("bad_mode", cmd, pin)
            return False
        self.hal.configure(pin, mode)
        if mode == wire.OUTPUT:
            self.hal.digital_write(pin, 0)
        self.configured.add(pin)
        self.modes[pin] = mode
        self.values[pin] = 1 if mode == wire.PULLUP else 0
        channel = self.profile.channel(pin)
        if channel is not None:  # as StandardFirmata: ANALOG mode turns reporting on, others off
            if mode == wire.ANALOG:
                if channel not in self.reporting_analog:
                    self.reporting_analog.append(channel)
            elif channel in self.reporting_analog:
                self.reporting_analog.remove(channel)
        return True

    def write_digital(self, pin, value, cmd=wire.SET_DIGITAL_PIN_VALUE):
        mode = self.modes.get(pin)
        value = 1 if value else 0
        if mode == wire.OUTPUT:
            if pin not in self.configured:
                self.hal.configure(pin, wire.OUTPUT)
                self.configured.add(pin)
            self.values[pin] = value
            self.hal.digital_write(pin, value)
        elif mode == wire.INPUT or mode == wire.PULLUP:  # writing 1 to an input enables its pull-up
            if self.profile.can(pin, wire.PULLUP):
                self.hal.configure(pin, wire.PULLUP if value else wire.INPUT)
                self.values[pin] = value
        elif pin not in self.profile.pins:
            self.error("bad_pin", cmd, pin)
        else:
            self.error("bad_mode", cmd, pin)

    def write_analog(self, pin, value, cmd=wire.ANALOG_MESSAGE):
        mode = self.modes.get(pin)
        if mode == wire.PWM:
            top = (1 << self.profile.pwm_bits) - 1
            value = min(value, top)
            self.values[pin] = value
            self.hal.pwm_write(pin, value, self.profile.pwm_bits)
        elif mode == wire.SERVO:
            lo, hi = self.servo_range.get(pin, (SERVO_MIN_US, SERVO_MAX_US))
            if value < 544:
                angle = min(value, 180)
                pulse = lo + (hi - lo) * angle // 180
                self.values[pin] = angle
            else:
                pulse = value
                self.values[pin] = value
            self.hal.servo_write(pin, pulse)
        elif pin not in self.profile.pins:
            self.error("bad_pin", cmd, pin)
        else:
            self.error("bad_mode", cmd, pin)

    # --- standard messages ------------------------------------------------------------------------
    def _message(self, command, data):
        if command == wire.REPORT_VERSION:
            self.send(bytes((wire.REPORT_VERSION, wire.FIRMATA_MAJOR, wire.FIRMATA_MINOR)))
        elif command == wire.SYSTEM_RESET:
            self.system_reset()
        elif command == wire.SET_PIN_MODE:
            self.set_mode(data[0], data[1])
        elif command == wire.SET_DIGITAL_PIN_VALUE:
            self.write_digital(data[0], data[1])
        else:
            kind = command & 0xF0
            low = command & 0x0F
            value = data[0] | (data[1] << 7) if len(data) == 2 else data[0]
            if kind == wire.DIGITAL_MESSAGE:
                for bit in range(8):
                    pin = low * 8 + bit
                    level = (value >> bit) & 1
                    # a 0 for a pin never used is no change: leave its hardware alone
                    if self.modes.get(pin) == wire.OUTPUT and (level or pin in self.configured):
                        self.write_digital(pin, level)
            elif kind == wire.ANALOG_MESSAGE:
                self.write_analog(low, value)
            elif kind == wire.REPORT_ANALOG:
                if value:
                    if low not in self.reporting_analog and low in self.profile.channels:
                        self.reporting_analog.append(low)
                        self._send_analog(low)
                elif low in self.reporting_analog:
                    self.reporting_analog.remove(low)
            elif kind == wire.REPORT_DIGITAL:
                if value:
                    state = self.port_value(low)
                    self.reporting_ports[low] = state
                    self._send_port(low, state)
                elif low in self.reporting_ports:
                    del self.reporting_ports[low]


# --- standard sysex handlers -------------------------------------------------------------------------

def _capability(server, payload, now):
    out = bytearray()
    for pin in range(server.profile.max_pin + 1):
        for mode, resolution in server.profile.modes(pin):
            out.append(mode)
            out.append(resolution)
        out.append(0x7F)
    server.send_sysex(wire.CAPABILITY_RESPONSE, out)


def _mapping(server, payload, now):
    out = bytearray()
    for pin in range(server.profile.max_pin + 1):
        channel = server.profile.channel(pin)
        out.append(0x7F if channel is None else channel)
    server.send_sysex(wire.ANALOG_MAPPING_RESPONSE, out)


def _pin_state(server, payload, now):
    pin = payload[0]
    mode = server.modes.get(pin)
    if mode is None:
        server.error("bad_pin", wire.PIN_STATE_QUERY, pin)
        return
    server.send_sysex(wire.PIN_STATE_RESPONSE, bytes((pin, mode)) + wire.to_multi7(server.values.get(pin, 0)))


def _extended_analog(server, payload, now):
    server.write_analog(payload[0], wire.multi7(payload[1:]), wire.EXTENDED_ANALOG)


def _servo_config(server, payload, now):
    pin = payload[0]
    lo = payload[1] | (payload[2] << 7)
    hi = payload[3] | (payload[4] << 7)
    if lo >= hi:
        server.error("bad_request", wire.SERVO_CONFIG, pin)
        return
    if server.set_mode(pin, wire.SERVO, wire.SERVO_CONFIG):
        server.servo_range[pin] = (lo, hi)


def _string_data(server, payload, now):
    server.send_sysex(wire.STRING_DATA, payload)  # echo: a cheap end-to-end check for hosts


def _report_firmware(server, payload, now):
    server.send_sysex(wire.REPORT_FIRMWARE, bytes((wire.FIRMWARE_MAJOR, wire.FIRMWARE_MINOR))
                      + wire.bytes_to_pairs(wire.FIRMWARE_NAME.encode()))


def _sampling_interval(server, payload, now):
    ms = payload[0] | (payload[1] << 7)
    server.sampling_ms = max(MIN_SAMPLING_MS, min(MAX_SAMPLING_MS, ms))
