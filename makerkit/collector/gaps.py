"""Sequence-gap tracking for the collector (no I/O: the collector passes the store and a clock in).

Each kit's ``seq`` only grows, so a number that never arrives is a gap. A collector sees a gap as
a jump (``seq`` > highest seen + 1) or through a kit's status (``"seq": S``, the last number it
assigned). A suspected gap waits ``grace`` seconds (messages may be in flight or re-sent), then the
store is asked what is really missing — it is the truth when several collectors share a
subscription and each sees only part of a kit's stream. What is still missing is recorded in the
``gaps`` table and requested again from the kit (``.../replay``) every ``retry`` seconds until
it is stored (``healed``) or the kit says its buffer no longer holds it (``lost``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..protocol.telemetry import ranges

NEW_KIT_WINDOW = 1000     # a kit never seen before whose first seq is at most this: expect 1..seq-1 too


@dataclass
class Suspect:
    class_id: str
    kit: str
    first: int
    last: int
    due: float
    requests: int = 0
    recorded: bool = False
    detected_at: str = ""
    gap_first: int = 0        # key of the gaps row once recorded
    holes: list = field(default_factory=list)


class GapTracker:
    def __init__(self, heads: dict[str, tuple[str, int]] | None = None, *, grace: float = 2.0,
                 retry: float = 3.0, max_requests: int = 20):
        self.heads = {kit: seq for kit, (_, seq) in (heads or {}).items()}
        self.grace = grace
        self.retry = retry
        self.max_requests = max_requests
        self.suspects: list[Suspect] = []

    def _suspect(self, class_id: str, kit: str, first: int, last: int, now: float) -> None:
        if first <= last:
            self.suspects.append(Suspect(class_id, kit, first, last, now + self.grace))

    def seen(self, class_id: str, kit: str, seqs: list[int], now: float) -> None:
        """Record the sequence numbers of one kit just committed."""
        head = self.heads.get(kit)
        top = max(seqs)
        if head is None:
            head = 0 if min(seqs) <= NEW_KIT_WINDOW else min(seqs) - 1
        if top > head:
            expected = set(range(head + 1, top + 1)) - set(seqs)
            for first, last in ranges(expected):
                self._suspect(class_id, kit, first, last, now)
            self.heads[kit] = top

    def status(self, class_id: str, kit: str, last_assigned: int, now: float) -> None:
        """A kit said (status ``seq``) that it assigned numbers up to ``last_assigned``."""
        head = self.heads.get(kit, 0)
        if last_assigned > head:
            self._suspect(class_id, kit, head + 1, last_assigned, now)
            self.heads[kit] = last_assigned

    def due(self, now: float) -> list[Suspect]:
        return [s for s in self.suspects if s.due <= now]

    def resolve(self, suspect: Suspect, present: list[int], now: float) -> list[tuple[int, int]]:
        """Given the stored seqs in the suspect's range, return the holes still missing and reschedule."""
        holes = ranges(set(range(suspect.first, suspect.last + 1)) - set(present))
        suspect.holes = holes
        if not holes or suspect.requests >= self.max_requests:
            self.suspects.remove(suspect)
        else:
            suspect.requests += 1
            suspect.due = now + self.retry * min(suspect.requests, 4)
        return holes

    def forget(self, kit: str, first: int, last: int) -> None:
        """The kit no longer has ``first..last``: stop asking for it."""
        for s in list(self.suspects):
            if s.kit == kit and first <= s.first and s.last <= last:
                self.suspects.remove(s)

    @property
    def open_count(self) -> int:
        return len(self.suspects)
