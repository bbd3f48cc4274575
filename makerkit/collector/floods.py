"""Keep the quarantine small under a flood: the first refused messages of a topic are kept one by
one (their first 4 KiB, length and hash), the rest of a flood is counted in a summary row.

Memory is bounded too: at most :data:`MAX_BUCKETS` topics are tracked (the least recently refused
are forgotten first), so a stream of junk on ever-new topics costs a fixed amount.
"""

from __future__ import annotations

from collections import OrderedDict

from ..protocol import telemetry as tm
from ..store import Flood, Quarantined

KEEP_PER_WINDOW = 20          # refused messages kept whole per topic and reason in each window
WINDOW = 3600.0               # seconds
MAX_BUCKETS = 4096


def bucket(topic: str, reason: str) -> str:
    """The topic a refused message is counted under: itself when it has the makerkit shape, else its
    first two levels (a flood of random topics shares one bucket)."""
    if reason == tm.BAD_TOPIC:
        return "/".join(topic.split("/")[:2])[:64] + "/…"
    return topic[:256]


class FloodGate:
    def __init__(self, keep: int = KEEP_PER_WINDOW, window: float = WINDOW):
        self.keep = keep
        self.window = window
        self._counts: OrderedDict[tuple[str, str], list] = OrderedDict()   # key -> [window start, kept]

    def filter(self, bad: list[Quarantined], now: float) -> tuple[list[Quarantined], list[Flood]]:
        """Split refused messages into those to keep whole and per-topic summaries of the rest."""
        kept: list[Quarantined] = []
        summary: dict[tuple[str, str], list] = {}
        for q in bad:
            key = (bucket(q.topic, q.reason), q.reason)
            entry = self._counts.get(key)
            if entry is None or now - entry[0] >= self.window:
                entry = [now, 0]
                self._counts[key] = entry
                if len(self._counts) > MAX_BUCKETS:
                    self._counts.popitem(last=False)
            self._counts.move_to_end(key)
            if entry[1] < self.keep or q.reason == "seq_reused":
                entry[1] += 1
                kept.append(q)
                continue
            s = summary.setdefault(key, [q.received_at, q.received_at, 0, 0])
            s[1] = q.received_at
            s[2] += 1
            s[3] += len(q.payload)
        floods = [Flood(topic, reason, a, b, n, size) for (topic, reason), (a, b, n, size) in summary.items()]
        return kept, floods
