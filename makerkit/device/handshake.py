"""The connect handshake of ``firmware/PROTOCOL.md`` §1, and what it learns about the firmware.

Ask REPORT_VERSION + REPORT_FIRMWARE, then REPORT_VERSION again every 250 ms, until the board answers (no fixed sleep: a board
that is still booting simply misses the first questions); on a real serial port, if nothing answers
in the first half of the timeout, try again at the stock StandardFirmata baud rate. Then read the
capability table and the analog mapping, and, on makerkit firmware, the kit's identity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..catalog import load_board
from ..errors import MakerkitError, NoAnswerError
from ..i18n import current_language
from ..protocol import firmata as fm
from ..protocol.handshake import Answers, Failure, Handshake

PROTOCOL_VERSION = 1                 # firmware/PROTOCOL.md version this host speaks
MIN_FIRMWARE_VERSION = (1, 0, 0)     # oldest makerkit firmware without known problems

# capability-table modes that reveal an extension on non-makerkit firmware (FirmataExpress...)
_MODE_FEATURES = {fm.PinMode.SONAR: "sonar", fm.PinMode.TONE: "tone", fm.PinMode.DHT: "dht",
                  fm.PinMode.SERVO: "servo", fm.PinMode.I2C: "i2c"}


class FirmwareWarning(UserWarning):
    """The kit runs firmware older than this makerkit expects; ``en``/``zh`` say how to update."""

    def __init__(self, en: str, zh: str):
        self.en, self.zh = en, zh
        super().__init__(en)

    def __str__(self) -> str:
        return self.zh if current_language() == "zh" else self.en


@dataclass(frozen=True)
class FirmwareInfo:
    """What runs on the kit: ``name`` and ``version`` as reported, the Firmata ``protocol``
    version, whether it is makerkit's firmware, and the extension ``features`` it offers."""
    name: str
    version: str
    protocol: tuple[int, int]
    is_makerkit: bool
    features: frozenset = field(default_factory=frozenset)

    def supports(self, feature: str) -> bool:
        return feature in self.features


@dataclass(frozen=True)
class KitIdentity:
    """Who the kit is (makerkit firmware only): kit id and class as configured, board, boot count."""
    kit_id: str
    class_id: str
    board: str
    version: str
    proto: int
    boot: int
    info: dict = field(hash=False, compare=False, default_factory=dict)

    @classmethod
    def from_info(cls, info: dict) -> "KitIdentity":
        def num(key):
            try:
                return int(info.get(key) or 0)
            except (TypeError, ValueError):
                return 0
        return cls(kit_id=str(info.get("kit") or ""), class_id=str(info.get("class") or ""),
                   board=str(info.get("board") or ""), version=str(info.get("version") or ""),
                   proto=num("proto"), boot=num("boot"), info=dict(info))


@dataclass
class HandshakeResult:
    firmware: FirmwareInfo
    identity: KitIdentity | None
    warnings: list
    answered_after: float      # seconds from the first probe to the first answer
    baud: int | None           # the baud rate that worked (None: the transport's own / not a serial port)
    answers: Answers | None = None   # what the board said, as it said it


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", str(text))[:3])


def handshake(client, *, timeout: float, bauds: tuple = (None,), switch_on_garbage: bool = False,
              full: bool = True, board_known=None) -> HandshakeResult:
    """Run the handshake (:mod:`makerkit.protocol.handshake`) on a started :class:`FirmataClient`
    and say what it learnt; raises :class:`NoAnswerError`.

    ``bauds``: the speeds to try in turn, each with its share of ``timeout`` (``(None,)``: keep the
    speed the transport has). ``switch_on_garbage``: boards silent while they boot (AVR) switch
    speed at once on bytes that decode to nothing. ``full=False`` (a probe) asks only what names the
    kit and its board (``board_known(board_id)`` says whether its identity's board is enough)."""
    machine = Handshake(timeout=timeout, bauds=tuple(bauds) or (None,), switch_on_garbage=switch_on_garbage,
                        full=full, board_known=board_known or (lambda board: False))
    client.drive(machine)
    if machine.failure is not None:
        raise no_answer(client.transport.url, machine.failure, [b for b in bauds if b])
    return interpret(machine.answers)


