"""The clock a transport carries: ``now()``, ``sleep()`` and whether it is virtual.

Real ports (USB serial, sockets) carry :data:`WALL_CLOCK`. The virtual kit carries its own clock
(``makerkit.sim.kit.SimClock``): on a virtual clock simulated time moves only through ``sleep()``,
so whoever waits for a board waits on the transport's clock, never on the wall clock, and tests are
exact and fast. Everything above the transport asks ``transport.clock`` (and a connected kit's
``kit.clock``) instead of guessing from the kind of object it holds.
"""

from __future__ import annotations

import time
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    virtual: bool
    """True when time moves only through :meth:`sleep` (the virtual kit's simulated time)."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (on a virtual clock: move simulated time on by ``seconds``)."""
        ...


class WallClock:
    """The computer's own monotonic clock."""

    virtual = False

    @staticmethod
    def now() -> float:
        return time.monotonic()

    @staticmethod
    def sleep(seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def __repr__(self) -> str:
        return "<WallClock>"


WALL_CLOCK = WallClock()

__all__ = ["Clock", "WALL_CLOCK", "WallClock"]
