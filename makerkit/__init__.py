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

from .catalog.parts import PARTS

# public name -> module that defines it: what a student's program uses. The parts come from the
# parts registry; the rest (FirmataClient, FirmwareInfo...) lives in makerkit.device.
_EXPORTS = {
    "connect": "makerkit.api",
    "pause": "makerkit.device.pause",
    "Kit": "makerkit.device.kit",
    "I2C": "makerkit.device.i2c",
    "MakerkitError": "makerkit.errors",
    **{part.cls: part.module for part in PARTS},
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
