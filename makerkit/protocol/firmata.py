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
        if cmd == MK_TELEMETRY and len(d) >= 2 and d[0] == MK_TELEMETRY_EVENT:
            raw = unpack7(d[2:]).decode("utf-8", "replace")
            try:
                payload = json.loads(raw)
            except ValueError:
                payload = None
            return MkTelemetryEvent(payload, raw, d[1] == 1)
        if cmd == MK_REPL and d:
            info = _json_payload(d)
            if isinstance(info, dict):
                return MkReplReady(info)
        if cmd == MK_CONTROL and d:
            info = _json_payload(d)
            if isinstance(info, dict):
                return MkControl(info)
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
