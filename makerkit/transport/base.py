"""The :class:`Transport` protocol: the one seam between makerkit and a byte stream to a kit.

Everything above the transport (the Firmata client, the uploader, probing) talks to this small
interface and never learns whether the other end is a USB cable, a TCP socket or the virtual kit.

A transport is opened by URL (see :func:`makerkit.transport.open_transport`); the virtual kit
(``sim://``) provides its own object with the same shape.

Clock: every transport carries ``clock`` (:mod:`makerkit.transport.clock`): the wall clock for real
ports, the virtual kit's own clock for ``sim://``. Code that waits for a board waits on it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from .clock import Clock


@runtime_checkable
class Transport(Protocol):
    """A bidirectional byte stream to one kit."""

    url: str
    """The URL or port name the transport was opened with (``/dev/ttyUSB0``, ``socket://...``)."""

    clock: Clock
    """The transport's clock (``clock.virtual`` is True on a virtual kit with simulated time)."""

    @property
    def is_open(self) -> bool:
        """True until :meth:`close` is called."""
        ...

    def read(self, size: int = 4096, timeout: float = 0.1) -> bytes:
        """Return up to ``size`` bytes as soon as at least one is available.

        Returns ``b""`` when nothing arrived within ``timeout`` seconds (or after :meth:`close`).
        Raises :class:`~makerkit.errors.DisconnectedError` when the device vanished (cable pulled,
        socket closed by the other end).
        """
        ...

    def write(self, data: bytes) -> None:
        """Send all of ``data``; raises :class:`~makerkit.errors.DisconnectedError` when the device
        vanished."""
        ...

    def close(self) -> None:
        """Close the connection; safe to call twice and from another thread (a blocked
        :meth:`read` returns ``b""``)."""
        ...

    def set_baud(self, baud: int) -> None:
        """Change the line speed (ignored where a speed means nothing, such as sockets)."""
        ...

    def pulse_reset(self) -> None:
        """Reset the board through the DTR/RTS lines, as the Arduino IDE does on upload.

        A no-op where there are no modem lines (sockets, ptys)."""
        ...


__all__ = ["Transport"]
