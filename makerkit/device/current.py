"""The kit of the enclosing ``with makerkit.connect(...) as kit:`` block (a context variable, not a
global), so ``LED("D13")`` finds its kit as gpiozero's parts find their pin factory."""

from __future__ import annotations

import contextvars

_CURRENT: contextvars.ContextVar = contextvars.ContextVar("makerkit_current_kit", default=None)


def current_kit():
    """The innermost kit entered with ``with`` in this thread (None outside any)."""
    return _CURRENT.get()


def enter_kit(kit) -> contextvars.Token:
    return _CURRENT.set(kit)


def leave_kit(token: contextvars.Token) -> None:
    try:
        _CURRENT.reset(token)
    except ValueError:   # left in another context (a with block spanning threads): just forget it
        _CURRENT.set(None)
