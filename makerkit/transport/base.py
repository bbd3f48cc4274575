"""The :class:`Transport` protocol: the one seam between makerkit and a byte stream to a kit.

Everything above the transport (the Firmata client, the uploader, probing) talks to this small
interface and never learns whether the other end is a USB cable, a TCP socket or the virtual kit.

A transport is opened by URL (see :func:`makerkit.transport.open_transport`); the virtual kit
(``sim://``) provides its own object with the same shape.

Clock: ``time()`` and ``sleep()`` are the transport's clock. For real ports ``virtual_clock`` is
False, ``time()`` is :func:`time.monotonic` and ``sleep()`` is :func:`time.sleep`. A virtual kit with a
virtual clock advances simulated time only through ``sleep()``, so code that waits for a board should
use the transport's clock rather than the wall clock.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Transport(Protocol):
    """A bidirectional byte stream to one kit."""

    url: str
    """The URL or port name the transport was opened with (``/dev/ttyUSB0``, ``socket://...``)."""

    virtual_clock: bool
    """True when ``time()``/``sleep()`` are a simulated clock (the virtual kit)."""

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

    def time(self) -> float:
        """Monotonic seconds on the transport's clock."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` on the transport's clock."""
        ...


__all__ = ["Transport"]
