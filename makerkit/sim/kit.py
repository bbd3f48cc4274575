"""``VirtualKit``: the real firmware on a simulated board in a simulated world, behind a Transport.

    kit = VirtualKit("uno")                 # virtual clock: time moves only through sleep()
    kit.transport.write(b"\\xf9")            # REPORT_VERSION
    kit.clock.sleep(0.01)
    kit.transport.read()                    # b"\\xf9\\x02\\x06"
    kit.world.press("D2")

Clocks. ``kit.clock`` (also ``kit.transport.clock``) is a :class:`SimClock`. ``clock="virtual"``:
simulated time advances only through ``kit.clock.sleep(s)`` (or ``kit.advance(s)``), in 1 ms
firmware-loop steps; what the firmware sends meanwhile waits in the cable's buffer for the host to
read it, so the host decides when it reads and nothing depends on thread scheduling. Bytes written
are handled at once, at the current simulated time. ``clock="real"``: one thread (the board's CPU)
runs the firmware loop every millisecond of wall-clock time.

The board was powered on just before t = 0 (an ESP32's 500 ms boot window has passed); resets
(``transport.pulse_reset()``, the REPL's soft reset, ``machine.reset()``) run it again.
"""

from __future__ import annotations

import threading
import time

from ..catalog import load_board
from ..errors import DisconnectedError, UsageError
from .device import SimDevice
from .fs import SimFs
from .hal import SimHal
from .world import World

STEP_US = 1000               # one firmware-loop pass per simulated millisecond
REAL_PERIOD_S = 0.001        # the real-clock loop period
MAX_BUFFER = 4 * 1024 * 1024 # bytes kept for a reader that does not read (oldest dropped, as a UART)
CLOCKS = ("virtual", "real")


class SimTransport:
    """The virtual kit's end of the cable (the Transport protocol of ``makerkit.transport.base``)."""

    def __init__(self, kit: "VirtualKit"):
        self.kit = kit
        self.url = f"sim://{kit.board.id}"
        self.clock = kit.clock
        self._cond = threading.Condition()
        self._buf = bytearray()
        self._open = True
        self.bytes_to_host = 0
        self.bytes_from_host = 0

    @property
    def is_open(self) -> bool:
        return self._open

    # --- the firmware's side ---------------------------------------------------------------------------
    def _push(self, data: bytes) -> None:
        if not data:
            return
        with self._cond:
            self._buf += data
            self.bytes_to_host += len(data)
            if len(self._buf) > MAX_BUFFER:
                del self._buf[:len(self._buf) - MAX_BUFFER]
            self._cond.notify_all()

    def discard_output(self) -> None:
        """Forget what the board sent while nobody listened (a new client connects)."""
        with self._cond:
            self._buf.clear()
            self._cond.notify_all()

    # --- the host's side ---------------------------------------------------------------------------------
    def read(self, size: int = 4096, timeout: float = 0.1) -> bytes:
        with self._cond:
            end = time.monotonic() + max(0.0, timeout)
            while not self._buf and self._open:
                remaining = end - time.monotonic()
                if remaining <= 0:
                    return b""
                self._cond.wait(remaining)
            if not self._buf:
                return b""
            data = bytes(self._buf[:size])
            del self._buf[:size]
            return data

    def write(self, data: bytes) -> None:
        if not self._open:
            raise DisconnectedError(en=f"The virtual kit {self.url} is closed.",
                                    zh=f"虚拟套件 {self.url} 已经关闭。", port=self.url)
        data = bytes(data)
        self.bytes_from_host += len(data)
        self.kit._host_write(data)

    def close(self) -> None:
        with self._cond:
            self._open = False
            self._cond.notify_all()

    def set_baud(self, baud: int) -> None:
        """Any speed works on the virtual cable."""

    def pulse_reset(self) -> None:
        self.kit.reset()



class SimClock:
    """The virtual kit's clock (the :class:`~makerkit.transport.clock.Clock` of its transport):
    simulated seconds on a virtual clock, seconds since the kit started on a real one."""

    def __init__(self, kit: "VirtualKit", virtual: bool):
        self._kit = kit
        self.virtual = virtual

    def now(self) -> float:
        return self._kit.now()

    def sleep(self, seconds: float) -> None:
        if self.virtual:
            self._kit.advance(seconds)
        elif seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return f"<SimClock {'virtual' if self.virtual else 'real'} t={self.now():.3f}s>"


