"""An infrared line sensor (TCRT5000 module) over a floor: dark line reads high.

The floor under the sensor is ``darkness`` from 0.0 (white) to 1.0 (black tape). A test sets it;
a robot world gives a callback instead, asked each time the firmware reads the pin::

    sensor = world.part("line_sensor", "D3")               # the module's DO on D3
    sensor.darkness = 0.9                                   # over the line: DO reads 1
    sensor.reads_from(lambda: arena.darkness_under(robot))  # or: the world decides

Digital output (DO) is 1 when darkness is at least ``threshold`` (the module's comparator);
analog output (AO) is the darkness itself as a fraction of full scale.
"""

from __future__ import annotations

from typing import Callable


class LineSensorSim:
    def __init__(self, world, pin, *, analog: bool = False, threshold: float = 0.5):
        self.world = world
        self.pin = pin
        self.analog = analog
        self.threshold = threshold
        self._darkness = 0.0
        self._source: Callable[[], float] | None = None
        world.drive_input(pin, self)

    @property
    def darkness(self) -> float:
        value = self._source() if self._source is not None else self._darkness
        return min(1.0, max(0.0, float(value)))

    @darkness.setter
    def darkness(self, value: float) -> None:
        self._source = None
        self._darkness = float(value)
        self.world.changed()

    def reads_from(self, source: Callable[[], float] | None) -> None:
        """Ask ``source()`` for the darkness under the sensor at every read (None: back to ``darkness``)."""
        self._source = source
        self.world.changed()

    # what the world asks when the firmware reads the pin
    def digital(self) -> int:
        return 1 if self.darkness >= self.threshold else 0

    def voltage(self) -> float:
        return self.darkness if self.analog else float(self.digital())


def make(world, pin, *, analog: bool = False, threshold: float = 0.5) -> LineSensorSim:
    return LineSensorSim(world, pin, analog=analog, threshold=threshold)
