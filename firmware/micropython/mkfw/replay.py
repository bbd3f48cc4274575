"""Replay requests on the kit: validated, bounded and rate-limited (MicroPython-compatible).

A collector asks ``{"v":1,"from":A,"to":B}`` on ``.../replay`` (docs/TELEMETRY.md section 5); the
bridge asks REPLAY ``from=A to=B`` over the cable. :func:`check` accepts only integers (not booleans)
with ``0 <= A <= B <= 2**53-1`` and cuts ``B`` to ``A + MAX_SPAN - 1``: one request makes the kit send
at most ``MAX_SPAN`` records (the ``replay_done`` that follows names the range it answered, so the
collector asks for the rest later). :class:`ReplayGate` lets a kit answer at most ``PER_MINUTE``
MQTT requests in any minute: any client on the broker could otherwise keep a kit republishing its
whole outbox. Requests beyond that, and invalid ones, are ignored and counted (``ignored``,
``invalid``; the kit's status reports them as ``replays_ignored``).
"""

import json

MAX_COUNTER = 2 ** 53 - 1
MAX_SPAN = 1000           # numbers answered per request (the collector asks for at most this many)
PER_MINUTE = 12           # MQTT requests answered in any 60 s (a collector's round is 4 per gap)
WINDOW_MS = 60000


def _integer(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check(first, last):
    """``(first, last)`` to answer, cut to ``MAX_SPAN`` numbers, or None for an invalid range."""
    if not _integer(first) or not _integer(last):
        return None
    if not 0 <= first <= last <= MAX_COUNTER:
        return None
    if last - first >= MAX_SPAN:
        last = first + MAX_SPAN - 1
    return first, last


def parse(msg):
    """The range a ``.../replay`` payload asks for (see :func:`check`), or None."""
    try:
        doc = json.loads(msg)
    except (ValueError, TypeError):
        return None
    if not isinstance(doc, dict):
        return None
    return check(doc.get("from"), doc.get("to"))


class ReplayGate:
    """At most ``per_minute`` requests in any ``WINDOW_MS`` of uptime."""

    def __init__(self, per_minute=PER_MINUTE):
        self.per_minute = per_minute
        self.times = []           # uptime (ms) of the requests answered in the last window
        self.ignored = 0          # valid requests refused because of the limit
        self.invalid = 0          # requests that were not a valid range

    def admit(self, msg, now_ms):
        """The range to answer for a request payload, or None (invalid, or over the limit)."""
        wanted = parse(msg)
        if wanted is None:
            self.invalid += 1
            return None
        while self.times and now_ms - self.times[0] >= WINDOW_MS:
            self.times.pop(0)
        if len(self.times) >= self.per_minute:
            self.ignored += 1
            return None
        self.times.append(now_ms)
        return wanted
