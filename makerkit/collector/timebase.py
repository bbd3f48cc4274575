"""Reconstruct when a reading was taken, for kits without a clock.

A record carries ``boot`` and ``uptime_ms``. For each (kit, boot) the collector keeps an estimate
of the wall-clock moment of that boot: exact once any record of the boot carries the device's
``time`` (``time - uptime``), otherwise the earliest ``received_at - uptime`` seen (a message
is never received before it was taken, so the smallest value is the best bound). A reading's time
is then ``boot moment + uptime``.
"""

from __future__ import annotations

from datetime import datetime, timezone

from ..protocol.telemetry import TelemetryRecord, iso_utc


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


class TimeBase:
    def __init__(self, known: dict[tuple[str, int], tuple[float, str]] | None = None):
        self.epochs: dict[tuple[str, int], tuple[float, str]] = dict(known or {})

    def stamp(self, record: TelemetryRecord, received: float) -> tuple[str, str]:
        """Return ``(taken_at ISO, source)`` with source ``device`` | ``boot``."""
        key = (record.kit, record.boot)
        if record.time is not None:
            self.epochs[key] = (_ts(record.time) - record.uptime_ms / 1000, "device")
            return record.time, "device"
        candidate = received - record.uptime_ms / 1000
        known = self.epochs.get(key)
        if known is None or (known[1] != "device" and candidate < known[0]):
            known = (candidate, "boot")
            self.epochs[key] = known
        return iso_utc(datetime.fromtimestamp(known[0] + record.uptime_ms / 1000, timezone.utc)), "boot"
