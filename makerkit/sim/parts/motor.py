"""A DC motor on one H-bridge channel: the speed its pins ask for."""

from __future__ import annotations


def speed(world, forward, backward, enable=None) -> float:
    """-1.0 (full backward) .. 1.0 (full forward) from the duty of IN1, IN2 and ENA."""
    value = world.pwm_duty(forward) - world.pwm_duty(backward)
    if enable is not None:
        value *= world.pwm_duty(enable)
    return value


class MotorSim:
    def __init__(self, world, forward, backward, enable=None):
        self.world, self.pins = world, (forward, backward, enable)

    @property
    def speed(self) -> float:
        return speed(self.world, *self.pins)


def make(world, forward, backward, enable=None) -> MotorSim:
    return MotorSim(world, forward, backward, enable)
