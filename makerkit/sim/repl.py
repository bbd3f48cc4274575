"""MicroPython's REPL protocol on the virtual kit's serial port, byte for byte as a board speaks it.

Friendly REPL (``>>> ``, echo, line editing), Ctrl-A raw REPL (``raw REPL; CTRL-B to exit\\r\\n>``),
raw-paste mode (``\\x05A\\x01`` -> ``R\\x01`` + window size + flow control, as mpremote uses), output
framing ``OK<stdout>\\x04<traceback>\\x04>``, Ctrl-B back to friendly, Ctrl-C, and Ctrl-D soft reset
(in the friendly REPL the firmware then starts again; in the raw REPL the board stays in raw mode, as
MicroPython skips ``main.py`` there). Code runs through :class:`~makerkit.sim.pyexec.Executor`.
"""

from __future__ import annotations

from .pyexec import Executor

RAW_BANNER = b"raw REPL; CTRL-B to exit\r\n"
PASTE_WINDOW = 128


class Repl:
    """Feed bytes from the host with :meth:`feed`; :meth:`take` returns what the board printed.
    ``reset`` becomes ``"soft"`` (friendly Ctrl-D), ``"hard"`` (``machine.reset()``) or
    ``"soft-raw"`` when the board restarts."""

    def __init__(self, executor_factory, banner: bytes):
        self._factory = executor_factory
        self.executor: Executor = executor_factory()
        self.banner = banner
        self.mode = "friendly"
        self.reset: str | None = None
        self._out = bytearray()
        self._line = bytearray()
        self._block: list[str] = []
        self._raw = bytearray()
        self._esc = bytearray()      # a pending Ctrl-E (raw-paste request) sequence
        self._skip = 0               # bytes of a terminal escape sequence still to drop
        self._paste_remain = 0

    def start(self) -> None:
        """Main has returned: show the banner and the prompt."""
        self._out += self.banner + b">>> "

    def start_raw_after_soft_reset(self) -> None:
        self.executor = self._factory()
        self.mode = "raw"
        self._raw = bytearray()
        self._out += RAW_BANNER + b">"

    def take(self) -> bytes:
        out = bytes(self._out)
        self._out = bytearray()
        return out

    def feed(self, data: bytes) -> None:
        for b in data:
            if self.reset is not None:
                return   # the board is restarting: bytes in flight are lost
            if self.mode == "friendly":
                self._friendly(b)
            elif self.mode == "paste":
                self._paste_mode(b)
            elif self.mode == "raw-paste":
                self._raw_paste(b)
            else:
                self._raw_byte(b)

    # --- friendly REPL ----------------------------------------------------------------------------------
    def _prompt(self) -> None:
        self._out += b"... " if self._block else b">>> "

    def _friendly(self, b: int) -> None:
        if self._skip:
            self._skip -= 1
            return
        if b == 0x01:
            self._out += b"\r\n" + RAW_BANNER + b">"
            self.mode, self._raw, self._line, self._block = "raw", bytearray(), bytearray(), []
        elif b == 0x02:
            self._out += b"\r\n" + self.banner + b">>> "
            self._line, self._block = bytearray(), []
        elif b == 0x03:
            self._out += b"\r\n>>> "
            self._line, self._block = bytearray(), []
        elif b == 0x04:
            if not self._line:
                self._out += b"\r\n"
                self.reset = "soft"
        elif b == 0x05:
            self._out += b"\r\npaste mode; Ctrl-C to cancel, Ctrl-D to finish\r\n=== "
            self.mode, self._raw = "paste", bytearray()
        elif b in (0x08, 0x7F):
            if self._line:
                self._line.pop()
                self._out += b"\x08 \x08"
        elif b == 0x1B:
            self._skip = 2   # ESC [ X (arrow keys): history is not kept
        elif b == 0x0D:
            self._out += b"\r\n"
            line = self._line.decode("utf-8", "replace")
            self._line = bytearray()
            self._enter_line(line)
        elif b == 0x0A:
            pass
        elif b >= 0x20 or b == 0x09:
            self._line.append(b)
            self._out.append(b)

    def _enter_line(self, line: str) -> None:
        if self._block:
            if line.strip():
                self._block.append(line)
                self._prompt()
                return
            source, self._block = "\n".join(self._block) + "\n", []
            self._run(source, interactive=False)
        elif line.rstrip().endswith(":"):
            self._block = [line]
        elif line.strip():
            self._run(line, interactive=True)
        if self.reset is None:
            self._prompt()

    def _paste_mode(self, b: int) -> None:
        if b == 0x03:
            self._out += b"\r\n>>> "
            self.mode = "friendly"
        elif b == 0x04:
            self._out += b"\r\n"
            self.mode = "friendly"
            self._run(self._raw.decode("utf-8", "replace"), interactive=False)
            if self.reset is None:
                self._out += b">>> "
        else:
            self._raw.append(b)
            self._out += b"\r\n=== " if b == 0x0D else bytes((b,))

    def _run(self, source: str, *, interactive: bool) -> None:
        out, err, reset = self.executor.run(source, interactive=interactive)
        self._out += (out + err).encode("utf-8")
        if reset is not None:
            self.reset = reset.kind

    # --- raw REPL ---------------------------------------------------------------------------------------------
    def _raw_byte(self, b: int) -> None:
        if self._esc:
            self._esc.append(b)
            if len(self._esc) < 3:
                return
            seq, self._esc = bytes(self._esc), bytearray()
            if seq == b"\x05A\x01":
                self._out += b"R\x01" + bytes((PASTE_WINDOW & 0xFF, PASTE_WINDOW >> 8)) + b"\x01"
                self.mode, self._raw, self._paste_remain = "raw-paste", bytearray(), PASTE_WINDOW
            else:
                self._out += b"R\x00"
            return
        if b == 0x01:
            self._out += RAW_BANNER + b">"
            self._raw = bytearray()
        elif b == 0x02:
            self._out += b"\r\n" + self.banner + b">>> "
            self.mode, self._line, self._block = "friendly", bytearray(), []
        elif b == 0x03:
            self._raw = bytearray()
        elif b == 0x04:
            if not self._raw:
                self._out += b"OK\r\n"
                self.reset = "soft-raw"
                return
            self._out += b"OK"
            source, self._raw = self._raw.decode("utf-8", "replace"), bytearray()
            self._exec_framed(source)
        elif b == 0x05 and not self._raw:
            self._esc.append(b)
        else:
            self._raw.append(b)

    def _raw_paste(self, b: int) -> None:
        if b == 0x04 or b == 0x03:
            self._out += b"\x04"
            self.mode = "raw"
            source, self._raw = self._raw.decode("utf-8", "replace"), bytearray()
            if b == 0x03:
                self._out += b"\x04Traceback (most recent call last):\r\nKeyboardInterrupt: \r\n\x04>"
                return
            self._exec_framed(source)
            return
        self._raw.append(b)
        self._paste_remain -= 1
        if self._paste_remain == 0:
            self._out += b"\x01"
            self._paste_remain = PASTE_WINDOW

    def _exec_framed(self, source: str) -> None:
        out, err, reset = self.executor.run(source)
        if reset is not None:
            self._out += out.encode("utf-8")
            self.reset = reset.kind
            return
        self._out += out.encode("utf-8") + b"\x04" + err.encode("utf-8") + b"\x04>"
