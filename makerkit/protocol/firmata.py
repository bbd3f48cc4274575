"""Firmata 2.x codec with makerkit's extensions: bytes in, events out; commands in, bytes out.

Sans-I/O (the h11 idea): no serial port, socket, thread or clock in here. The host client, the
probe, the tests and the benchmarks all drive the same :class:`FirmataDecoder`. The whole wire
contract is ``firmware/PROTOCOL.md``.

Decoding is built for speed: a compiled regular expression cuts the stream into complete messages
and runs of garbage in C, so Python only dispatches whole messages (well over a million messages
per second on a laptop; see ``benchmarks/bench_firmata.py``). A message cut short by a command byte
is reported as :class:`Garbage` and decoding carries on with the next message: the decoder
resynchronises by itself.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Iterable, Mapping

# --- command bytes --------------------------------------------------------------------------------
DIGITAL_MESSAGE = 0x90
ANALOG_MESSAGE = 0xE0
REPORT_ANALOG = 0xC0
REPORT_DIGITAL = 0xD0
START_SYSEX = 0xF0
SET_PIN_MODE = 0xF4
SET_DIGITAL_PIN_VALUE = 0xF5
END_SYSEX = 0xF7
REPORT_VERSION = 0xF9
SYSTEM_RESET = 0xFF

# --- sysex commands -------------------------------------------------------------------------------
MK_IDENTITY = 0x01
MK_CONFIG = 0x02
MK_TELEMETRY = 0x03
MK_REPL = 0x04
MK_ERROR = 0x0F
TONE_DATA = 0x5F
SONAR_CONFIG = 0x62
SONAR_DATA = 0x63
ANALOG_MAPPING_QUERY = 0x69
ANALOG_MAPPING_RESPONSE = 0x6A
CAPABILITY_QUERY = 0x6B
CAPABILITY_RESPONSE = 0x6C
PIN_STATE_QUERY = 0x6D
PIN_STATE_RESPONSE = 0x6E
EXTENDED_ANALOG = 0x6F
SERVO_CONFIG = 0x70
STRING_DATA = 0x71
DHTSENSOR_DATA = 0x74
I2C_REQUEST = 0x76
I2C_REPLY = 0x77
I2C_CONFIG = 0x78
REPORT_FIRMWARE = 0x79
SAMPLING_INTERVAL = 0x7A

# sub-commands
MK_CONFIG_SET, MK_CONFIG_GET, MK_CONFIG_RESULT = 0x00, 0x01, 0x02
MK_TELEMETRY_PUT, MK_TELEMETRY_RECORD, MK_TELEMETRY_ACK, MK_TELEMETRY_REPLAY, MK_TELEMETRY_CLOCK = range(5)
TONE_TONE, TONE_NO_TONE = 0x00, 0x01
DHT_RESPONSE, DHT_ATTACH_DHT11, DHT_ATTACH_DHT22, DHT_DETACH, DHT_ERROR = 0x00, 0x01, 0x02, 0x03, 0x7F

PROTOCOL_VERSION = (2, 6)
MAX_SYSEX = 65536  # a sysex longer than this is garbage (protects the buffer from a runaway stream)


class PinMode(IntEnum):
    INPUT = 0x00
    OUTPUT = 0x01
    ANALOG = 0x02
    PWM = 0x03
    SERVO = 0x04
    SHIFT = 0x05
    I2C = 0x06
    ONEWIRE = 0x07
    STEPPER = 0x08
    ENCODER = 0x09
    SERIAL = 0x0A
    PULLUP = 0x0B
    SONAR = 0x0C
    TONE = 0x0D
    DHT = 0x0F
    UNAVAILABLE = 0x7F


class I2cMode(IntEnum):
    WRITE = 0b00
    READ = 0b01
    READ_CONTINUOUS = 0b10
    STOP = 0b11


# --- events ---------------------------------------------------------------------------------------
_ev = dataclass(frozen=True, slots=True)


@_ev
class ProtocolVersion:
    major: int
    minor: int


@_ev
class FirmwareReport:
    major: int
    minor: int
    name: str


@_ev
class DigitalPortReport:
    port: int
    mask: int  # bit i = pin port*8+i


@_ev
class AnalogReport:
    channel: int
    value: int


@_ev
class CapabilityReport:
    pins: tuple  # per pin: tuple of (mode, resolution)


@_ev
class AnalogMapping:
    channels: tuple  # per pin: analog channel or None


@_ev
class PinState:
    pin: int
    mode: int
    state: int


@_ev
class StringData:
    text: str


@_ev
class I2cReply:
    address: int
    register: int
    data: bytes


@_ev
class DhtReport:
    pin: int
    temperature: float
    humidity: float


@_ev
class DhtError:
    pin: int


@_ev
class SonarReport:
    trigger_pin: int
    distance_cm: int


@_ev
class MkIdentity:
    info: dict


@_ev
class MkConfig:
    config: dict


@_ev
class MkTelemetryRecord:
    payload: Any  # the decoded JSON (normally a dict), or None when it was not JSON
    raw: str


@_ev
class MkReplReady:
    info: dict


@_ev
class MkError:
    info: dict


@_ev
class UnknownSysex:
    command: int
    data: bytes


@_ev
class Garbage:
    data: bytes


# Messages a board receives (decoded too, so fakes and firmware tests can use this codec).
@_ev
class SetPinMode:
    pin: int
    mode: int


@_ev
class SetDigitalPinValue:
    pin: int
    value: int


@_ev
class ReportAnalogToggle:
    channel: int
    enabled: bool


@_ev
class ReportDigitalToggle:
    port: int
    enabled: bool


@_ev
class SystemReset:
    pass


@_ev
class VersionQuery:
    """REPORT_VERSION as a board receives it (decoded with ``board_side=True``)."""


@_ev
class Sysex:
    """A sysex query sent to a board (capability query, I2C request...): command and raw 7-bit data."""
    command: int
    data: bytes


# --- 7-bit helpers --------------------------------------------------------------------------------

def pack7(data: bytes) -> bytes:
    """Pack 8-bit bytes into 7-bit bytes, least significant bit first (ConfigurableFirmata's Encoder7Bit)."""
    out = bytearray()
    acc = bits = 0
    for b in data:
        acc |= b << bits
        bits += 8
        while bits >= 7:
            out.append(acc & 0x7F)
            acc >>= 7
            bits -= 7
    if bits:
        out.append(acc & 0x7F)
    return bytes(out)


def unpack7(data: bytes) -> bytes:
    """Inverse of :func:`pack7`; trailing bits that make no whole byte are dropped."""
    out = bytearray()
    acc = bits = 0
    for b in data:
        acc |= (b & 0x7F) << bits
        bits += 7
        if bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    return bytes(out)


def _pairs_to_bytes(data: bytes) -> bytes:
    """14-bit pairs (LSB, MSB) to bytes, as STRING_DATA and I2C_REPLY carry them."""
    return bytes((data[i] | (data[i + 1] << 7)) & 0xFF for i in range(0, len(data) - 1, 2))


def _bytes_to_pairs(data: bytes) -> bytes:
    out = bytearray()
    for b in data:
        out.append(b & 0x7F)
        out.append((b >> 7) & 0x7F)
    return bytes(out)


def _u14(value: int) -> bytes:
    return bytes((value & 0x7F, (value >> 7) & 0x7F))


def _multibyte(data: bytes) -> int:
    value = 0
    for i, b in enumerate(data):
        value |= (b & 0x7F) << (7 * i)
    return value


def _json_payload(data: bytes) -> Any:
    try:
        return json.loads(unpack7(data).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None


def _lines(mapping: Mapping[str, Any]) -> bytes:
    parts = []
    for key, value in mapping.items():
        key, text = str(key), str(value)
        if "\n" in key or "=" in key or "\n" in text:
            raise ValueError(f"config/telemetry keys and values cannot contain newlines or '=' in keys: {key!r}")
        parts.append(f"{key}={text}")
    return "\n".join(parts).encode("utf-8")


# --- decoding -------------------------------------------------------------------------------------

# Every byte of the input belongs to exactly one token: a complete message, or garbage.
_TOKEN = re.compile(
    rb"[\x90-\x9f\xe0-\xef\xf4\xf5\xf9][\x00-\x7f][\x00-\x7f]"   # three-byte messages
    rb"|[\xc0-\xdf][\x00-\x7f]"                                   # REPORT_ANALOG / REPORT_DIGITAL
    rb"|\xf0[\x00-\x7f]*\xf7"                                     # sysex
    rb"|\xff"                                                     # SYSTEM_RESET
    rb"|[\x00-\x7f]+"                                             # stray data bytes (garbage)
    rb"|[\x80-\xff]",                                             # a command byte that starts nothing whole
)
# A message that may still be completed by the next bytes: hold it back.
_PARTIAL_TAIL = re.compile(rb"(?:[\x90-\x9f\xe0-\xef\xf4\xf5\xf9][\x00-\x7f]?|[\xc0-\xdf]|\xf0[\x00-\x7f]*)\Z")
# What a board receives: REPORT_VERSION is a one-byte query there.
_TOKEN_BOARD = re.compile(rb"\xf9|" + _TOKEN.pattern.replace(rb"\xf4\xf5\xf9]", rb"\xf4\xf5]"))
_PARTIAL_TAIL_BOARD = re.compile(_PARTIAL_TAIL.pattern.replace(rb"\xf4\xf5\xf9]", rb"\xf4\xf5]"))


class FirmataDecoder:
    """Feed it bytes as they arrive; it returns the complete messages as events.

    >>> decoder = FirmataDecoder()
    >>> decoder.feed(bytes([0xE0, 0x7F, 0x07, 0xF9]))
    [AnalogReport(channel=0, value=1023)]
    >>> decoder.feed(bytes([0x02, 0x06]))
    [ProtocolVersion(major=2, minor=6)]
    """

    __slots__ = ("_buf", "_token", "_tail", "board_side")

    def __init__(self, *, board_side: bool = False) -> None:
        """``board_side=True`` decodes what a board receives (a lone 0xF9 is a version query)."""
        self._buf = b""
        self.board_side = board_side
        self._token = _TOKEN_BOARD if board_side else _TOKEN
        self._tail = _PARTIAL_TAIL_BOARD if board_side else _PARTIAL_TAIL

    def reset(self) -> None:
        self._buf = b""

    @property
    def pending(self) -> int:
        """Bytes held back because they may start a message not yet complete."""
        return len(self._buf)

    def feed(self, data: bytes) -> list:
        if self._buf:
            data = self._buf + bytes(data)
        elif not isinstance(data, bytes):
            data = bytes(data)
        tail = self._tail.search(data)
        if tail is not None:
            cut = tail.start()
            if len(data) - cut > MAX_SYSEX:
                cut = len(data)  # a runaway sysex: give it up as garbage
            self._buf = data[cut:]
            data = data[:cut]
        else:
            self._buf = b""
        events: list = []
        append = events.append
        for tok in self._token.findall(data):
            b0 = tok[0]
            if b0 >= 0xE0:
                if b0 < 0xF0:
                    if len(tok) == 3:
                        append(AnalogReport(b0 & 0x0F, tok[1] | (tok[2] << 7)))
                    else:
                        append(Garbage(tok))
                elif b0 == START_SYSEX:
                    if len(tok) >= 3 and tok[-1] == END_SYSEX:
                        append(self._sysex(tok[1], tok[2:-1]))
                    else:
                        append(Garbage(tok))
                elif b0 == REPORT_VERSION:
                    append(ProtocolVersion(tok[1], tok[2]) if len(tok) == 3 else VersionQuery())
                elif b0 == SET_PIN_MODE and len(tok) == 3:
                    append(SetPinMode(tok[1], tok[2]))
                elif b0 == SET_DIGITAL_PIN_VALUE and len(tok) == 3:
                    append(SetDigitalPinValue(tok[1], tok[2]))
                elif b0 == SYSTEM_RESET:
                    append(SystemReset())
                else:
                    append(Garbage(tok))
            elif b0 >= 0x90:
                if b0 < 0xA0 and len(tok) == 3:
                    append(DigitalPortReport(b0 & 0x0F, tok[1] | ((tok[2] & 0x01) << 7)))
                elif 0xC0 <= b0 < 0xD0 and len(tok) == 2:
                    append(ReportAnalogToggle(b0 & 0x0F, bool(tok[1])))
                elif 0xD0 <= b0 < 0xE0 and len(tok) == 2:
                    append(ReportDigitalToggle(b0 & 0x0F, bool(tok[1])))
                else:
                    append(Garbage(tok))
            else:
                append(Garbage(tok))
        return events

    # -- sysex ---------------------------------------------------------------------------------
    @staticmethod
    def _sysex(cmd: int, d: bytes):
        if cmd == REPORT_FIRMWARE:
            if len(d) >= 2:
                return FirmwareReport(d[0], d[1], _pairs_to_bytes(d[2:]).decode("utf-8", "replace"))
            return Sysex(cmd, d)  # the query
        if cmd == STRING_DATA:
            return StringData(_pairs_to_bytes(d).decode("utf-8", "replace"))
        if cmd == CAPABILITY_RESPONSE:
            pins, current = [], []
            i = 0
            while i < len(d):
                if d[i] == 0x7F:
                    pins.append(tuple(current))
                    current = []
                    i += 1
                elif i + 1 < len(d):
                    current.append((d[i], d[i + 1]))
                    i += 2
                else:
                    break
            return CapabilityReport(tuple(pins))
        if cmd == ANALOG_MAPPING_RESPONSE:
            return AnalogMapping(tuple(None if b == 0x7F else b for b in d))
        if cmd == PIN_STATE_RESPONSE and len(d) >= 2:
            return PinState(d[0], d[1], _multibyte(d[2:]))
        if cmd == I2C_REPLY and len(d) >= 4:
            return I2cReply(d[0] | (d[1] << 7), d[2] | (d[3] << 7), _pairs_to_bytes(d[4:]))
        if cmd == DHTSENSOR_DATA and len(d) >= 2:
            if d[0] == DHT_RESPONSE and len(d) >= 6:
                t = d[2] | (d[3] << 7)
                if t & 0x2000:
                    t -= 0x4000
                return DhtReport(d[1], t / 10.0, (d[4] | (d[5] << 7)) / 10.0)
            if d[0] == DHT_ERROR:
                return DhtError(d[1])
        if cmd == SONAR_DATA and len(d) >= 3:
            return SonarReport(d[0], d[1] | (d[2] << 7))
        if cmd == MK_IDENTITY and d:
            info = _json_payload(d)
            if isinstance(info, dict):
                return MkIdentity(info)
        if cmd == MK_CONFIG and len(d) >= 1 and d[0] == MK_CONFIG_RESULT:
            config = _json_payload(d[1:])
            if isinstance(config, dict):
                return MkConfig(config)
        if cmd == MK_TELEMETRY and len(d) >= 1 and d[0] == MK_TELEMETRY_RECORD:
            raw = unpack7(d[1:]).decode("utf-8", "replace")
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            return MkTelemetryRecord(payload, raw)
        if cmd == MK_REPL and d:
            info = _json_payload(d)
            if isinstance(info, dict):
                return MkReplReady(info)
        if cmd == MK_ERROR:
            info = _json_payload(d)
            if isinstance(info, dict):
                return MkError(info)
        if cmd in (CAPABILITY_QUERY, ANALOG_MAPPING_QUERY, PIN_STATE_QUERY, EXTENDED_ANALOG, SERVO_CONFIG,
                   I2C_REQUEST, I2C_CONFIG, SAMPLING_INTERVAL, TONE_DATA, SONAR_CONFIG, DHTSENSOR_DATA,
                   MK_IDENTITY, MK_CONFIG, MK_TELEMETRY, MK_REPL):
            return Sysex(cmd, d)
        return UnknownSysex(cmd, d)


def decode_all(data: bytes, *, board_side: bool = False) -> list:
    """Decode a complete byte string (convenience for tests and recordings)."""
    decoder = FirmataDecoder(board_side=board_side)
    events = decoder.feed(data)
    if decoder.pending:
        events.append(Garbage(decoder._buf))
    return events


# --- encoding -------------------------------------------------------------------------------------

def _check7(name: str, value: int, limit: int = 0x7F) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= limit:
        raise ValueError(f"{name} must be a whole number from 0 to {limit}, not {value!r}")
    return value


def _sysex_bytes(command: int, payload: bytes = b"") -> bytes:
    return bytes((START_SYSEX, command)) + payload + bytes((END_SYSEX,))


def report_version() -> bytes:
    return bytes((REPORT_VERSION,))


def protocol_version(major: int = PROTOCOL_VERSION[0], minor: int = PROTOCOL_VERSION[1]) -> bytes:
    """The board's REPORT_VERSION answer (for firmware fakes and tests)."""
    return bytes((REPORT_VERSION, _check7("major", major), _check7("minor", minor)))


def report_firmware() -> bytes:
    return _sysex_bytes(REPORT_FIRMWARE)


def firmware_report(major: int, minor: int, name: str) -> bytes:
    """The board's REPORT_FIRMWARE answer (for firmware fakes and tests)."""
    return _sysex_bytes(REPORT_FIRMWARE, bytes((_check7("major", major), _check7("minor", minor)))
                        + _bytes_to_pairs(name.encode("utf-8")))


def capability_query() -> bytes:
    return _sysex_bytes(CAPABILITY_QUERY)


def analog_mapping_query() -> bytes:
    return _sysex_bytes(ANALOG_MAPPING_QUERY)


def pin_state_query(pin: int) -> bytes:
    return _sysex_bytes(PIN_STATE_QUERY, bytes((_check7("pin", pin),)))


def set_pin_mode(pin: int, mode: int) -> bytes:
    return bytes((SET_PIN_MODE, _check7("pin", pin), _check7("mode", int(mode))))


def set_digital_pin_value(pin: int, value: int | bool) -> bytes:
    return bytes((SET_DIGITAL_PIN_VALUE, _check7("pin", pin), 1 if value else 0))


def digital_port(port: int, mask: int) -> bytes:
    _check7("port", port, 15)
    _check7("mask", mask, 0xFF)
    return bytes((DIGITAL_MESSAGE | port, mask & 0x7F, (mask >> 7) & 0x01))


def analog_report(channel: int, value: int) -> bytes:
    """The board's ANALOG_MESSAGE report (for firmware fakes and tests)."""
    _check7("channel", channel, 15)
    return bytes((ANALOG_MESSAGE | channel,)) + _u14(_check7("value", value, 0x3FFF))


def analog_write(pin: int, value: int) -> bytes:
    """PWM or servo value: ANALOG_MESSAGE for pins 0-15 and 14-bit values, else EXTENDED_ANALOG."""
    _check7("pin", pin)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"value must be a whole number from 0 upwards, not {value!r}")
    if pin <= 15 and value <= 0x3FFF:
        return bytes((ANALOG_MESSAGE | pin,)) + _u14(value)
    payload = bytearray((pin,))
    while True:
        payload.append(value & 0x7F)
        value >>= 7
        if not value:
            break
    return _sysex_bytes(EXTENDED_ANALOG, bytes(payload))


def report_analog(channel: int, on: bool) -> bytes:
    return bytes((REPORT_ANALOG | _check7("channel", channel, 15), 1 if on else 0))


def report_digital(port: int, on: bool) -> bytes:
    return bytes((REPORT_DIGITAL | _check7("port", port, 15), 1 if on else 0))


def sampling_interval(ms: int) -> bytes:
    return _sysex_bytes(SAMPLING_INTERVAL, _u14(_check7("sampling interval (ms)", int(ms), 0x3FFF)))


def servo_config(pin: int, min_us: int = 544, max_us: int = 2400) -> bytes:
    return _sysex_bytes(SERVO_CONFIG, bytes((_check7("pin", pin),))
                        + _u14(_check7("min_us", min_us, 0x3FFF)) + _u14(_check7("max_us", max_us, 0x3FFF)))


def string_data(text: str) -> bytes:
    return _sysex_bytes(STRING_DATA, _bytes_to_pairs(text.encode("utf-8")))


def i2c_config(delay_us: int = 0) -> bytes:
    return _sysex_bytes(I2C_CONFIG, _u14(_check7("delay_us", delay_us, 0x3FFF)))


def i2c_request(address: int, mode: int, data: bytes = b"", *, register: int | None = None,
                read_count: int | None = None, restart: bool = False) -> bytes:
    """An I2C_REQUEST. Writes carry ``data``; reads carry an optional ``register`` and ``read_count``."""
    _check7("address", address, 0x3FF)
    mode = int(mode)
    second = ((address >> 7) & 0x07) | ((mode & 0x03) << 3)
    if address > 0x7F:
        second |= 0x20
    if restart:
        second |= 0x40
    payload = bytearray((address & 0x7F, second))
    if mode == I2cMode.WRITE:
        payload += _bytes_to_pairs(bytes(data))
    elif mode != I2cMode.STOP:
        if register is not None:
            payload += _u14(_check7("register", register, 0x3FFF))
        if read_count is not None:
            payload += _u14(_check7("read_count", read_count, 0x3FFF))
    return _sysex_bytes(I2C_REQUEST, bytes(payload))


def i2c_reply(address: int, register: int, data: bytes) -> bytes:
    """The board's I2C_REPLY (for firmware fakes and tests)."""
    return _sysex_bytes(I2C_REPLY, _u14(address) + _u14(register) + _bytes_to_pairs(bytes(data)))


def system_reset() -> bytes:
    return bytes((SYSTEM_RESET,))


def tone(pin: int, freq_hz: int, duration_ms: int = 0) -> bytes:
    return _sysex_bytes(TONE_DATA, bytes((TONE_TONE, _check7("pin", pin)))
                        + _u14(_check7("frequency (Hz)", int(freq_hz), 0x3FFF))
                        + _u14(_check7("duration (ms)", int(duration_ms), 0x3FFF)))


def no_tone(pin: int) -> bytes:
    return _sysex_bytes(TONE_DATA, bytes((TONE_NO_TONE, _check7("pin", pin))))


def sonar_config(trigger: int, echo: int) -> bytes:
    return _sysex_bytes(SONAR_CONFIG, bytes((_check7("trigger pin", trigger), _check7("echo pin", echo))))


def sonar_report(trigger: int, distance_cm: int) -> bytes:
    return _sysex_bytes(SONAR_DATA, bytes((_check7("trigger pin", trigger),)) + _u14(min(int(distance_cm), 0x3FFF)))


def dht_attach(pin: int, kind: int = 11, interval_ms: int = 2000) -> bytes:
    if kind not in (11, 22):
        raise ValueError(f"DHT kind must be 11 or 22, not {kind!r}")
    sub = DHT_ATTACH_DHT11 if kind == 11 else DHT_ATTACH_DHT22
    return _sysex_bytes(DHTSENSOR_DATA, bytes((sub, _check7("pin", pin), 0))
                        + _u14(_check7("interval (ms)", int(interval_ms), 0x3FFF)))


def dht_detach(pin: int) -> bytes:
    return _sysex_bytes(DHTSENSOR_DATA, bytes((DHT_DETACH, _check7("pin", pin))))


def dht_report(pin: int, temperature: float, humidity: float) -> bytes:
    """The board's DHT report (for firmware fakes and tests): both values x10, temperature 14-bit signed."""
    if not (math.isfinite(temperature) and math.isfinite(humidity)):
        raise ValueError("DHT values must be finite numbers")
    t = int(round(temperature * 10)) & 0x3FFF
    h = max(0, min(int(round(humidity * 10)), 0x3FFF))
    return _sysex_bytes(DHTSENSOR_DATA, bytes((DHT_RESPONSE, _check7("pin", pin))) + _u14(t) + _u14(h))


def mk_identity_query() -> bytes:
    return _sysex_bytes(MK_IDENTITY)


def mk_json(command: int, obj: Any, sub: int | None = None) -> bytes:
    """A board -> host makerkit message carrying packed JSON (for firmware fakes and tests)."""
    head = b"" if sub is None else bytes((sub,))
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return _sysex_bytes(command, head + pack7(text))


def mk_config_set(mapping: Mapping[str, Any]) -> bytes:
    return _sysex_bytes(MK_CONFIG, bytes((MK_CONFIG_SET,)) + pack7(_lines(mapping)))


def mk_config_get() -> bytes:
    return _sysex_bytes(MK_CONFIG, bytes((MK_CONFIG_GET,)))


def mk_telemetry_put(readings: Mapping[str, float], units: Mapping[str, str] | None = None) -> bytes:
    lines: dict[str, Any] = {name: repr(float(value)) for name, value in readings.items()}
    for name, unit in (units or {}).items():
        lines[f"unit.{name}"] = unit
    return _sysex_bytes(MK_TELEMETRY, bytes((MK_TELEMETRY_PUT,)) + pack7(_lines(lines)))


def mk_telemetry_ack(upto: int) -> bytes:
    return _sysex_bytes(MK_TELEMETRY, bytes((MK_TELEMETRY_ACK,)) + pack7(_lines({"upto": int(upto)})))


def mk_telemetry_replay(first: int, last: int) -> bytes:
    return _sysex_bytes(MK_TELEMETRY, bytes((MK_TELEMETRY_REPLAY,))
                        + pack7(_lines({"from": int(first), "to": int(last)})))


def mk_telemetry_clock(iso_time: str) -> bytes:
    return _sysex_bytes(MK_TELEMETRY, bytes((MK_TELEMETRY_CLOCK,)) + pack7(_lines({"time": iso_time})))


def mk_repl() -> bytes:
    return _sysex_bytes(MK_REPL)


def parse_lines(payload: bytes) -> dict[str, str]:
    """Decode a packed ``key=value`` payload (what a board does with MK_CONFIG SET / MK_TELEMETRY PUT)."""
    out = {}
    for line in unpack7(payload).decode("utf-8", "replace").split("\n"):
        if "=" in line:
            key, value = line.split("=", 1)
            out[key] = value
    return out


def capability_response(pins: Iterable[Iterable[tuple[int, int]]]) -> bytes:
    """The board's CAPABILITY_RESPONSE (for firmware fakes and tests)."""
    payload = bytearray()
    for modes in pins:
        for mode, resolution in modes:
            payload += bytes((int(mode), resolution))
        payload.append(0x7F)
    return _sysex_bytes(CAPABILITY_RESPONSE, bytes(payload))


def analog_mapping_response(channels: Iterable[int | None]) -> bytes:
    """The board's ANALOG_MAPPING_RESPONSE (for firmware fakes and tests)."""
    return _sysex_bytes(ANALOG_MAPPING_RESPONSE, bytes(0x7F if c is None else c for c in channels))


def pin_state_response(pin: int, mode: int, state: int) -> bytes:
    payload = bytearray((pin, int(mode)))
    while True:
        payload.append(state & 0x7F)
        state >>= 7
        if not state:
            break
    return _sysex_bytes(PIN_STATE_RESPONSE, bytes(payload))
