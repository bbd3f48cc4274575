"""What the store takes and gives back: plain named tuples and frozen dataclasses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import NamedTuple

from ..protocol.telemetry import KitKey, TelemetryRecord, iso_utc

QUARANTINE_KEEP = 4096          # bytes of a refused payload kept in the quarantine (with its length and hash)


class StoredRecord(NamedTuple):
    """A validated record with the times the collector worked out for it."""
    record: TelemetryRecord
    received_at: str          # when the collector received it (ISO UTC)
    taken_at: str             # best knowledge of when it was measured (device time, or reconstructed)
    time_source: str          # "device" | "boot" (reconstructed from boot + uptime) | "received"
    flags: str = ""           # comma-separated notes, e.g. "time_implausible" (see docs/TELEMETRY.md §7)


class Quarantined(NamedTuple):
    received_at: str
    topic: str
    payload: bytes
    reason: str
    detail: str


class Flood(NamedTuple):
    """Refused messages of one topic and reason summarised instead of kept one by one."""
    topic: str
    reason: str
    first_at: str
    last_at: str
    messages: int
    bytes: int


@dataclass(frozen=True)
class Gap:
    class_id: str
    kit: str
    first: int
    last: int
    state: str                # "open" | "healed" | "lost" | "jump"
    detected_at: str
    requests: int = 0
    note: str = ""
    inc: str = ""

    @property
    def key(self) -> KitKey:
        return KitKey(self.class_id, self.kit, self.inc)


@dataclass(frozen=True)
class Hold:
    """One assignment: a kit held by a student or a group from ``since`` until ``until`` (None: still)."""
    id: int
    class_id: str
    kit: str
    student: str | None
    group: str | None
    since: str
    until: str | None
    created_at: str

    @property
    def holder(self) -> str:
        return self.student or self.group or ""

    @property
    def holder_kind(self) -> str:
        return "student" if self.student else "group"


def redact_url(url: str) -> str:
    """A database URL with its password replaced by ``***`` (for messages and logs)."""
    import re
    return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def now_iso() -> str:
    return iso_utc(datetime.now(timezone.utc))


BEGINNING = "0000-01-01T00:00:00.000Z"      # sorts before every real time


__all__ = ["redact_url", "StoredRecord", "Quarantined", "Flood", "Gap", "Hold", "KitKey", "now_iso", "BEGINNING",
           "QUARANTINE_KEEP"]
