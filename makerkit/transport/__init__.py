"""Transports: the byte streams to kits, opened by URL, plus port discovery.

``open_transport(url)`` opens a serial port name (``COM3``, ``/dev/ttyUSB0``) or a pyserial URL
(``socket://HOST:PORT``, ``rfc2217://HOST:PORT``, ``loop://``) and returns a
:class:`~makerkit.transport.base.Transport`. ``sim://BOARD`` is not opened here: the virtual kit
provides its own transport (``makerkit.connect("sim://uno")``).

Nothing is imported from pyserial until a port is opened or listed.
"""

from __future__ import annotations

import os
import sys

from ..errors import UsageError
from .base import Transport

DEFAULT_BAUD = 115200


def open_transport(url: str, *, baud: int = DEFAULT_BAUD, exclusive: bool = True,
                   timeout: float = 2.0) -> Transport:
    """Open ``url`` and return a :class:`Transport`.

    ``exclusive`` locks the port so a second program (or a second makerkit window) cannot open it
    at the same time. ``timeout`` is how long a single write may stall before the board counts as
    disconnected.

    Raises :class:`~makerkit.errors.PortNotFoundError` (no such port, nothing listening),
    :class:`~makerkit.errors.PortBusyError` (another program holds it; named where the OS can tell),
    :class:`~makerkit.errors.PortPermissionError` (not allowed: names the device's group) or
    :class:`~makerkit.errors.UsageError` (a URL makerkit cannot open).
    """
    url = normalize_port(url)
    if url.lower().startswith("sim://"):
        raise UsageError(
            en=f"{url} is a virtual kit: open it with makerkit.connect({url!r}), not as a serial port.",
            zh=f"{url} 是虚拟套件：请用 makerkit.connect({url!r}) 打开，而不是当作串口打开。",
            port=url)
    from .serial_port import open_serial
    return open_serial(url, baud=baud, exclusive=exclusive, timeout=timeout)


def normalize_port(port: str) -> str:
    """Tidy what a person typed: strip spaces; ``ttyUSB0`` -> ``/dev/ttyUSB0`` when that exists;
    ``com3`` -> ``COM3`` on Windows."""
    if not isinstance(port, str) or not port.strip():
        raise UsageError(en=f"No port given ({port!r}).", zh=f"没有给出串口（{port!r}）。",
                         hint_en="Give a port such as COM3 or /dev/ttyUSB0; `makerkit ports` lists them.",
                         hint_zh="请给出 COM3 或 /dev/ttyUSB0 这样的串口；`makerkit ports` 可以列出它们。")
    port = port.strip()
    if "://" in port:
        return port
    if sys.platform == "win32":
        return port.upper() if port.lower().startswith("com") else port
    if not os.path.isabs(port) and not os.path.exists(port) and os.path.exists("/dev/" + port):
        return "/dev/" + port
    return port


__all__ = ["DEFAULT_BAUD", "Transport", "normalize_port", "open_transport"]
