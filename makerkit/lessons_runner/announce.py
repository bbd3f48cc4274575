"""The class dashboard learns which lesson runs on a kit: ``makerkit lesson run`` and ``lesson check``
send a ``lesson`` event (docs/TELEMETRY.md §4) when the script starts and when it has ended::

    {"event": "lesson", "data": {"lesson": "03-thermometer", "mode": "check", "state": "running"}}
    {"event": "lesson", "data": {"lesson": "03-thermometer", "mode": "check", "state": "ended",
                                 "outcome": "passed"}}

``outcome`` is what the portfolio records (``passed``, ``failed``, ``crashed``, ``not_checkable``;
``finished`` or ``stopped`` for a run). Only a kit that reaches the class broker sends it: one on the
class WiFi itself (its firmware publishes), or a tethered one linked by ``lesson run --broker`` (the
bridge publishes). Anything else (the virtual kit of a check, a kit without makerkit's firmware) sends
nothing, and a kit that cannot send never stops the lesson.
"""

from __future__ import annotations

from typing import Any

from ..errors import MakerkitError

EVENT = "lesson"


def reaches_class(kit: Any, bridge: Any = None) -> bool:
    """True when what ``kit`` publishes reaches the class broker (its own WiFi, or ``bridge``)."""
    if bridge is not None:
        return True
    try:
        return bool(kit.board.has_network and kit.firmware.supports("config") and kit.config().get("broker"))
    except (MakerkitError, AttributeError):
        return False


def announce(kit: Any, lesson_id: str, *, state: str, mode: str, outcome: str | None = None,
             bridge: Any = None) -> bool:
    """Send the ``lesson`` event (see the module docstring); True when the kit took it."""
    if not reaches_class(kit, bridge):
        return False
    data = {"lesson": lesson_id, "mode": mode, "state": state}
    if outcome:
        data["outcome"] = outcome
    try:
        kit.event(EVENT, **data)
    except (MakerkitError, AttributeError):
        return False
    return True


__all__ = ["announce", "reaches_class"]
