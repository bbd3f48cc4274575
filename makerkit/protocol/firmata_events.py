"""What a Firmata byte stream means: one immutable record per message (frozen, slotted dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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

    def __repr__(self) -> str:          # a GET with show=password carries the kit's broker password
        shown = {k: ("***" if k in ("password", "wifi_password") and v else v) for k, v in self.config.items()}
        return f"MkConfig(config={shown!r})"


@_ev
class MkTelemetryRecord:
    payload: Any  # the decoded JSON (normally a dict), or None when it was not JSON
    raw: str


@_ev
class MkTelemetryEvent:
    payload: Any     # the v1 event payload (normally a dict), or None when it was not JSON
    raw: str
    published: bool  # True: the kit published it itself; False: for the host (``makerkit bridge``) to publish


@_ev
class MkControl:
    info: dict   # {"cmd": "stop"|"say", "id": ..., "by": ..., "text": ..., "shown": bool}


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