class VirtualKit:
    """A simulated board running the real firmware (see the module docstring)."""

    def __init__(self, board="uno", *, clock: str = "virtual", seed: int = 0, fs_dir=None, mqtt_factory=None):
        if clock not in CLOCKS:
            raise UsageError(en=f"clock must be 'virtual' or 'real', not {clock!r}.",
                             zh=f"clock 只能是 'virtual' 或 'real'，而不是 {clock!r}。")
        self.board = load_board(board)
        self.clock_mode = clock
        self.clock = SimClock(self, virtual=clock == "virtual")
        self._lock = threading.RLock()
        self._now_us = 0
        self._t0 = time.monotonic()
        self.fs = SimFs(fs_dir)
        self.world = World(self.board, seed=seed, clock=self.now)
        self.hal = SimHal(self.world, self.fs, adc_bits=self.board.adc_bits,
                          has_repl=self.board.has_repl, has_network=self.board.has_network,
                          clock_ms=self._ms, mqtt_factory=mqtt_factory,
                          has_flash=self.board.has_filesystem)
        self.device = SimDevice(self.board, self.hal, self.fs, self._ms)
        self.transport = SimTransport(self)
        self.device.power_on(self._ms() - 500)   # powered on just before t = 0
        self.transport._push(self.device.step(self._ms()))
        self.closed = False
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        if clock == "real":
            self.world.on_change = self._wake.set
            self._thread = threading.Thread(target=self._run_real, name=f"makerkit-sim {self.board.id}",
                                            daemon=True)
            self._thread.start()

    # --- clock -------------------------------------------------------------------------------------------
    @property
    def virtual(self) -> bool:
        return self.clock.virtual

    def now(self) -> float:
        """Seconds since the kit started (simulated on a virtual clock)."""
        if self.clock.virtual:
            return self._now_us / 1e6
        return time.monotonic() - self._t0

    def _ms(self) -> int:
        if self.clock.virtual:
            return self._now_us // 1000
        return int((time.monotonic() - self._t0) * 1000)

    def advance(self, seconds: float) -> None:
        """Virtual clock: run the firmware loop for ``seconds`` of simulated time (1 ms steps)."""
        if not self.clock.virtual:
            raise UsageError(en="advance() needs a virtual clock; this kit runs in real time.",
                             zh="advance() 只能用于虚拟时钟；这个套件按真实时间运行。")
        with self._lock:
            target = self._now_us + max(0, round(seconds * 1e6))
            while self._now_us < target:
                self._now_us = min(target, (self._now_us // STEP_US + 1) * STEP_US)
                self.world.run_due(self._now_us / 1e6)
                self.transport._push(self.device.step(self._now_us // 1000))

    def sleep(self, seconds: float) -> None:
        self.clock.sleep(seconds)

    def _run_real(self) -> None:
        while not self._stop.is_set():
            with self._lock:
                self.world.run_due(self.now())
                out = self.device.step(self._ms())
            self.transport._push(out)
            self._wake.wait(REAL_PERIOD_S)
            self._wake.clear()

    # --- the cable ---------------------------------------------------------------------------------------
    def _host_write(self, data: bytes) -> None:
        with self._lock:
            now = self._ms()
            self.device.feed(data, now)
            out = self.device.step(now)
        self.transport._push(out)

    def receive_control(self, payload: bytes, *, kit_topic: bool = False) -> bool:
        """A teacher's control message (docs/TELEMETRY.md §4a) arrives from the class broker: the
        firmware gets it as its MQTT client hands it over (on the class's control topic, or on the
        kit's own with ``kit_topic``), obeys it and tells the host (MK_CONTROL). Boards without
        network hear no broker: their host does (``makerkit.device.stop.tell_program``). Returns
        False when no firmware runs to take it (the board is at its REPL), as a board would miss it."""
        if not self.board.has_network:
            raise UsageError(
                en=f"The virtual {self.board.name} has no network: control messages reach its computer, not the board.",
                zh=f"虚拟的 {self.board.name_zh} 没有网络：控制消息只能送到和它相连的电脑，而不是开发板。")
        with self._lock:
            app = self.device.app
            telemetry = getattr(app, "telemetry", None)
            handler = getattr(telemetry, "on_control", None)
            if handler is None:
                return False
            config = app.config
            room = config.get("class") or "lesson"
            topic = f"makerkit/v1/{room}/{config.get('kit') or 'sim'}/control" if kit_topic else \
                f"makerkit/v1/{room}/_class/control"
            handler(topic.encode(), bytes(payload))
            out = self.device.step(self._ms())
        self.transport._push(out)
        self._wake.set()
        return True

    def reset(self) -> None:
        """Press the reset button: the firmware restarts (boot window on ESP32 boards)."""
        with self._lock:
            self.device.power_on(self._ms())
        self._wake.set()

    @property
    def state(self) -> str:
        """What the board is doing: "boot", "firmata" or "repl"."""
        return self.device.state

    def close(self) -> None:
        """Stop the board (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2.0)
        self.transport.close()

    def __enter__(self) -> "VirtualKit":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<VirtualKit {self.board.id} clock={self.clock_mode} t={self.now():.3f}s {self.state}>"
