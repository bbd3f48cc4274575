"""Firmata 2.x codec with makerkit's extensions: bytes in, events out; commands in, bytes out.

Sans-I/O (the h11 idea): no serial port, socket, thread or clock in here. The host client, the
probe, the tests and the benchmarks all drive the same :class:`FirmataDecoder`. The whole wire
contract is ``firmware/PROTOCOL.md``.

Decoding is built for speed: a compiled regular expression cuts the stream into complete messages
and runs of garbage in C, so Python only dispatches whole messages (well over a million messages
per second on a laptop; see ``benchmarks/bench_firmata.py``). A message cut short by a command byte
is reported as :class:`Garbage` and decoding carries on with the next message: the decoder
resynchronises by itself.

This module holds the decoder and re-exports the constants (:mod:`.firmata_const`), the events
(:mod:`.firmata_events`) and the encoders (:mod:`.firmata_encode`), so callers need only
``from makerkit.protocol import firmata``.
"""

from __future__ import annotations

import json
import re

from .firmata_const import *  # noqa: F401,F403
from .firmata_const import (ANALOG_MAPPING_QUERY, ANALOG_MAPPING_RESPONSE, CAPABILITY_QUERY, CAPABILITY_RESPONSE,
                            DHT_ERROR, DHT_RESPONSE, DHTSENSOR_DATA, END_SYSEX, EXTENDED_ANALOG, I2C_CONFIG,
                            I2C_REPLY, I2C_REQUEST, MAX_SYSEX, MK_CONFIG, MK_CONFIG_RESULT, MK_CONTROL, MK_ERROR, MK_IDENTITY,
                            MK_REPL, MK_TELEMETRY, MK_TELEMETRY_EVENT, MK_TELEMETRY_RECORD, PIN_STATE_QUERY, PIN_STATE_RESPONSE,
                            REPORT_FIRMWARE, REPORT_VERSION, SAMPLING_INTERVAL, SERVO_CONFIG, SET_DIGITAL_PIN_VALUE,
                            SET_PIN_MODE, SONAR_CONFIG, SONAR_DATA, START_SYSEX, STRING_DATA, SYSTEM_RESET, TONE_DATA)
from .firmata_encode import *  # noqa: F401,F403
from .firmata_encode import _json_payload, _multibyte, _pairs_to_bytes, pack7, unpack7  # noqa: F401
from .firmata_events import *  # noqa: F401,F403
from .firmata_events import (AnalogMapping, AnalogReport, CapabilityReport, DhtError, DhtReport, DigitalPortReport,
                             FirmwareReport, Garbage, I2cReply, MkConfig, MkControl, MkError, MkIdentity, MkReplReady,
                             MkTelemetryEvent, MkTelemetryRecord, PinState, ProtocolVersion, ReportAnalogToggle, ReportDigitalToggle,
                             SetDigitalPinValue, SetPinMode, SonarReport, StringData, Sysex, SystemReset,
                             UnknownSysex, VersionQuery)

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
                        ev = self._sysex(tok[1], tok[2:-1])
                        if self.board_side and ev.__class__ is MkTelemetryEvent:   # host->board EVENT: raw
                            ev = Sysex(tok[1], tok[2:-1])
                        append(ev)
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
        """A sysex's event: its decoder's (:data:`_SYSEX_DECODERS`), else the raw sysex when the
        command is one a board answers or the decoder did not recognise, else an unknown sysex."""
        decode = _SYSEX_DECODERS.get(cmd)
        if decode is not None:
            event = decode(d)
            if event is not None:
                return event
        if cmd in _RAW_SYSEX:
            return Sysex(cmd, d)
        return UnknownSysex(cmd, d)


# --- sysex decoders -------------------------------------------------------------------------------
# One per sysex command: the payload (between command and END_SYSEX) in, the event out, or None when
# the payload is not the decoded kind (FirmataDecoder._sysex then returns the raw sysex).

def _firmware(d: bytes):
    if len(d) >= 2:
        return FirmwareReport(d[0], d[1], _pairs_to_bytes(d[2:]).decode("utf-8", "replace"))
    return Sysex(REPORT_FIRMWARE, d)  # the query


