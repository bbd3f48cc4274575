"""The device layer: the Firmata client (one reader thread per kit), the Kit and its parts.

``Kit`` and the parts are usually reached through :func:`makerkit.connect`; they live here so the
lessons runner, the bridge and the tests can build them over any transport. ``I2C`` is imported
on first use only (it brings in adafruit-blinka).
"""

from __future__ import annotations

from .client import FirmataClient
from .handshake import FirmwareInfo, FirmwareWarning, KitIdentity
from .inputs import Button, LightSensor, Potentiometer
from .kit import Kit
from .motion import Motor, Servo
from .outputs import LED, PWMLED, Buzzer
from .sensors import DHT11, DHT22, DistanceSensor

__all__ = ["DHT11", "DHT22", "LED", "PWMLED", "Button", "Buzzer", "DistanceSensor", "FirmataClient",
           "FirmwareInfo", "FirmwareWarning", "I2C", "Kit", "KitIdentity", "LightSensor", "Motor",
           "Potentiometer", "Servo"]


def __getattr__(name: str):
    if name == "I2C":
        from .i2c import I2C
        return I2C
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
