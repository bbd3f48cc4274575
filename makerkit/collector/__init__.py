"""``makerkit collect``: MQTT telemetry into the portfolio, stored exactly once (see docs/TELEMETRY.md)."""

from .core import Collector, CollectorStats, collect

__all__ = ["Collector", "CollectorStats", "collect"]
