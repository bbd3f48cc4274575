"""The connect handshake of ``firmware/PROTOCOL.md`` §1 as a sans-I/O state machine.

:class:`Handshake` does no I/O and reads no clock: its driver hands it the decoded events
(:meth:`Handshake.on_event`) and the time (:meth:`Handshake.poll`), and carries out the actions
:meth:`~Handshake.poll` returns (:class:`Send` these bytes, :class:`SetBaud`) until
:attr:`~Handshake.done`. ``makerkit.connect``, ``probe`` (``makerkit info``, ``ports --probe``,
provisioning) and deploy's confirmation all run this one machine, through the one wait loop of
:meth:`makerkit.device.client.FirmataClient.drive`.

The rules:

1. Ask REPORT_VERSION + REPORT_FIRMWARE, then REPORT_VERSION alone every 250 ms until the board
   answers (no fixed sleep: a booting board just misses the first questions; short repeats keep a
   booting board's queue of answers short). Each baud rate gets its share of the timeout; with
   ``switch_on_garbage`` (boards that are silent while they boot), bytes that decode to nothing
   before any answer mean a baud mismatch and the next speed is tried at once (at most three such
   switches; what still arrives at the old speed settles, unjudged, for 100 ms).
2. Then ask what is still missing, each question with its own :data:`QUERY_TIMEOUT`: the
   firmware's name, the protocol version, on makerkit firmware the kit's identity, and the
   capability table and analog mapping. ``full=True`` (a connection) needs all of them and fails
   naming the question that got no answer; ``full=False`` (a probe) asks the capability table only
   when the identity does not name a board it knows (``board_known``) and makes do without the rest.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from . import firmata as fm

PROBE_EVERY = 0.25          # seconds between repeated questions while waiting for an answer
SETTLE = 0.1                # seconds after a baud switch on noise before noise counts again
QUERY_TIMEOUT = 2.0         # seconds for each follow-up question once the board talks
MAX_GARBAGE_SWITCHES = 3    # baud switches on noise before only the time shares count
_EPS = 1e-9


@dataclass(frozen=True)
class Send:
    """Write ``data`` to the board."""
    data: bytes


@dataclass(frozen=True)
class SetBaud:
    """Change the line speed to ``baud``."""
    baud: int


@dataclass(frozen=True)
class Failure:
    """Why the handshake ended without a result: ``"no_answer"`` (nothing answered in ``timeout``)
    or ``"no_reply"`` (the board talks but did not answer the question ``what`` = (en, zh))."""
    kind: str
    timeout: float
    what: tuple[str, str] = ("", "")


@dataclass
class Answers:
    """What the board said (None where it said nothing)."""
    version: fm.ProtocolVersion | None = None
    firmware: fm.FirmwareReport | None = None
    identity: dict | None = None
    capabilities: tuple | None = None
    analog_mapping: tuple | None = None
    baud: int | None = None              # the speed it answered at (None: no speed, e.g. a socket)
    answered_after: float = 0.0          # seconds from the first question to the first answer
    garbage: int = 0                     # bytes that decoded to nothing

    @property
    def answered(self) -> bool:
        return self.firmware is not None or self.version is not None

    @property
    def firmware_name(self) -> str:
        return self.firmware.name if self.firmware is not None else "Firmata"

    @property
    def is_makerkit(self) -> bool:
        name = self.firmware_name
        for ext in (".ino", ".cpp", ".pde"):   # StandardFirmata reports its sketch file
            if name.lower().endswith(ext):
                name = name[: -len(ext)]
        return name.lower().startswith("makerkit")


@dataclass(frozen=True)
class _Query:
    key: str
    data: bytes
    what: tuple[str, str]
    resend: bool = True


_QUERIES = {
    "firmware": _Query("firmware", fm.report_firmware(), ("its firmware name", "固件名称")),
    "version": _Query("version", fm.report_version(), ("its protocol version", "协议版本")),
    "identity": _Query("identity", fm.mk_identity_query(), ("the makerkit identity query", "makerkit 身份查询")),
    "capabilities": _Query("capabilities", fm.capability_query(), ("the capability query", "引脚能力查询"),
                           resend=False),
    "analog_mapping": _Query("analog_mapping", fm.analog_mapping_query(),
                             ("the analog mapping query", "模拟引脚查询"), resend=False),
}


def host_nonce() -> bytes:
    """Eight random 7-bit bytes for the identity query: the AVR firmware has no random number generator
    and makes the kit's incarnation and hardware ids when first asked, so the host's randomness goes
    into them (two emulated or identical Unos asked at the same instant after boot still differ)."""
    return bytes(b & 0x7F for b in secrets.token_bytes(8))


@dataclass
class _Window:
    """The answer phase at one baud rate."""
    index: int
    ends: float
    mark: int              # garbage count when the window opened
    watch: bool            # a baud switch on garbage is still allowed
    settle_until: float | None = None


@dataclass
class Handshake:
    """The handshake (module docstring). ``bauds``: the speeds to try in turn (``(None,)`` where a
    speed means nothing: sockets, the virtual kit)."""
    timeout: float
    bauds: tuple = (None,)
    switch_on_garbage: bool = False
    full: bool = True
    board_known: Callable[[str], bool] = lambda board: False
    nonce: bytes = field(default_factory=host_nonce)   # sent with the identity query (host_nonce)
    answers: Answers = field(default_factory=Answers)
    failure: Failure | None = None
    done: bool = False
    wake_at: float = 0.0
    news: bool = False      # an event arrived since the last poll (the driver may poll at once)
    _start: float | None = None
    _window: _Window | None = None
    _query: _Query | None = None
    _query_ends: float = 0.0
    _next_send: float | None = None
    _asked: set = field(default_factory=set)
    _switches: int = 0

    # --- events in ----------------------------------------------------------------------------------
    def on_event(self, event: Any, now: float) -> None:
        a = self.answers
        kind = type(event)
        if kind is fm.ProtocolVersion:
            a.version = event
        elif kind is fm.FirmwareReport:
            a.firmware = event
        elif kind is fm.MkIdentity:
            a.identity = dict(event.info)
        elif kind is fm.CapabilityReport:
            a.capabilities = event.pins
        elif kind is fm.AnalogMapping:
            a.analog_mapping = event.channels
        elif kind is fm.Garbage:
            a.garbage += len(event.data)
        else:
            return
        if self._start is not None and self._window is not None and a.answered and not a.answered_after:
            a.answered_after = max(0.0, now - self._start)
        self.news = True

    # --- time in, actions out ---------------------------------------------------------------------
    def poll(self, now: float) -> list:
        """Advance to ``now``; returns the actions to carry out. Sets :attr:`wake_at` (call again
        then at the latest) and, at the end, :attr:`done` (with :attr:`failure` when it failed)."""
        self.news = False
        if self.done:
            return []
        out: list = []
        if self._start is None:
            self._start = now
            self._open_window(0, now, settle=False, out=out)
        if self._window is not None:
            self._poll_answer(now, out)
        if self._window is None and not self.done:
            self._poll_queries(now, out)
        return out

    # --- phase 1: a first answer --------------------------------------------------------------------
    def _open_window(self, index: int, now: float, *, settle: bool, out: list) -> None:
        count = len(self.bauds)
        deadline = self._start + self.timeout
        baud = self.bauds[index]
        if baud is not None:
            out.append(SetBaud(baud))
        share = self.timeout / count
        ends = self._start + share * (index + 1) if index < count - 1 else deadline
        watch = self.switch_on_garbage and count > 1 and self._switches < MAX_GARBAGE_SWITCHES
        self._window = _Window(index, min(ends, deadline), self.answers.garbage, watch,
                               now + SETTLE if settle else None)
        out.append(Send(fm.report_version() + fm.report_firmware()))
        self._next_send = now + PROBE_EVERY

    def _poll_answer(self, now: float, out: list) -> None:
        w = self._window
        a = self.answers
        deadline = self._start + self.timeout
        if a.answered:
            a.baud = self.bauds[w.index]
            if not a.answered_after:
                a.answered_after = max(0.0, now - self._start)
            self._window = None
            return
        if now >= deadline - _EPS:
            self._finish(Failure("no_answer", self.timeout))
            return
        if w.settle_until is not None:
            if now < w.settle_until - _EPS:   # what the board sent at the old speed is still arriving
                self._resend(now, out)
                self.wake_at = min(w.settle_until, self._next_send, deadline)
                return
            w.settle_until, w.mark = None, a.garbage
            out.append(Send(fm.report_version()))
            self._next_send = now + PROBE_EVERY
        if w.watch and a.garbage > w.mark:
            self._switches += 1
            self._open_window((w.index + 1) % len(self.bauds), now, settle=True, out=out)
        elif now >= w.ends - _EPS and w.index < len(self.bauds) - 1:
            self._open_window(w.index + 1, now, settle=False, out=out)
        else:
            self._resend(now, out)
        w = self._window
        self.wake_at = min(w.settle_until or w.ends, self._next_send, deadline)

    def _resend(self, now: float, out: list) -> None:
        if self._next_send is not None and now >= self._next_send - _EPS:
            out.append(Send(fm.report_version() if self._window is not None else self._query.data))
            self._next_send = now + PROBE_EVERY

    # --- phase 2: what is still missing --------------------------------------------------------------
    def _missing(self) -> _Query | None:
        a = self.answers
        wanted = ["firmware", "version"]
        if a.is_makerkit:
            wanted.append("identity")
        board = str((a.identity or {}).get("board") or "")
        if self.full or not self.board_known(board):
            wanted.append("capabilities")
        if self.full:
            wanted.append("analog_mapping")
        for key in wanted:
            if getattr(a, key) is None and key not in self._asked:
                if key == "identity":
                    return replace(_QUERIES[key], data=fm.mk_identity_query(self.nonce))
                return _QUERIES[key]
        return None

    def _required(self, key: str) -> bool:
        return self.full and key != "firmware"

    def _poll_queries(self, now: float, out: list) -> None:
        while True:
            q = self._query
            if q is not None and getattr(self.answers, q.key) is None:
                if now < self._query_ends - _EPS:
                    self._resend(now, out)
                    self.wake_at = min(self._query_ends, self._next_send or self._query_ends)
                    return
                if self._required(q.key):
                    self._finish(Failure("no_reply", QUERY_TIMEOUT, q.what))
                    return
            q = self._missing()
            if q is None:
                self._query = None
                self._finish(None)
                return
            self._asked.add(q.key)
            self._query, self._query_ends = q, now + QUERY_TIMEOUT
            self._next_send = now + PROBE_EVERY if q.resend else None
            out.append(Send(q.data))

    def _finish(self, failure: Failure | None) -> None:
        self.failure = failure
        self.done = True
        self._window = None


__all__ = ["Answers", "Failure", "Handshake", "PROBE_EVERY", "QUERY_TIMEOUT", "SETTLE", "Send", "SetBaud"]
