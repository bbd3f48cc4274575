"""Ask a board what it is: firmware name and version, board type, kit id and class.

USB IDs only hint at the board (a CH340 sits on Nanos and ESP32s alike); :func:`probe` asks the
board itself over the Firmata handshake of ``firmware/PROTOCOL.md`` §1: REPORT_VERSION and
REPORT_FIRMWARE, then REPORT_VERSION again every 250 ms until it answers (no fixed sleep), at
115200 baud (makerkit firmware) and then 57600 (stock StandardFirmata; at once when an AVR board's
bytes decode to nothing); then MK_IDENTITY on makerkit firmware, or, on other firmware, the
capability table, whose pin count tells an Uno (20 pins) from a Nano (22) or a Mega (70).

:func:`scan_ports` lists the ports and probes only the ones it is asked about (or, when asked to
probe without names, only the likely boards): it never touches other serial devices.

Probing runs without a reader thread: it reads the transport directly with blocking, timed reads
and feeds the sans-I/O codec.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..catalog import load_boards
from ..errors import MakerkitError, NoAnswerError
from ..protocol import firmata as fm
from ..transport import normalize_port, open_transport
from ..transport.base import Transport
from ..transport.holders import Holder, scan as scan_holders
from ..transport.ports import PortInfo, list_ports

PROBE_EVERY = 0.25       # seconds between repeated questions while waiting
FOLLOW_UP_TIMEOUT = 1.0  # seconds for MK_IDENTITY / CAPABILITY_QUERY once the board talks
VERSION_GRACE = 0.3      # seconds to wait for REPORT_VERSION after the firmware report
SETTLE = 0.1             # seconds after a baud switch on noise before noise counts again
VIRTUAL_STEP = 0.02      # simulated seconds advanced per idle pass on a virtual clock
WALL_SLACK = 5.0         # wall-clock safety margin on a virtual clock (never hang)
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
            return _Prober(transport, bauds, timeout, candidates, switch_on_garbage).run()
        finally:
            transport.close()
    return _Prober(target, bauds, timeout, candidates, switch_on_garbage).run()


class _Prober:
    def __init__(self, transport: Transport, bauds, timeout: float, candidates,
                 switch_on_garbage: bool | None = None):
        self.t = transport
        self.url = transport.url
        self.timeout = timeout
        self.candidates = tuple(candidates) if candidates else None
        no_baud = self.url.lower().startswith(_NO_BAUD_SCHEMES) or not bauds
        self.bauds: tuple = (None,) if no_baud else tuple(bauds)
        self.virtual = bool(getattr(transport, "virtual_clock", False))
        self.decoder = fm.FirmataDecoder()
        self.version: fm.ProtocolVersion | None = None
        self.firmware: fm.FirmwareReport | None = None
        self.identity: dict | None = None
        self.capabilities: fm.CapabilityReport | None = None
        self.garbage = 0  # bytes that decoded to nothing
        if switch_on_garbage is None:  # AVR boards are silent while they boot (PROTOCOL.md §1)
            profiles = load_boards()
            switch_on_garbage = bool(self.candidates) and all(
                c in profiles and profiles[c].boot_silent for c in self.candidates)
        self.switch_on_garbage = switch_on_garbage and len(self.bauds) > 1

    # -- waiting -------------------------------------------------------------------------------
    def _pump(self, wait: float) -> None:
        """Read once (up to ``wait`` seconds) and record the events."""
        data = self.t.read(4096, timeout=0.0 if self.virtual else max(0.0, wait))
        if data:
            for event in self.decoder.feed(data):
                self._take(event)
        elif self.virtual:
            self.t.sleep(max(0.0, min(VIRTUAL_STEP, wait)))

    def _take(self, event) -> None:
        if isinstance(event, fm.ProtocolVersion):
            self.version = event
        elif isinstance(event, fm.FirmwareReport):
            self.firmware = event
        elif isinstance(event, fm.MkIdentity):
            self.identity = event.info
        elif isinstance(event, fm.CapabilityReport):
            self.capabilities = event
        elif isinstance(event, fm.Garbage):
            self.garbage += len(event.data)

    def _wait(self, done, timeout: float, resend: bytes, every: float = PROBE_EVERY, *,
              first: bytes | None = None) -> bool:
        """Send ``first`` (default ``resend``) now, then ``resend`` every ``every`` seconds, until
        ``done()`` or ``timeout``."""
        now = self.t.time()
        deadline = now + timeout
        wall_deadline = time.monotonic() + timeout + WALL_SLACK
        self.t.write(resend if first is None else first)
        next_send = now + every
        while True:
            if done():
                return True
            now = self.t.time()
            if now >= deadline - 1e-9 or time.monotonic() >= wall_deadline:
                return False
            if now >= next_send - 1e-9:
                self.t.write(resend)
                next_send = now + every
            self._pump(min(deadline, next_send) - now)

    # -- the handshake -----------------------------------------------------------------------------
    def _answered(self) -> bool:
        return self.firmware is not None or self.version is not None

    def _await_answer(self, start: float) -> int | None:
        """PROTOCOL.md §1: REPORT_VERSION + REPORT_FIRMWARE, then REPORT_VERSION alone every 250 ms
        (a booting board that queues questions answers each: short ones keep the queue short).
        Each baud rate gets its share of the timeout; with ``switch_on_garbage``, bytes that decode
        to nothing before any answer mean a baud mismatch and the next speed is tried at once
        (at most three such switches; what is still arriving at the old speed settles first)."""
        hello, repeat = fm.report_version() + fm.report_firmware(), fm.report_version()
        count = len(self.bauds)
        deadline = start + self.timeout
        share = self.timeout / count
        current, switches, settle = 0, 0, False
        while True:
            baud = self.bauds[current]
            if baud is not None:
                self.t.set_baud(baud)
            self.decoder.reset()
            if settle:  # what the board sent at the old speed is still arriving: let it pass unjudged
                self._wait(self._answered, max(0.0, min(SETTLE, deadline - self.t.time())), repeat,
                           first=hello)
            mark = self.garbage
            watch = self.switch_on_garbage and switches < 3
            window_end = start + share * (current + 1) if current < count - 1 else deadline
            self._wait(lambda: self._answered() or (watch and self.garbage > mark),
                       max(0.0, min(window_end, deadline) - self.t.time()), repeat,
                       first=repeat if settle else hello)
            if self._answered():
                return baud
            if self.t.time() >= deadline - 1e-9:
                raise self._no_answer()
            if watch and self.garbage > mark:
                switches += 1
                current, settle = (current + 1) % count, True
            elif current < count - 1:
                current, settle = current + 1, False

    def run(self) -> ProbeResult:
        start = self.t.time()
        used_baud = self._await_answer(start)
        answered_after = self.t.time() - start
        if self.firmware is None:  # a version but no name yet: ask for the name a little longer
            self._wait(lambda: self.firmware is not None, FOLLOW_UP_TIMEOUT, fm.report_firmware())
        elif self.version is None:
            self._wait(lambda: self.version is not None, VERSION_GRACE, fm.report_version(),
                       every=VERSION_GRACE)
        reported = self.firmware.name if self.firmware else "Firmata"
        name = _sketch_name(reported)
        is_makerkit = name.lower().startswith("makerkit")
        if is_makerkit:
            self._wait(lambda: self.identity is not None, FOLLOW_UP_TIMEOUT, fm.mk_identity_query())
        identity = dict(self.identity or {})
        board, source = _known_board(identity.get("board")), "identity"
        if board is None:
            self._wait(lambda: self.capabilities is not None, FOLLOW_UP_TIMEOUT, fm.capability_query())
            board, source = self._board_from_capabilities(), "capabilities"
        if board is None and self.candidates and len(self.candidates) == 1:
            board, source = self.candidates[0], "usb"
        version = str(identity.get("version") or "") if is_makerkit else ""
        if not version and self.firmware:
            version = f"{self.firmware.major}.{self.firmware.minor}"
        return ProbeResult(
            url=self.url, firmware_name=name, firmware_version=version, firmware_file=reported,
            protocol_version=f"{self.version.major}.{self.version.minor}" if self.version else None,
            is_makerkit=is_makerkit, baud=used_baud, board=board,
            board_source=source if board else None,
            kit=str(identity.get("kit") or ""), class_name=str(identity.get("class") or ""),
            boot=_int_or_none(identity.get("boot")),
            features=tuple(str(f) for f in identity.get("features") or ()),
            pin_count=len(self.capabilities.pins) if self.capabilities else None,
            answered_after=answered_after, identity=identity)

    def _board_from_capabilities(self) -> str | None:
        if self.capabilities is None:
            return None
        count = len(self.capabilities.pins)
        profiles = load_boards()
        ids = [b for b in (self.candidates or profiles) if b in profiles]
        fits = [b for b in ids if profiles[b].max_pin + 1 == count]
        return fits[0] if len(fits) == 1 else None

    def _no_answer(self) -> NoAnswerError:
        bauds = [b for b in self.bauds if b is not None]
        at = (f" at {' or '.join(map(str, bauds))} baud" if bauds else "")
        zh_at = (f"（试过 {'、'.join(map(str, bauds))} 波特率）" if bauds else "")
        return NoAnswerError(
            en=f"The board on {self.url} did not answer within {self.timeout:g} s{at}: it is not "
               f"running Firmata or makerkit firmware (or it is still busy with another program).",
            zh=f"{self.url} 上的开发板在 {self.timeout:g} 秒内没有回应{zh_at}：它没有运行 Firmata 或 "
               f"makerkit 固件（或者正忙着运行别的程序）。",
            hint_en=f"Flash it with `makerkit flash --board uno --port {self.url}` (Arduino) or "
                    f"`makerkit deploy --port {self.url}` (ESP32), or press its reset button and try again.",
            hint_zh=f"请用 `makerkit flash --board uno --port {self.url}`（Arduino）或 "
                    f"`makerkit deploy --port {self.url}`（ESP32）烧录固件，或者按一下复位键再试。",
            port=self.url, bauds=bauds)


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
