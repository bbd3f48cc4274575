"""On a virtual clock, ``time.sleep`` on a lesson script's thread waits on the kit's clock.

A lesson script waits with ``kit.sleep``. The CircuitPython drivers a lesson reaches through
``kit.i2c()`` (``adafruit_ahtx0``, ``adafruit_bme280``...) wait with ``time.sleep`` instead, between
a command and its answer, and so do the examples students copy from Adafruit's guides. On a real kit
that is right: the sensor and the computer share the wall clock. On a virtual clock the simulated
sensor's time stands still while the computer sleeps, so a driver polling a busy AHT20 asks it
dozens of times and one measurement costs most of a wall second instead of a millisecond.

So while a script runs on a virtual clock (:func:`route_sleep`, called by the session on the
script's thread), ``time.sleep(s)`` on that thread is the session's sleep: simulated time, within
the check's budget, like ``kit.sleep(s)``. Every other thread, and every thread outside a lesson run,
gets the computer's own ``time.sleep``. The routing is a context variable set on the script's thread
(a new thread starts with an empty context, so no other thread sees it); ``time.sleep`` is wrapped
the first time a lesson runs on a virtual clock, and the wrapper hands every call it does not route
to the function it wrapped.
"""

from __future__ import annotations

import contextvars
import threading
import time
from typing import Callable

_ROUTE: contextvars.ContextVar[Callable[[float], None] | None] = contextvars.ContextVar(
    "makerkit_lesson_sleep", default=None)
_install_lock = threading.Lock()
_wrapped: Callable[[float], None] | None = None   # the time.sleep the wrapper stands in front of


def _sleep(seconds: float) -> None:
    route = _ROUTE.get()
    if route is None:
        return _wrapped(seconds)
    return route(seconds)


def _install() -> None:
    global _wrapped
    with _install_lock:
        if time.sleep is not _sleep:
            _wrapped = time.sleep
            time.sleep = _sleep


def route_sleep(sleep: Callable[[float], None]) -> contextvars.Token:
    """From now on ``time.sleep(s)`` on this thread calls ``sleep(s)``; returns the token that
    :func:`unroute_sleep` takes to end it."""
    _install()
    return _ROUTE.set(sleep)


def unroute_sleep(token: contextvars.Token) -> None:
    """``time.sleep`` on this thread is the computer's own again."""
    _ROUTE.reset(token)


def routed() -> bool:
    """True when ``time.sleep`` on this thread waits on a kit's clock."""
    return _ROUTE.get() is not None


__all__ = ["route_sleep", "routed", "unroute_sleep"]
