"""Infrared line sensors (TCRT5000 modules and the like) that tell a dark line from a light floor."""

from __future__ import annotations

from ..errors import UsageError
from . import wiring
from .base import user_callback
from .inputs import DigitalInput, _AnalogInput


class LineSensor(DigitalInput):
    """An infrared reflectance sensor's digital output (DO): active over a dark line.

    Wiring: VCC → 5 V (3.3 V on an ESP32), GND → GND, DO → the pin. Mount it 5-10 mm above the
    floor; turn the module's little screw until its LED goes off over the line. Most modules read
    1 over black (``active_high=True``); if yours reads the other way, pass ``active_high=False``.

        line = kit.line_sensor("D3")
        line.when_line = wheels.stop
        print(line.is_active)
    """

    _WHAT = ("line sensor", "巡线传感器")

    def __init__(self, pin, *, kit=None, active_high: bool = True):
        super().__init__(pin, kit=kit, active=1 if active_high else 0)

    @property
    def on_line(self) -> bool:
        """True while the sensor sees the dark line."""
        return self._read("on_line", self._current() == self._active)

    when_line = property(lambda self: self._when_activated,
                         lambda self, fn: setattr(self, "_when_activated", user_callback(fn, self)))
    when_no_line = property(lambda self: self._when_deactivated,
                            lambda self, fn: setattr(self, "_when_deactivated", user_callback(fn, self)))

    def wait_for_line(self, timeout: float | None = None) -> bool:
        """Wait until the sensor sees the line; False if ``timeout`` seconds pass first."""
        return self._wait(True, timeout)

    def wait_for_no_line(self, timeout: float | None = None) -> bool:
        return self._wait(False, timeout)

    @classmethod
    def check_wiring(cls, kit, wired) -> list:
        """The wiring check (:mod:`makerkit.device.wiring`): a sensor standing still reads a steady
        level (over the line or not); one that flickers has a loose wire."""
        if not wired.signals:
            return []
        wire = wired.signals[0]
        sensor, trouble = wiring.open_part(lambda: cls(wire.pin, kit=kit), wired)
        if sensor is None:
            return [trouble] if trouble else []
        try:
            levels = sensor.idle_levels()
        finally:
            sensor.close()
        if len(set(levels)) <= 1:
            return []
        return [wiring.fault(
            wired, None,
            f"The line sensor on {wire.pin} flickers while the robot stands still.",
            f"机器人没有动，{wire.pin} 上的巡线传感器的读数却忽高忽低。",
            f"Its DO wire to {wire.pin} or its VCC/GND wire is loose: push them in firmly.",
            f"它接 {wire.pin} 的 DO 线，或者 VCC/GND 线松了：把线插紧。")]


class AnalogLineSensor(_AnalogInput):
    """An infrared reflectance sensor's analog output (AO), read as darkness: 0 (white) to 1 (black).

    Wiring: VCC → 5 V (3.3 V on an ESP32), GND → GND, AO → an analog pin.

        line = kit.analog_line_sensor("A2")
        print(line.value)            # about 0.1 on white paper, 0.9 on black tape
        if line.is_active: wheels.stop()
    """

    def __init__(self, pin, *, kit=None, threshold: float = 0.5):
        if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
            raise UsageError(en=f"threshold must be a number between 0 and 1, not {threshold!r}.",
                             zh=f"threshold 必须是 0 到 1 之间的数，而不是 {threshold!r}。")
        self.threshold = float(threshold)
        super().__init__(pin, kit=kit)

    @property
    def is_active(self) -> bool:
        """True when the floor under the sensor is darker than ``threshold``."""
        return self._read("is_active", self._raw() / self._max >= self.threshold)

    @property
    def on_line(self) -> bool:
        return self.is_active
