"""makerkit: flash, drive and collect telemetry from ESP32 and Arduino kits in school maker-spaces.

    import makerkit
    with makerkit.connect("sim://uno") as kit:      # or connect() for the one board plugged in
        led = kit.led("D13")
        led.blink(n=3, background=False)

Importing makerkit opens nothing and starts no thread; the names below load on first use.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    "connect": "makerkit.api",
    "Kit": "makerkit.device.kit",
    "LED": "makerkit.device.outputs",
    "PWMLED": "makerkit.device.outputs",
    "Buzzer": "makerkit.device.outputs",
    "Button": "makerkit.device.inputs",
    "LightSensor": "makerkit.device.inputs",
    "Potentiometer": "makerkit.device.inputs",
    "Servo": "makerkit.device.motion",
    "Motor": "makerkit.device.motion",
    "DistanceSensor": "makerkit.device.sensors",
    "DHT11": "makerkit.device.sensors",
    "DHT22": "makerkit.device.sensors",
    "I2C": "makerkit.device.i2c",
    "FirmataClient": "makerkit.device.client",
    "FirmwareInfo": "makerkit.device.handshake",
    "FirmwareWarning": "makerkit.device.handshake",
    "KitIdentity": "makerkit.device.handshake",
    "MakerkitError": "makerkit.errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'makerkit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
