"""A hobby servo: the pulse width the firmware sends, read as the angle it turns to."""

from __future__ import annotations

SERVO_MIN_US = 544     # the pulse width a hobby servo reads as 0 degrees (Arduino Servo library)
SERVO_MAX_US = 2400    # ... and 180 degrees


def angle(pulse_us: int) -> float:
    """Degrees (0..180, one decimal) for a pulse of ``pulse_us`` microseconds."""
    fraction = (pulse_us - SERVO_MIN_US) / (SERVO_MAX_US - SERVO_MIN_US)
    return round(min(180.0, max(0.0, fraction * 180.0)), 1)


class ServoSim:
    """The servo on ``pin``: ``angle`` is where it points (None without a signal)."""

    def __init__(self, world, pin):
        self.world, self.pin = world, pin

    @property
    def angle(self) -> float | None:
        return self.world.servo_angle(self.pin)


def make(world, pin) -> ServoSim:
    return ServoSim(world, pin)
