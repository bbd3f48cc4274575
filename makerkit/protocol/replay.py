"""Replay requests as a kit or a bridge answers them (docs/TELEMETRY.md section 5), sans-I/O.

:func:`requested_range` reads a ``.../replay`` payload: only integers (not booleans) with
``0 <= from <= to <= 2**53-1`` make a request, and one request is answered for at most
:data:`~makerkit.protocol.telemetry.MAX_REPLAY_SPAN` numbers from ``from`` (the ``replay_done`` says
which; the collector asks for the rest later). :class:`ReplayGate` answers at most ``per_minute``
requests in any 60 s, so no client on the broker can keep a kit (or its bridge) republishing.
The rules are those of the kit's own ``mkfw/replay.py``.
"""

from __future__ import annotations

import collections

from . import telemetry as tm

PER_MINUTE = 12       # requests answered in any WINDOW (a collector's round asks at most 4 per gap)
WINDOW = 60.0         # seconds


def requested_range(payload: bytes) -> tuple[str, int, int] | None:
    """``(inc, from, to)`` a request asks for, ``to`` cut to ``MAX_REPLAY_SPAN`` numbers from ``from``;
    None when it is no valid request (not JSON, out of bounds, ``from > to``, a bad ``inc``)."""
    try:
        doc = tm.parse_message("replay", payload)
    except Exception:  # noqa: BLE001 - whatever a client sends is at worst an invalid request
        return None
    first, last = doc.get("from"), doc.get("to")
    if isinstance(first, bool) or isinstance(last, bool) or not isinstance(first, int) or not isinstance(last, int):
        return None
    if not 0 <= first <= last <= tm.MAX_COUNTER:
        return None
    return doc.get("inc") or "", first, min(last, first + tm.MAX_REPLAY_SPAN - 1)


class ReplayGate:
    """``gate.admit(now)``: True for at most ``per_minute`` calls in any :data:`WINDOW` seconds of ``now``."""

    def __init__(self, per_minute: int = PER_MINUTE, window: float = WINDOW):
        self.per_minute = per_minute
        self.window = window
        self._times: collections.deque = collections.deque()

    def admit(self, now: float) -> bool:
        while self._times and now - self._times[0] >= self.window:
            self._times.popleft()
        if len(self._times) >= self.per_minute:
            return False
        self._times.append(now)
        return True


__all__ = ["PER_MINUTE", "ReplayGate", "WINDOW", "requested_range"]
