"""An HC-SR04 ultrasonic sensor: the echo the firmware times, in whole centimetres."""

from __future__ import annotations

SONAR_MAX_CM = 400     # an HC-SR04 hears no echo beyond this


def echo_cm(distance_cm: float, unplugged: bool) -> int:
    """What the firmware's driver measures: whole cm, 0 for no echo (out of range, unplugged)."""
    if unplugged or distance_cm <= 1 or distance_cm > SONAR_MAX_CM:
        return 0
    return int(round(distance_cm))


class SonarSim:
    def __init__(self, world, trigger, echo):
        self.world, self.trigger, self.echo = world, trigger, echo

    @property
    def distance_cm(self) -> float:
        return self.world.distance_cm()

    @distance_cm.setter
    def distance_cm(self, cm: float) -> None:
        self.world.set_distance_cm(cm)


def make(world, trigger, echo) -> SonarSim:
    return SonarSim(world, trigger, echo)
