"""The portfolio store's one interface; SQLite and PostgreSQL implement it with the same SQL.

A portfolio holds classes, groups, students (pseudonymous ids; display names in their own table),
the kit inventory and who held which kit when (a reading belongs to whoever held the kit when it was
taken), the telemetry (one row per message, unique on ``(class, kit, inc, seq)``, so a redelivered
message is stored once), the quarantine (every refused message with its reason), the sequence gaps
the collector found and how they were healed, and the broker logins (hashes only).

Times are ISO 8601 UTC strings (``2026-11-23T13:00:05.120Z``): they sort as text and read the same
in both engines. The layout evolves by numbered migrations (:mod:`makerkit.store.migrations`).
"""

from __future__ import annotations

from typing import Iterable

from ..errors import StoreError, UsageError
from . import migrations
from .dashboard_rows import DashboardRows
from .erase_rows import EraseRows
from .login_rows import LoginRows
from .portfolio_rows import PortfolioRows
from .records import BEGINNING, Flood, Gap, Hold, KitKey, Quarantined, StoredRecord, now_iso, redact_url
from .roster_rows import AssignmentConflict, RosterRows
from .telemetry_rows import TelemetryRows

SCHEMA_VERSION = migrations.LATEST


class Store(TelemetryRows, RosterRows, LoginRows, PortfolioRows, EraseRows, DashboardRows):
    """Base class: everything but connecting, placeholders and the durable transaction."""

    url: str
    engine: str = "?"
    dialect: migrations.Dialect

    # -- engine hooks ------------------------------------------------------------------------
    def _execute(self, sql: str, params: Iterable = ()) -> list[tuple]:
        raise NotImplementedError

    def _executemany(self, sql: str, rows: list[tuple]) -> int:
        raise NotImplementedError

    def _transaction(self):
        """Context manager: one durable transaction (commit on success, rollback on error)."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def transaction(self):
        """One durable transaction for several calls (nested calls join it): all or nothing."""
        return self._transaction()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- layout --------------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Bring the portfolio to :data:`SCHEMA_VERSION`, one step per transaction."""
        for version in migrations.pending(migrations.current_version(self._execute), redact_url(self.url)):
            with self._transaction():
                self._migration_lock()
                self._execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")            # two processes opening one new portfolio take turns
                if migrations.current_version(self._execute) >= version:
                    continue
                migrations.STEPS[version](self._execute, self.dialect)
                migrations.set_version(self._execute, version)

    def _migration_lock(self) -> None:
        """Hold the engine's lock for a migration step until the transaction ends (SQLite's BEGIN
        IMMEDIATE already does)."""

    @property
    def schema_version(self) -> int:
        return migrations.current_version(self._execute)

    # -- export ------------------------------------------------------------------------------
    def export(self, kit: str | None = None, class_id: str | None = None, *, student: str | None = None,
               names: bool = False):
        """One dict per reading: class, kit, seq, time, name, value, unit, student, group (who held the kit
        when it was taken; None when nobody did), plus ``student_name`` when ``names`` is asked for.
        ``time`` is the device's own time when it had a trusted one, else the collector's estimate of when
        the reading was taken (boot moment + uptime; a reading that waited in a kit's buffer during an
        outage keeps the moment it was measured, not the moment it arrived)."""
        import json
        sql = ("SELECT t.class_id, t.kit_id, t.seq, CASE WHEN t.time_source = 'device' THEN t.device_time "
               "ELSE t.taken_at END, t.readings, t.units, a.student_id, a.group_id" +
               (", n.name" if names else "") + " FROM telemetry t LEFT JOIN assignments a ON a.class_id = t.class_id "
               "AND a.kit_id = t.kit_id AND a.since <= t.taken_at AND (a.until IS NULL OR t.taken_at < a.until)" +
               (" LEFT JOIN student_names n ON n.student_id = a.student_id" if names else ""))
        cond, params = [], []
        for column, value in (("t.kit_id", kit), ("t.class_id", class_id), ("a.student_id", student)):
            if value:
                cond.append(f"{column} = ?"); params.append(value)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        for row in self._execute(sql + " ORDER BY t.class_id, t.kit_id, t.inc, t.seq", params):
            cls, kit_id, seq, when, readings, units, sid, gid = row[:8]
            units = json.loads(units) if units else {}
            for name, value in json.loads(readings).items():
                item = {"class": cls, "kit": kit_id, "seq": seq, "time": when, "name": name, "value": value,
                        "unit": units.get(name, ""), "student": sid, "group": gid}
                if names:
                    item["student_name"] = row[8]
                yield item


def open_store(url: str) -> Store:
    """Open (and create or migrate) a portfolio: ``sqlite:///path.db`` or ``postgresql://...``."""
    if url.startswith("sqlite:"):
        from .sqlite import SqliteStore
        return SqliteStore(url)
    if url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresStore
        return PostgresStore(url)
    raise UsageError(en=f"Unknown database URL {url!r}: use sqlite:///path.db or postgresql://...",
                     zh=f"无法识别的数据库地址 {url!r}：请使用 sqlite:///文件.db 或 postgresql://...")


__all__ = ["Store", "StoredRecord", "Quarantined", "Flood", "Gap", "Hold", "KitKey", "AssignmentConflict",
           "open_store", "now_iso", "SCHEMA_VERSION", "StoreError", "BEGINNING"]
