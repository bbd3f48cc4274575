"""Firmata and makerkit messages as bytes: one function per message, arguments checked.

Functions named after a board's answer (``firmware_report``, ``analog_report``, ``dht_report``...)
build what a board sends; they serve firmware fakes, tests and benchmarks.
"""

from __future__ import annotations

import json
import math
from typing import Any, Iterable, Mapping

from .firmata_const import (ANALOG_MAPPING_QUERY, ANALOG_MAPPING_RESPONSE, ANALOG_MESSAGE, CAPABILITY_QUERY,
                            CAPABILITY_RESPONSE, DHT_ATTACH_DHT11, DHT_ATTACH_DHT22, DHT_DETACH, DHT_RESPONSE,
                            DHTSENSOR_DATA, DIGITAL_MESSAGE, END_SYSEX, EXTENDED_ANALOG, I2C_CONFIG, I2C_REPLY,
                            I2C_REQUEST, MK_CONFIG, MK_CONFIG_GET, MK_CONFIG_SET, MK_IDENTITY, MK_REPL, MK_TELEMETRY,
                            MK_TELEMETRY_ACK, MK_TELEMETRY_CLOCK, MK_TELEMETRY_EVENT, MK_TELEMETRY_PUT, MK_TELEMETRY_REPLAY,
                            PIN_STATE_QUERY, PIN_STATE_RESPONSE, PROTOCOL_VERSION, REPORT_ANALOG, REPORT_DIGITAL,
                            REPORT_FIRMWARE, REPORT_VERSION, SAMPLING_INTERVAL, SERVO_CONFIG, SET_DIGITAL_PIN_VALUE,
                            SET_PIN_MODE, SONAR_CONFIG, SONAR_DATA, START_SYSEX, STRING_DATA, SYSTEM_RESET,
                            TONE_DATA, TONE_NO_TONE, TONE_TONE, I2cMode)

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


def mk_identity_query(nonce: bytes = b"") -> bytes:
    """The identity query; ``nonce`` (7-bit bytes) is randomness of the host's that firmware without a
    random number generator of its own (the AVR's) mixes into the ids it makes (PROTOCOL.md §3)."""
    return _sysex_bytes(MK_IDENTITY, bytes(_check7("nonce byte", b) for b in nonce))


def mk_json(command: int, obj: Any, sub: int | None = None) -> bytes:
    """A board -> host makerkit message carrying packed JSON (for firmware fakes and tests)."""
    head = b"" if sub is None else bytes((sub,))
    text = json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return _sysex_bytes(command, head + pack7(text))


def mk_config_set(mapping: Mapping[str, Any]) -> bytes:
    return _sysex_bytes(MK_CONFIG, bytes((MK_CONFIG_SET,)) + pack7(_lines(mapping)))


def mk_config_get(show_password: bool = False) -> bytes:
    """GET; ``show_password`` asks the kit for its broker password in plain text (``show=password``:
    the bridge that logs in as the kit; firmware without a password to show answers ``"***"`` or ``""``)."""
    payload = pack7(_lines({"show": "password"})) if show_password else b""
    return _sysex_bytes(MK_CONFIG, bytes((MK_CONFIG_GET,)) + payload)


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


def mk_telemetry_event(name: str, data: Mapping[str, Any] | None = None) -> bytes:
    """A lesson event: ``event=NAME`` then one ``data.KEY=JSON`` line per item (JSON keeps the type)."""
    lines: dict[str, Any] = {"event": name}
    for key, value in (data or {}).items():
        lines[f"data.{key}"] = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return _sysex_bytes(MK_TELEMETRY, bytes((MK_TELEMETRY_EVENT,)) + pack7(_lines(lines)))


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
