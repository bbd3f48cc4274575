"""Sequence-gap tracking for the collector (no I/O: the collector passes the store and a clock in).

Each kit incarnation's ``seq`` only grows, so a number that never arrives is a gap. A collector sees
a gap as a jump (``seq`` > highest seen + 1) or through a kit's status (``"seq": S``, the last number
it assigned). A suspected gap waits ``grace`` seconds (messages may be in flight or re-sent), then
the store is asked what is really missing — it is the truth when several collectors share a
subscription and each sees only part of a kit's stream. What is still missing is recorded in the
``gaps`` table and requested again from the kit (``.../replay``) every ``retry`` seconds until it is
stored (``healed``) or the kit says its buffer no longer holds it (``lost``).

Memory stays bounded whatever a kit sends: gaps are ranges, never sets of numbers, and a jump of more
than :data:`MAX_GAP` numbers is not a gap that replays could fill (a kit holds at most a few
thousand readings): it is reported once as a ``jump`` and the tracking continues from the new number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..protocol.telemetry import KitKey, holes

NEW_KIT_WINDOW = 1000     # a kit never seen before whose first seq is at most this: expect 1..seq-1 too
MAX_GAP = 100_000         # numbers: a longer run of missing numbers is a jump, not a gap
MAX_SUSPECTS = 10_000     # open suspects at once (the oldest are dropped beyond it; the store keeps the rows)


@dataclass(eq=False)
class Suspect:
    key: KitKey
    first: int
    last: int
    due: float
    requests: int = 0
    recorded: bool = False
    holes: list = field(default_factory=list)

    @property
    def class_id(self) -> str:
        return self.key.class_id

    @property
    def kit(self) -> str:
        return self.key.kit


@dataclass(frozen=True)
class Jump:
    key: KitKey
    first: int          # first number skipped
    last: int           # last number skipped


class GapTracker:
    def __init__(self, heads: dict[KitKey, int] | None = None, *, grace: float = 2.0,
                 retry: float = 3.0, max_requests: int = 20):
        self.heads: dict[KitKey, int] = dict(heads or {})
        self.grace = grace
        self.retry = retry
        self.max_requests = max_requests
        self.suspects: list[Suspect] = []
        self.jumps: list[Jump] = []            # taken by the collector, which records them

    def _suspect(self, key: KitKey, first: int, last: int, now: float) -> None:
        if first > last:
            return
        if last - first + 1 > MAX_GAP:
            self.jumps.append(Jump(key, first, last))
            return
        if len(self.suspects) >= MAX_SUSPECTS:
            self.suspects.pop(0)
        self.suspects.append(Suspect(key, first, last, now + self.grace))

    def reopen(self, key: KitKey, first: int, last: int, requests: int, now: float) -> None:
        """A gap the store still has open (from before a restart): ask for it again."""
        if len(self.suspects) < MAX_SUSPECTS:
            self.suspects.append(Suspect(key, first, last, now, requests=requests, recorded=True))

    def seen(self, key: KitKey, seqs: list[int], now: float) -> None:
        """Record the sequence numbers of one kit incarnation just committed."""
        head = self.heads.get(key)
        top = max(seqs)
        if head is None:
            low = min(seqs)
            head = 0 if low <= NEW_KIT_WINDOW else low - 1
        if top > head:
            for first, last in holes(head + 1, top, seqs):
                self._suspect(key, first, last, now)
            self.heads[key] = top

    def status(self, key: KitKey, last_assigned: int, now: float) -> None:
        """A kit said (status ``seq``) that it assigned numbers up to ``last_assigned``."""
        head = self.heads.get(key, 0)
        if last_assigned > head:
            self._suspect(key, head + 1, last_assigned, now)
            self.heads[key] = last_assigned

    def due(self, now: float) -> list[Suspect]:
        return [s for s in self.suspects if s.due <= now]

    def resolve(self, suspect: Suspect, present: list[int], now: float) -> list[tuple[int, int]]:
        """Given the stored seqs in the suspect's range, return the holes still missing and reschedule."""
        found = holes(suspect.first, suspect.last, present)
        suspect.holes = found
        if not found or suspect.requests >= self.max_requests:
            self.suspects.remove(suspect)
        else:
            suspect.requests += 1
            suspect.due = now + self.retry * min(suspect.requests, 4)
        return found

    def forget(self, key: KitKey, first: int, last: int) -> None:
        """The kit no longer has ``first..last``: stop asking for it."""
        self.suspects = [s for s in self.suspects if not (s.key == key and first <= s.first and s.last <= last)]

    def forget_kit(self, key: KitKey) -> list[Suspect]:
        """Every suspect of an incarnation that no longer exists (the kit was erased); returns them."""
        gone = [s for s in self.suspects if s.key == key]
        self.suspects = [s for s in self.suspects if s.key != key]
        return gone

    @property
    def open_count(self) -> int:
        return len(self.suspects)
