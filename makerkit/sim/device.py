"""The simulated board's serial console: the real firmware (``mkfw``) or, on ESP32 boards, the REPL.

``SimDevice`` is the board itself: powered on, it runs ``mkfw.app.App`` (boot window on ESP32
profiles, then Firmata) over :class:`~makerkit.sim.hal.SimHal`. When the firmware hands the port
back (MK_REPL, or Ctrl-C Ctrl-C in the boot window) the MicroPython REPL of
:mod:`makerkit.sim.repl` takes the port; its soft reset and ``machine.reset()`` start the firmware
again, which re-reads ``/makerkit.json`` from the simulated filesystem. Not thread-safe: the
:class:`~makerkit.sim.kit.VirtualKit` serialises calls.
"""

from __future__ import annotations

from mkfw.app import App
from mkfw.profile import from_board

from ..catalog import BoardProfile
from .fs import SimFs
from .hal import SimHal
from .pyexec import Executor, board_uname
from .repl import Repl

MICROPYTHON_VERSION = "v1.23.0 on 2024-06-02"


class SimDevice:
    def __init__(self, board: BoardProfile, hal: SimHal, fs: SimFs, clock_ms):
        self.board = board
        self.hal = hal
        self.fs = fs
        self._clock_ms = clock_ms
        self.fw_profile = from_board(board)
        self.has_repl = board.has_repl
        self.app: App | None = None
        self.repl: Repl | None = None
        self.boots = 0
        self._out = bytearray()
        chip = board.chip.upper()
        self.banner = ("MicroPython %s; %s with %s\r\nType \"help()\" for more information.\r\n"
                       % (MICROPYTHON_VERSION, board.name, chip)).encode("utf-8")

    @property
    def state(self) -> str:
        """"boot", "firmata" or "repl"."""
        return "repl" if self.app is None else self.app.state

    def power_on(self, now_ms: int, *, boot_window: bool = True) -> None:
        """Start (or restart) the firmware as a reset does."""
        self.repl = None
        self.boots += 1
        self.app = App(self.hal, self.fw_profile, now_ms, boot_window=self.has_repl and boot_window)

    def feed(self, data: bytes, now_ms: int) -> None:
        if self.app is not None:
            self.app.feed(data, now_ms)
            if self.app.state == "repl":
                self._to_repl(now_ms)
        elif self.repl is not None:
            self.repl.feed(data)
            self._after_repl(now_ms)

    def step(self, now_ms: int) -> bytes:
        if self.app is not None:
            self._out += self.app.poll(now_ms)
            if self.app.state == "repl":
                self._to_repl(now_ms)
        if not self._out:
            return b""
        out = bytes(self._out)
        self._out = bytearray()
        return out

    def _to_repl(self, now_ms: int) -> None:
        app, self.app = self.app, None
        self._out += app.poll(now_ms)        # the MK_REPL answer
        uname = board_uname(self.board)
        self.repl = Repl(lambda: Executor(self.fs, clock_ms=self._clock_ms, uname=uname), self.banner)
        self.repl.start()
        self._out += self.repl.take()
        if app.leftover:
            self.repl.feed(app.leftover)
            self._after_repl(now_ms)

    def _after_repl(self, now_ms: int) -> None:
        repl = self.repl
        self._out += repl.take()
        if repl.reset is None:
            return
        kind, repl.reset = repl.reset, None
        if kind == "soft-raw":   # MicroPython skips main.py in raw mode: stay in the raw REPL
            self._out += b"MPY: soft reboot\r\n"
            repl.start_raw_after_soft_reset()
            self._out += repl.take()
            return
        if kind == "soft":
            self._out += b"MPY: soft reboot\r\n"
        self.power_on(now_ms)