def interpret(a: Answers) -> HandshakeResult:
    """The firmware, identity and warnings in the board's answers."""
    name = a.firmware_name
    identity = None
    warnings: list = []
    features: set[str] = set()
    for modes in a.capabilities or ():
        for mode, _res in modes:
            if mode in _MODE_FEATURES:
                features.add(_MODE_FEATURES[mode])
    version = f"{a.firmware.major}.{a.firmware.minor}" if a.firmware else "?"
    if a.is_makerkit and a.identity is not None:
        identity = KitIdentity.from_info(a.identity)
        features |= {str(f) for f in a.identity.get("features") or ()}
        version = identity.version or version
        warning = check_versions(identity)
        if warning is not None:
            warnings.append(warning)
    protocol = (a.version.major, a.version.minor) if a.version else (0, 0)
    firmware = FirmwareInfo(name=name, version=version, protocol=protocol, is_makerkit=a.is_makerkit,
                            features=frozenset(features))
    return HandshakeResult(firmware, identity, warnings, a.answered_after, a.baud, a)


def no_answer(url: str, failure: Failure, bauds: list) -> NoAnswerError:
    """The error for a handshake that ended in ``failure`` on ``url``."""
    if failure.kind == "no_reply":
        en, zh = failure.what
        return NoAnswerError(
            en=f"The board on {url} did not answer {en} within {failure.timeout:g} s.",
            zh=f"{url} 上的开发板在 {failure.timeout:g} 秒内没有回应{zh}。", port=url)
    at = f" at {' or '.join(map(str, bauds))} baud" if bauds else ""
    zh_at = f"（试过 {'、'.join(map(str, bauds))} 波特率）" if bauds else ""
    return NoAnswerError(
        en=f"The board on {url} did not answer within {failure.timeout:g} s{at}: it is not running "
           f"Firmata or makerkit firmware (or it is not plugged in, or busy with another program).",
        zh=f"{url} 上的开发板在 {failure.timeout:g} 秒内没有回应{zh_at}：它没有运行 Firmata 或 makerkit "
           f"固件（或者没有插好，或者正忙着运行别的程序）。",
        hint_en=f"Flash it with `makerkit flash --board uno --port {url}` (Arduino) or "
                f"`makerkit deploy --port {url}` (ESP32), or press its reset button and try again.",
        hint_zh=f"请用 `makerkit flash --board uno --port {url}`（Arduino）或 "
                f"`makerkit deploy --port {url}`（ESP32）烧录固件，或者按一下复位键再试。",
        port=url, bauds=bauds)


def check_versions(identity: KitIdentity) -> FirmwareWarning | None:
    """A warning when the kit's makerkit firmware is older than this host expects."""
    old_proto = identity.proto < PROTOCOL_VERSION
    old_version = version_tuple(identity.version) < MIN_FIRMWARE_VERSION
    if not (old_proto or old_version):
        return None
    need = ".".join(map(str, MIN_FIRMWARE_VERSION))
    command = _firmware_command(identity.board)
    return FirmwareWarning(
        en=(f"This kit runs makerkit firmware {identity.version or '?'} (protocol {identity.proto}); this "
            f"makerkit expects firmware {need} or newer (protocol {PROTOCOL_VERSION}). Some parts may not "
            f"work. Update it with `{command}`."),
        zh=(f"这个套件运行的是 makerkit 固件 {identity.version or '?'}（协议 {identity.proto}），"
            f"本 makerkit 需要 {need} 或更新的固件（协议 {PROTOCOL_VERSION}），部分功能可能无法使用。"
            f"请用 `{command}` 更新固件。"))


def _firmware_command(board_id: str) -> str:
    """The command that updates the firmware of the board ``board_id`` (as the kit names itself)."""
    try:
        return load_board(board_id).firmware_command()
    except MakerkitError:   # a board this makerkit does not know (or no name)
        return f"makerkit flash --board {board_id or 'BOARD'} --port PORT"
