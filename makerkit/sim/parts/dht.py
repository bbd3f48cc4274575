"""A DHT11 or DHT22 on a pin: the air the world has, as the sensor reports it."""

from __future__ import annotations

ETIMEDOUT = 116   # the errno an ESP32 (newlib) dht driver raises for a sensor that does not answer


def reading(temperature: float, humidity: float, kind: int, unplugged: bool) -> tuple[float, float]:
    """(°C, %RH) as a DHT11 (whole numbers) or DHT22 (one decimal) gives them; OSError when unplugged."""
    if unplugged:
        raise OSError(ETIMEDOUT, "ETIMEDOUT")
    if kind == 11:
        return float(round(temperature)), float(round(humidity))
    return round(temperature, 1), round(humidity, 1)


class DhtSim:
    def __init__(self, world, pin):
        self.world, self.pin = world, pin

    def unplug(self) -> None:
        self.world.unplug(self.pin)

    def plug(self) -> None:
        self.world.plug(self.pin)


def make(world, pin) -> DhtSim:
    return DhtSim(world, pin)
