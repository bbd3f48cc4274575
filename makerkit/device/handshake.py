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

PROTOCOL_VERSION = 1                 # firmware/PROTOCOL.md version this host speaks
MIN_FIRMWARE_VERSION = (1, 0, 0)     # oldest makerkit firmware without known problems
PROBE_EVERY = 0.25                   # seconds between REPORT_VERSION/REPORT_FIRMWARE probes
SETTLE = 0.1                         # seconds after a baud switch before noise counts again
QUERY_TIMEOUT = 2.0                  # seconds for each follow-up query once the board talks

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
    baud: int | None           # the baud rate that worked (None when unchanged / not a serial port)


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", str(text))[:3])


def handshake(client, *, timeout: float, fallback_baud: int | None = None, baud: int | None = None,
              switch_on_garbage: bool = False) -> HandshakeResult:
    """Run the handshake on a started :class:`FirmataClient`; raises :class:`NoAnswerError`.

    ``baud`` is the speed the transport was opened at and ``fallback_baud`` the one to try when
    nothing answers in the first half of the timeout. With ``switch_on_garbage`` (boards that are
    silent while they boot, such as AVR boards) bytes that decode to nothing before any answer are
    taken as a baud-rate mismatch, and the other speed is tried at once instead of after half the
    timeout (a stock StandardFirmata then connects as soon as it has booted)."""
    transport = client.transport
    start = client.time()
    used_baud = _await_answer(client, timeout, baud, fallback_baud, switch_on_garbage)
    if not (client.firmware or client.protocol):
        raise NoAnswerError(
            en=(f"The board on {transport.url} did not answer within {timeout:g} s: it is not running "
                f"Firmata or makerkit firmware (or it is not plugged in)."),
            zh=f"{transport.url} 上的开发板在 {timeout:g} 秒内没有回应：它没有运行 Firmata 或 makerkit 固件（或者没有插好）。",
            port=transport.url)
    answered_after = client.time() - start
    if client.firmware is None:  # answered the version only; ask for the name
        client.send(fm.report_firmware())
        client.wait_for(lambda: client.firmware, QUERY_TIMEOUT,
                        resend=fm.report_firmware(), resend_every=PROBE_EVERY)
    report = client.firmware
    name = report.name if report else "Firmata"
    if client.protocol is None:
        client.request(fm.report_version(), expect=fm.ProtocolVersion, timeout=QUERY_TIMEOUT,
                       what=("its protocol version", "协议版本"))
    client.request(fm.capability_query(), expect=fm.CapabilityReport, timeout=QUERY_TIMEOUT,
                   what=("the capability query", "引脚能力查询"))
    client.request(fm.analog_mapping_query(), expect=fm.AnalogMapping, timeout=QUERY_TIMEOUT,
                   what=("the analog mapping query", "模拟引脚查询"))

    is_makerkit = name.lower().startswith("makerkit")
    identity = None
    warnings: list = []
    features: set[str] = set()
    for modes in client.capabilities or ():
        for mode, _res in modes:
            if mode in _MODE_FEATURES:
                features.add(_MODE_FEATURES[mode])
    version = f"{report.major}.{report.minor}" if report else "?"
    if is_makerkit:
        event = client.request(fm.mk_identity_query(), expect=fm.MkIdentity, timeout=QUERY_TIMEOUT,
                               what=("the makerkit identity query", "makerkit 身份查询"))
        identity = KitIdentity.from_info(event.info)
        features |= {str(f) for f in event.info.get("features") or ()}
        version = identity.version or version
        warning = check_versions(identity)
        if warning is not None:
            warnings.append(warning)
    firmware = FirmwareInfo(name=name, version=version, protocol=client.protocol or (0, 0),
                            is_makerkit=is_makerkit, features=frozenset(features))
    return HandshakeResult(firmware, identity, warnings, answered_after, used_baud)


def _await_answer(client, timeout, baud, fallback_baud, switch_on_garbage) -> int | None:
    """Probe until the board answers; returns the baud rate switched to (None: never switched)."""
    # The first probe asks both questions; the repeats ask only REPORT_VERSION: a booting board
    # queues what it is sent and answers all of it once it runs, and a queue of ~45-byte firmware
    # reports would hold the handshake up by ~150 ms at 57600 baud (3 bytes per version answer).
    probe = fm.report_version() + fm.report_firmware()
    repeat = fm.report_version()
    speeds = [baud, fallback_baud]
    current, used, silent_switch, garbage_switches = 0, None, False, 0
    deadline = client.time() + timeout
    half = client.time() + timeout / 2

    def answered():
        return client.firmware or client.protocol

    client.send(probe)
    while True:
        mark = client.garbage_bytes
        watch_garbage = bool(fallback_baud and switch_on_garbage and garbage_switches < 3)
        until = half if fallback_baud and not silent_switch and current == 0 else deadline
        client.wait_for(lambda: answered() or (watch_garbage and client.garbage_bytes > mark),
                        max(0.0, until - client.time()), resend=repeat, resend_every=PROBE_EVERY)
        if answered() or not fallback_baud or client.time() >= deadline - 1e-6:
            return used
        settle = False
        if client.garbage_bytes > mark and watch_garbage:
            garbage_switches += 1
            settle = True
        elif current == 0:
            silent_switch = True
        else:
            continue   # silent at the fallback speed: keep listening until the deadline
        current = 1 - current
        if speeds[current] is None:
            return used
        transport_baud = speeds[current]
        client.transport.set_baud(transport_baud)
        used = transport_baud
        client.send(probe)
        if settle:   # what the board sent at the old speed is still arriving: let it pass unjudged
            client.wait_for(answered, SETTLE, resend=repeat, resend_every=PROBE_EVERY)


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