def _string(d: bytes):
    return StringData(_pairs_to_bytes(d).decode("utf-8", "replace"))


def _capabilities(d: bytes):
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


def _analog_mapping(d: bytes):
    return AnalogMapping(tuple(None if b == 0x7F else b for b in d))


def _pin_state(d: bytes):
    return PinState(d[0], d[1], _multibyte(d[2:])) if len(d) >= 2 else None


def _i2c_reply(d: bytes):
    return I2cReply(d[0] | (d[1] << 7), d[2] | (d[3] << 7), _pairs_to_bytes(d[4:])) if len(d) >= 4 else None


def _dht(d: bytes):
    if len(d) < 2:
        return None
    if d[0] == DHT_RESPONSE and len(d) >= 6:
        t = d[2] | (d[3] << 7)
        if t & 0x2000:
            t -= 0x4000
        return DhtReport(d[1], t / 10.0, (d[4] | (d[5] << 7)) / 10.0)
    if d[0] == DHT_ERROR:
        return DhtError(d[1])
    return None


def _sonar(d: bytes):
    return SonarReport(d[0], d[1] | (d[2] << 7)) if len(d) >= 3 else None


def _json_text(data: bytes):
    """A telemetry text as sent (for the event's ``raw``) and parsed (None when it is no JSON)."""
    raw = unpack7(data).decode("utf-8", "replace")
    try:
        return raw, json.loads(raw)
    except ValueError:
        return raw, None


def _telemetry(d: bytes):
    if len(d) >= 1 and d[0] == MK_TELEMETRY_RECORD:
        raw, payload = _json_text(d[1:])
        return MkTelemetryRecord(payload, raw)
    if len(d) >= 2 and d[0] == MK_TELEMETRY_EVENT:
        raw, payload = _json_text(d[2:])
        return MkTelemetryEvent(payload, raw, d[1] == 1)
    return None


def _config(d: bytes):
    if len(d) >= 1 and d[0] == MK_CONFIG_RESULT:
        config = _json_payload(d[1:])
        if isinstance(config, dict):
            return MkConfig(config)
    return None


def _json_object(event, *, empty: bool = False):
    """A decoder for a sysex that carries one JSON object (an empty payload only when ``empty``)."""
    def decode(d: bytes):
        if d or empty:
            info = _json_payload(d)
            if isinstance(info, dict):
                return event(info)
        return None
    return decode


_SYSEX_DECODERS = {
    REPORT_FIRMWARE: _firmware, STRING_DATA: _string, CAPABILITY_RESPONSE: _capabilities,
    ANALOG_MAPPING_RESPONSE: _analog_mapping, PIN_STATE_RESPONSE: _pin_state, I2C_REPLY: _i2c_reply,
    DHTSENSOR_DATA: _dht, SONAR_DATA: _sonar, MK_IDENTITY: _json_object(MkIdentity), MK_CONFIG: _config,
    MK_TELEMETRY: _telemetry, MK_REPL: _json_object(MkReplReady), MK_CONTROL: _json_object(MkControl),
    MK_ERROR: _json_object(MkError, empty=True),
}
# Commands whose sysex is known though not decoded (a query or request a board receives, or a
# reply the decoder did not recognise): a raw Sysex, not an UnknownSysex.
_RAW_SYSEX = frozenset((CAPABILITY_QUERY, ANALOG_MAPPING_QUERY, PIN_STATE_QUERY, EXTENDED_ANALOG, SERVO_CONFIG,
                        I2C_REQUEST, I2C_CONFIG, SAMPLING_INTERVAL, TONE_DATA, SONAR_CONFIG, DHTSENSOR_DATA,
                        MK_IDENTITY, MK_CONFIG, MK_TELEMETRY, MK_REPL))


def decode_all(data: bytes, *, board_side: bool = False) -> list:
    """Decode a complete byte string (convenience for tests and recordings)."""
    decoder = FirmataDecoder(board_side=board_side)
    events = decoder.feed(data)
    if decoder.pending:
        events.append(Garbage(decoder._buf))
    return events
