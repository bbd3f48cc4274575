"""A two-motor driver board (L298N, TB6612): the wheel speeds a robot world moves by.

    wheels = world.part("motor_driver", ("D7", "D8", "D5"), ("D12", "D11", "D6"))
    left, right = wheels.wheel_speeds()     # -1.0 .. 1.0 each, from what the firmware drives
"""

from __future__ import annotations

from .motor import speed


class MotorDriverSim:
    def __init__(self, world, left, right):
        self.world = world
        self.left = _pins(left)
        self.right = _pins(right)

    def wheel_speeds(self) -> tuple[float, float]:
        """(left, right) from -1 (full backwards) to 1 (full forwards)."""
        return (speed(self.world, *self.left), speed(self.world, *self.right))


def _pins(pins) -> tuple:
    pins = tuple(pins)
    return pins + (None,) * (3 - len(pins))


def make(world, left, right) -> MotorDriverSim:
    return MotorDriverSim(world, left, right)
