"""The firmware's life cycle as a sans-I/O state machine (MicroPython-compatible).

``App(hal, profile)`` boots the kit: it reads ``/makerkit.json``, settles the kit's incarnation
(``mkfw.config.settle_incarnation``), bumps the boot counter, builds the
Firmata server with every extension (and ``mkfw.telemetry`` when it is installed), and, on boards
with a REPL, listens for 500 ms first: two Ctrl-C bytes in that window leave the board at the REPL
(PROTOCOL.md section 4). ``feed(data)`` / ``poll(now_ms) -> bytes`` as the server; ``state`` is
``"boot"``, ``"firmata"`` or ``"repl"`` (the caller then hands the port to the REPL).
"""

from . import config as cfg
from . import features, mkext
from .server import FirmataServer, ticks_diff

BOOT_WINDOW_MS = 500


class App:
    def __init__(self, hal, profile, now_ms=0, boot_window=None):
        self.hal = hal
        if boot_window is None:
            boot_window = getattr(hal, "has_repl", False)
        self.state = "boot" if boot_window else "firmata"
        self.boot_end = now_ms + BOOT_WINDOW_MS
        self._pending = bytearray()
        self._ctrl_c = 0
        self._final = b""
        self.leftover = b""
        self.config = cfg.normalise(hal.load_config())
        state = hal.load_state()
        if not isinstance(state, dict):
            state = {}
        if cfg.settle_incarnation(self.config, state):
            hal.save_config(self.config)
        state["boot"] = int(state.get("boot", 0)) + 1
        hal.save_state(state)
        self.server = FirmataServer(hal, profile, self.config)
        self.server.state = state
        self.server.boot = state["boot"]
        features.install(self.server)
        mkext.install(self.server)
        self.telemetry = None
        self.telemetry_error = None
        try:
            from . import telemetry
        except ImportError:
            telemetry = None
        if telemetry is not None:
            try:
                self.telemetry = telemetry.install(self.server, hal, self.config)
                if "telemetry" not in self.server.features:
                    self.server.features.append("telemetry")
                from . import control, onboard
                control.install(self.server, self.telemetry)
                onboard.install(self.telemetry, hal, profile)
            except Exception as exc:  # a broken extension must not take Firmata down
                self.telemetry_error = exc

    def feed(self, data, now_ms=None):
        """Bytes from the host; ``now_ms`` (when known) stamps what they start (tone durations...)."""
        if now_ms is not None:
            self.server.now = now_ms
        if self.state == "boot":
            for b in data:
                if b == 0x03:
                    self._ctrl_c += 1
                    if self._ctrl_c >= 2:
                        self.state = "repl"
                        self._pending = bytearray()
                        return
                else:
                    self._ctrl_c = 0
                    self._pending.append(b)
        elif self.state == "firmata":
            cut = bytes(data).find(b"\xf0\x04\xf7")
            if cut >= 0:  # bytes after MK_REPL belong to the REPL, not to Firmata
                self.leftover = bytes(data[cut + 3:])
                data = data[:cut + 3]
            self.server.feed(data)
            if self.server.repl_requested:
                self.state = "repl"
                self._final = self.server.take_output()

    def poll(self, now_ms):
        if self.state == "boot":
            if ticks_diff(now_ms, self.boot_end) < 0:
                return b""
            self.state = "firmata"
            if self._pending:
                self.server.feed(bytes(self._pending))
                self._pending = bytearray()
        if self.state != "firmata":
            out, self._final = self._final, b""
            return out
        return self.server.poll(now_ms)
