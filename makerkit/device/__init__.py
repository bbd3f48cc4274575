"""The device layer: the Firmata client (one reader thread per kit), the Kit and its parts.

``Kit`` and the parts are usually reached through :func:`makerkit.connect`; they live here so the
lessons runner, the bridge and the tests can build them over any transport. The parts are those of
the registry (:mod:`makerkit.catalog.parts`). ``I2C`` is imported on first use only (it brings in
adafruit-blinka).
"""

from __future__ import annotations

import importlib

from ..catalog.parts import PARTS
from .client import FirmataClient
from .handshake import FirmwareInfo, FirmwareWarning, KitIdentity
from .kit import Kit
from .pause import pause

for _part in PARTS:
    globals()[_part.cls] = getattr(importlib.import_module(_part.module), _part.cls)

__all__ = sorted(["FirmataClient", "FirmwareInfo", "FirmwareWarning", "I2C", "Kit", "KitIdentity", "pause",
                  *(part.cls for part in PARTS)])


def __getattr__(name: str):
    if name == "I2C":
        from .i2c import I2C
        return I2C
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
