"""A kit without pins: the device firmware's telemetry module (``mkfw.telemetry``) on a tiny CPython
hardware layer, publishing to a real broker through :mod:`makerkit.mqtt.umqtt`.

It is what a networked ESP32 kit does, minus the Firmata server: the classroom uses it for the
"student devices" when many are needed, and the tests and benchmarks use it to drive tens of
thousands of readings through the real device code quickly. State (boot counter, reserved ``seq``)
is kept in a JSON file when ``state_path`` is given, so a restarted kit continues its numbering.
"""

from __future__ import annotations

import json
import os
import threading
import time

from mkfw.telemetry import Telemetry

from ..mqtt.umqtt import MQTTClient


class NetHal:
    """The parts of the firmware's hardware layer that telemetry uses."""

    has_network = True

    def __init__(self, state_path: str | None = None):
        self.state_path = state_path
        self._state: dict = {}
        self.online = True
        self._t0 = time.monotonic()
        if state_path and os.path.exists(state_path):
            with open(state_path, encoding="utf-8") as fh:
                self._state = json.load(fh)

    def ticks_ms(self) -> int:
        return int((time.monotonic() - self._t0) * 1000) & 0x3FFFFFFF

    def load_state(self) -> dict:
        return dict(self._state)

    def save_state(self, state: dict) -> None:
        self._state = dict(state)
        if self.state_path:
            tmp = self.state_path + ".tmp"
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(self._state, fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.state_path)

    def network_ready(self) -> bool:
        return self.online

    def mqtt_client(self, client_id, server, port, user=None, password=None):
        return MQTTClient(client_id, server, port, user, password, keepalive=60, timeout=5.0)


class HeadlessKit:
    """``HeadlessKit("7a", "kit-01", broker="mqtt://127.0.0.1:1883")``; ``record({...})``; ``pump()``."""

    def __init__(self, class_id: str, kit: str, *, broker: str, capacity: int = 500, state_path: str | None = None,
                 username: str = "", password: str = "", clock: bool = False):
        self.hal = NetHal(state_path)
        state = self.hal.load_state()
        state["boot"] = int(state.get("boot", 0)) + 1
        self.hal.save_state(state)
        self.config = {"kit": kit, "class": class_id, "broker": broker, "username": username,
                       "password": password, "interval": 0}
        self.telemetry = Telemetry(self.hal, self.config, boot=state["boot"], capacity=capacity)
        if clock:
            from ..protocol.telemetry import iso_utc
            self.telemetry.set_clock(iso_utc(time.time()))
        self._lock = threading.Lock()

    def record(self, readings: dict, units: dict | None = None) -> int:
        with self._lock:
            return self.telemetry.record(readings, units, self.hal.ticks_ms())

    def pump(self) -> None:
        """One pass of the firmware loop: connect if needed, answer replays, publish what waits."""
        with self._lock:
            self.telemetry.poll(self.hal.ticks_ms())

    @property
    def pending(self) -> int:
        return self.telemetry.pending()

    @property
    def connected(self) -> bool:
        return self.telemetry.connected

    def close(self) -> None:
        with self._lock:
            client = self.telemetry.client
            if client is not None:
                try:
                    client.disconnect()
                except OSError:
                    pass
            self.telemetry.client = None
            self.telemetry.connected = False
