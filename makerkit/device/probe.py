"""Ask a board what it is: firmware name and version, board type, kit id and class.

USB IDs only hint at the board (a CH340 sits on Nanos and ESP32s alike); :func:`probe` asks the
board itself over the Firmata handshake of ``firmware/PROTOCOL.md`` §1: REPORT_VERSION and
REPORT_FIRMWARE, then REPORT_VERSION again every 250 ms until it answers (no fixed sleep), at
115200 baud (makerkit firmware) and then 57600 (stock StandardFirmata; at once when an AVR board's
bytes decode to nothing); then MK_IDENTITY on makerkit firmware, or, on other firmware, the
capability table, whose pin count tells an Uno (20 pins) from a Nano (22) or a Mega (70).

:func:`scan_ports` lists the ports and probes only the ones it is asked about (or, when asked to
probe without names, only the likely boards): it never touches other serial devices.

Probing runs the one handshake (:mod:`makerkit.protocol.handshake`, ``full=False``) through a
:class:`~makerkit.device.client.FirmataClient` that reads only while the handshake runs and leaves
the transport open.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..catalog import load_boards
from ..catalog.identify import board_from_pin_count
from ..errors import MakerkitError
from ..protocol.handshake import Answers
from .client import FirmataClient
from .handshake import handshake
from ..transport import normalize_port, open_transport
from ..transport.base import Transport
from ..transport.holders import Holder, scan as scan_holders
from ..transport.ports import PortInfo, list_ports

_NO_BAUD_SCHEMES = ("socket://", "loop://", "sim://")


@dataclass(frozen=True)
class ProbeResult:
    """What a board said about itself."""
    url: str
    firmware_name: str                 # "makerkit", "StandardFirmata" (the sketch name, extension dropped)
    firmware_version: str
    protocol_version: str | None
    is_makerkit: bool
    baud: int | None = None
    board: str | None = None
    board_source: str | None = None   # "identity" | "capabilities" | "usb"
    kit: str = ""
    class_name: str = ""
    boot: int | None = None
    features: tuple[str, ...] = ()
    pin_count: int | None = None
    answered_after: float = 0.0
    identity: dict = field(default_factory=dict, hash=False, compare=False)
    firmware_file: str = ""            # what the board reported, e.g. "StandardFirmata.ino"

    @property
    def firmware(self) -> str:
        """``"makerkit 1.0.0"`` / ``"StandardFirmata 2.5"``."""
        return f"{self.firmware_name} {self.firmware_version}".strip()

    def to_dict(self) -> dict:
        return {
            "url": self.url, "firmware": {"name": self.firmware_name, "version": self.firmware_version,
                                          "file": self.firmware_file or self.firmware_name,
                                          "protocol": self.protocol_version,
                                          "is_makerkit": self.is_makerkit},
            "board": self.board, "board_source": self.board_source, "kit": self.kit,
            "class": self.class_name, "boot": self.boot, "features": list(self.features),
            "pin_count": self.pin_count, "baud": self.baud,
            "answered_after_s": round(self.answered_after, 3), "identity": dict(self.identity),
        }


def _sketch_name(reported: str) -> str:
    """StandardFirmata reports its sketch file ("StandardFirmata.ino"); name the firmware without it."""
    for ext in (".ino", ".cpp", ".pde"):
        if reported.lower().endswith(ext):
            return reported[: -len(ext)]
    return reported


DEFAULT_TIMEOUT = 4.0
"""Seconds for a first answer, shared between the baud rates. Measured on an emulated Uno: makerkit's
AVR firmware behind Optiboot answers 1.4 s after the port opens (inside the first half, 115200);
stock StandardFirmata blinks its version and answers after about 2.0 s (inside the second half, 57600).
With 2 s in all, neither half would be long enough."""


def probe(target: str | Transport, *, bauds: tuple[int, ...] = (115200, 57600),
          timeout: float = DEFAULT_TIMEOUT, candidates: tuple[str, ...] | None = None,
          exclusive: bool = True, switch_on_garbage: bool | None = None) -> ProbeResult:
    """Ask the board on ``target`` (a port name, a URL, or an open :class:`Transport`) what it is.

    ``timeout`` bounds the wait for a first answer and is shared among ``bauds`` (real serial
    ports only; sockets and virtual kits have no baud rate). ``candidates`` narrows the board types
    (from the USB IDs) when the firmware does not say which board it is. ``switch_on_garbage``
    switches baud rate at once when undecodable bytes arrive before any answer; by default it is
    on when every candidate is an AVR board (silent while booting; an ESP32 prints a boot log).
    A transport passed in is left open; a port opened here is closed again.

    Raises :class:`~makerkit.errors.NoAnswerError` when nothing answers, and the port errors of
    :func:`~makerkit.transport.open_transport`.
    """
    if isinstance(target, str):
        url = normalize_port(target)
        transport = open_transport(url, baud=bauds[0] if bauds else 115200, exclusive=exclusive)
        try:
            return _probe(transport, bauds, timeout, candidates, switch_on_garbage)
        finally:
            transport.close()
    return _probe(target, bauds, timeout, candidates, switch_on_garbage)


def _probe(transport: Transport, bauds, timeout: float, candidates, switch_on_garbage) -> ProbeResult:
    """The handshake (``full=False``) on ``transport`` through a client that reads only while it waits
    (never started: no reader thread to start and stop, which cost a probe a whole read timeout)."""
    candidates = tuple(candidates) if candidates else None
    url = transport.url
    if url.lower().startswith(_NO_BAUD_SCHEMES) or not bauds:
        bauds = (None,)
    profiles = load_boards()
    if switch_on_garbage is None:   # AVR boards are silent while they boot (PROTOCOL.md §1)
        switch_on_garbage = bool(candidates) and all(c in profiles and profiles[c].boot_silent for c in candidates)
    client = FirmataClient(transport)
    try:
        result = handshake(client, timeout=timeout, bauds=tuple(bauds), full=False,
                           switch_on_garbage=switch_on_garbage and len(bauds) > 1,
                           board_known=lambda board: board in profiles)
    finally:
        client.detach()
    return _result(url, result.answers, candidates)


def _result(url: str, a: Answers, candidates) -> ProbeResult:
    reported = a.firmware.name if a.firmware else "Firmata"
    name = _sketch_name(reported)
    identity = dict(a.identity or {})
    board, source = _known_board(identity.get("board")), "identity"
    if board is None:
        found = board_from_pin_count(len(a.capabilities), candidates) if a.capabilities else None
        board, source = (found.id if found else None), "capabilities"
    if board is None and candidates and len(candidates) == 1:
        board, source = candidates[0], "usb"
    version = str(identity.get("version") or "") if a.is_makerkit else ""
    if not version and a.firmware:
        version = f"{a.firmware.major}.{a.firmware.minor}"
    return ProbeResult(
        url=url, firmware_name=name, firmware_version=version, firmware_file=reported,
        protocol_version=f"{a.version.major}.{a.version.minor}" if a.version else None,
        is_makerkit=a.is_makerkit, baud=a.baud, board=board, board_source=source if board else None,
        kit=str(identity.get("kit") or ""), class_name=str(identity.get("class") or ""),
        boot=_int_or_none(identity.get("boot")),
        features=tuple(str(f) for f in identity.get("features") or ()),
        pin_count=len(a.capabilities) if a.capabilities else None,
        answered_after=a.answered_after, identity=identity)


def _known_board(board) -> str | None:
    board = str(board or "")
    return board if board in load_boards() else None


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# -- many ports ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class PortReport:
    """One port of :func:`scan_ports`: what the OS says, who holds it, and what probing found."""
    port: str
    info: PortInfo | None
    holders: tuple[Holder, ...] = ()
    probed: bool = False
    result: ProbeResult | None = None
    error: MakerkitError | None = None

    def to_dict(self, lang: str | None = None) -> dict:
        out = self.info.to_dict() if self.info else {"port": self.port}
        out["holders"] = [h.to_dict() for h in self.holders]
        if self.probed:
            out["probe"] = self.result.to_dict() if self.result else None
            if self.error is not None:
                out["error"] = {"type": type(self.error).__name__, "message": self.error.message(lang),
                                "hint": self.error.hint(lang)}
        return out


def scan_ports(ports: tuple[str, ...] | list[str] = (), *, probe_boards: bool = False,
               bauds: tuple[int, ...] = (115200, 57600), timeout: float = DEFAULT_TIMEOUT,
               max_parallel: int = 8) -> list[PortReport]:
    """List the serial ports; with ``probe_boards``, ask boards what they are.

    ``ports`` names the ports (or URLs) to report on; without names, every listed port is reported
    and, when probing, only the likely boards are probed. Nothing else is opened. Probes run in
    parallel (each board may need a second or two to boot after the port opens)."""
    infos = {p.port: p for p in list_ports()}
    names = [normalize_port(p) for p in ports]
    if names:
        targets = [(name, infos.get(name)) for name in dict.fromkeys(names)]
    else:
        targets = list(infos.items())
    holders = scan_holders([name for name, _ in targets])
    to_probe = [name for name, info in targets
                if probe_boards and (names or (info is not None and info.is_likely_board))]
    outcomes: dict[str, tuple[ProbeResult | None, MakerkitError | None]] = {}

    def one(name: str):
        info = infos.get(name)
        try:
            return probe(name, bauds=bauds, timeout=timeout,
                         candidates=info.candidates if info else None), None
        except MakerkitError as err:
            return None, err

    if to_probe:
        with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(to_probe)))) as pool:
            for name, outcome in zip(to_probe, pool.map(one, to_probe)):
                outcomes[name] = outcome
    reports = []
    for name, info in targets:
        result, error = outcomes.get(name, (None, None))
        reports.append(PortReport(port=name, info=info, holders=tuple(holders.get(name, ())),
                                  probed=name in outcomes, result=result, error=error))
    return reports


__all__ = ["DEFAULT_TIMEOUT", "PortReport", "ProbeResult", "probe", "scan_ports"]
