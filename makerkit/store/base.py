"""The portfolio store's one interface; SQLite and PostgreSQL implement it with the same SQL.

A portfolio holds classes, students, kits and which student held which kit when
(``assignments``: a reading belongs to the student who held the kit when it was taken),
the telemetry itself (one row per message, unique on ``(kit_id, seq)``, so a redelivered
message is stored once), the quarantine (every refused message with its reason) and the
sequence gaps the collector found and how they were healed.

Times are ISO 8601 UTC strings (``2026-11-23T13:00:05.120Z``): they sort as text and read
the same in both engines.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Iterator, NamedTuple

from ..errors import StoreError, UsageError
from ..protocol.telemetry import TelemetryRecord, check_id, iso_utc

SCHEMA_VERSION = 1


class StoredRecord(NamedTuple):
    """A validated record with the times the collector worked out for it."""
    record: TelemetryRecord
    received_at: str          # when the collector received it (ISO UTC)
    taken_at: str             # best knowledge of when it was measured (device time, or reconstructed)
    time_source: str          # "device" | "boot" (reconstructed from boot + uptime) | "received"


class Quarantined(NamedTuple):
    received_at: str
    topic: str
    payload: bytes
    reason: str
    detail: str


@dataclass(frozen=True)
class Gap:
    class_id: str
    kit: str
    first: int
    last: int
    state: str                # "open" | "healed" | "lost"
    detected_at: str
    requests: int = 0
    note: str = ""


def now_iso() -> str:
    return iso_utc(datetime.now(timezone.utc))


def _ddl(blob: str, serial: str, big: str) -> list[str]:
    return [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        "CREATE TABLE IF NOT EXISTS classes (id TEXT PRIMARY KEY, name TEXT NOT NULL, created_at TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS students (id {serial}, class_id TEXT NOT NULL REFERENCES classes(id), "
        "name TEXT NOT NULL, UNIQUE (class_id, name))",
        "CREATE TABLE IF NOT EXISTS kits (id TEXT PRIMARY KEY, class_id TEXT REFERENCES classes(id), "
        "registered_at TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS assignments (id {serial}, kit_id TEXT NOT NULL REFERENCES kits(id), "
        "student_id INTEGER NOT NULL REFERENCES students(id), since TEXT NOT NULL, until TEXT)",
        "CREATE INDEX IF NOT EXISTS assignments_kit ON assignments (kit_id, since)",
        f"CREATE TABLE IF NOT EXISTS telemetry (kit_id TEXT NOT NULL, seq {big} NOT NULL, class_id TEXT NOT NULL, "
        f"boot INTEGER NOT NULL, uptime_ms {big} NOT NULL, device_time TEXT, received_at TEXT NOT NULL, "
        "taken_at TEXT NOT NULL, time_source TEXT NOT NULL, readings TEXT NOT NULL, units TEXT, "
        "PRIMARY KEY (kit_id, seq))",
        f"CREATE TABLE IF NOT EXISTS quarantine (id {serial}, received_at TEXT NOT NULL, topic TEXT NOT NULL, "
        f"payload {blob} NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS gaps (kit_id TEXT NOT NULL, first_seq {big} NOT NULL, last_seq {big} NOT NULL, "
        "class_id TEXT NOT NULL, state TEXT NOT NULL, detected_at TEXT NOT NULL, requests INTEGER NOT NULL DEFAULT 0, "
        "closed_at TEXT, note TEXT NOT NULL DEFAULT '', PRIMARY KEY (kit_id, first_seq))",
    ]


_INSERT_TELEMETRY = (
    "INSERT INTO telemetry (kit_id, seq, class_id, boot, uptime_ms, device_time, received_at, taken_at, "
    "time_source, readings, units) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kit_id, seq) DO NOTHING")
_INSERT_QUARANTINE = "INSERT INTO quarantine (received_at, topic, payload, reason, detail) VALUES (?, ?, ?, ?, ?)"


_units_json: dict[tuple, str] = {}


def _readings_json(readings: dict) -> str:
    # names are [a-z0-9_] (nothing to escape) and values finite floats, whose repr is valid JSON
    return "{" + ",".join(f'"{k}":{v!r}' for k, v in readings.items()) + "}"


def _unit_text(units: dict) -> str | None:
    if not units:
        return None
    key = tuple(units.items())
    text = _units_json.get(key)          # a kit sends the same units again and again
    if text is None:
        if len(_units_json) > 10000:
            _units_json.clear()
        text = _units_json[key] = json.dumps(units, ensure_ascii=False, separators=(",", ":"))
    return text


def _same_readings(stored: str, readings: dict) -> bool:
    if stored == _readings_json(readings):
        return True
    try:
        return json.loads(stored) == {k: float(v) for k, v in readings.items()}
    except ValueError:
        return False


def _row(item: StoredRecord) -> tuple:
    r = item.record
    return (r.kit, r.seq, r.class_id, r.boot, r.uptime_ms, r.time, item.received_at, item.taken_at,
            item.time_source, _readings_json(r.readings), _unit_text(r.units))


class Store:
    """Base class: everything but connecting, placeholders and the durable batch write."""

    url: str
    engine: str = "?"

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

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- telemetry ---------------------------------------------------------------------------
    def write_batch(self, records: list[StoredRecord], quarantined: list[Quarantined] = (), *,
                    payloads: list[bytes] | None = None, reused: list | None = None) -> int:
        """Store a batch in one durable transaction; returns how many records were new.

        When this returns, the rows are on disk (SQLite ``synchronous=FULL``; PostgreSQL commit),
        so the caller may acknowledge the messages. A record whose ``(kit, seq)`` is already stored
        with the same content (boot, uptime, readings) is a redelivery and skipped silently; one with
        different content (a kit whose memory was wiped or re-flashed numbers from 1 again) goes to
        the quarantine as ``seq_reused`` in the same transaction. ``payloads`` (the messages' bytes,
        parallel to ``records``) keeps those byte for byte; ``reused`` (a list) receives the
        :class:`Quarantined` entries so the caller can count them.
        """
        with self._transaction():
            added = self._executemany(_INSERT_TELEMETRY, [_row(r) for r in records]) if records else 0
            if added < len(records):
                clash = self._seq_reused(records, payloads)
                if clash:
                    quarantined = list(quarantined) + clash
                    if reused is not None:
                        reused.extend(clash)
            if quarantined:
                self._executemany(_INSERT_QUARANTINE, [
                    (q.received_at, q.topic[:1024], bytes(q.payload), q.reason, q.detail) for q in quarantined])
        return added

    def _seq_reused(self, records: list[StoredRecord], payloads: list[bytes] | None) -> list[Quarantined]:
        """Records whose ``(kit, seq)`` is stored with other content (one range query per kit)."""
        by_kit: dict[str, list[int]] = {}
        for i, item in enumerate(records):
            by_kit.setdefault(item.record.kit, []).append(i)
        out = []
        for kit, idx in by_kit.items():
            seqs = [records[i].record.seq for i in idx]
            stored = {seq: (boot, up, readings) for seq, boot, up, readings in self._execute(
                "SELECT seq, boot, uptime_ms, readings FROM telemetry WHERE kit_id = ? AND seq BETWEEN ? AND ?",
                (kit, min(seqs), max(seqs)))}
            for i in idx:
                item = records[i]
                r = item.record
                have = stored.get(r.seq)
                if have is None or (have[0], have[1]) == (r.boot, r.uptime_ms) and \
                        _same_readings(have[2], r.readings):
                    continue
                payload = payloads[i] if payloads is not None else json.dumps(
                    {"v": 1, "seq": r.seq, "boot": r.boot, "uptime_ms": r.uptime_ms, "readings": r.readings},
                    separators=(",", ":")).encode()
                out.append(Quarantined(
                    item.received_at, f"makerkit/v1/{r.class_id}/{kit}/telemetry", payload, "seq_reused",
                    f"seq {r.seq} of kit {kit} is already stored with other content (stored: boot {have[0]}, "
                    f"uptime_ms {have[1]}; this one: boot {r.boot}, uptime_ms {r.uptime_ms}): the kit numbers "
                    "its readings again from an old seq, its memory was probably wiped or re-flashed. "
                    "Keep the kit's state (/mkfw_state.json) or give it a new kit id."))
        return out

    def count(self, kit: str | None = None) -> int:
        if kit is None:
            return self._execute("SELECT COUNT(*) FROM telemetry")[0][0]
        return self._execute("SELECT COUNT(*) FROM telemetry WHERE kit_id = ?", (kit,))[0][0]

    def seqs(self, kit: str, first: int | None = None, last: int | None = None) -> list[int]:
        """The stored sequence numbers of a kit (optionally within ``first..last``), ascending."""
        lo = 0 if first is None else first
        hi = 2 ** 62 if last is None else last
        return [row[0] for row in self._execute(
            "SELECT seq FROM telemetry WHERE kit_id = ? AND seq BETWEEN ? AND ? ORDER BY seq", (kit, lo, hi))]

    def kit_heads(self) -> dict[str, tuple[str, int]]:
        """kit -> (class, highest stored seq): where the collector's gap tracking starts."""
        rows = self._execute("SELECT t.kit_id, t.class_id, t.seq FROM telemetry t JOIN "
                             "(SELECT kit_id, MAX(seq) AS m FROM telemetry GROUP BY kit_id) h "
                             "ON t.kit_id = h.kit_id AND t.seq = h.m")
        return {kit: (cls, seq) for kit, cls, seq in rows}

    def boot_epochs(self) -> dict[tuple[str, int], tuple[float, str]]:
        """(kit, boot) -> (epoch estimate, source) from what is stored, to reconstruct times after a restart."""
        out: dict[tuple[str, int], tuple[float, str]] = {}
        for kit, boot, taken, up, src in self._execute(
                "SELECT kit_id, boot, taken_at, uptime_ms, time_source FROM telemetry t WHERE seq = "
                "(SELECT MAX(seq) FROM telemetry u WHERE u.kit_id = t.kit_id AND u.boot = t.boot)"):
            when = datetime.fromisoformat(taken.replace("Z", "+00:00")).timestamp() - up / 1000
            out[(kit, boot)] = (when, src)
        return out

    # -- quarantine --------------------------------------------------------------------------
    def quarantined(self, limit: int | None = None) -> list[dict]:
        sql = "SELECT id, received_at, topic, payload, reason, detail FROM quarantine ORDER BY id"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [{"id": i, "received_at": t, "topic": topic, "payload": bytes(p), "reason": r, "detail": d}
                for i, t, topic, p, r, d in self._execute(sql)]

    def quarantine_count(self) -> int:
        return self._execute("SELECT COUNT(*) FROM quarantine")[0][0]

    # -- gaps --------------------------------------------------------------------------------
    def add_gaps(self, gaps: list[Gap]) -> None:
        if not gaps:
            return
        with self._transaction():
            self._executemany(
                "INSERT INTO gaps (kit_id, first_seq, last_seq, class_id, state, detected_at, requests, note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kit_id, first_seq) DO NOTHING",
                [(g.kit, g.first, g.last, g.class_id, g.state, g.detected_at, g.requests, g.note) for g in gaps])

    def gaps(self, state: str | None = None, kit: str | None = None) -> list[Gap]:
        sql = "SELECT class_id, kit_id, first_seq, last_seq, state, detected_at, requests, note FROM gaps"
        cond, params = [], []
        if state:
            cond.append("state = ?"); params.append(state)
        if kit:
            cond.append("kit_id = ?"); params.append(kit)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        return [Gap(*row) for row in self._execute(sql + " ORDER BY kit_id, first_seq", params)]

    def update_gap(self, kit: str, first: int, *, state: str | None = None, requests: int | None = None,
                   note: str | None = None) -> None:
        sets, params = [], []
        if state is not None:
            sets.append("state = ?"); params.append(state)
            if state != "open":
                sets.append("closed_at = ?"); params.append(now_iso())
        if requests is not None:
            sets.append("requests = ?"); params.append(requests)
        if note is not None:
            sets.append("note = ?"); params.append(note)
        with self._transaction():
            self._execute(f"UPDATE gaps SET {', '.join(sets)} WHERE kit_id = ? AND first_seq = ?",
                          (*params, kit, first))

    # -- classes, students, kits -------------------------------------------------------------
    def add_class(self, class_id: str, name: str = "") -> None:
        check_id(class_id, "class")
        with self._transaction():
            self._execute("INSERT INTO classes (id, name, created_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (id) DO UPDATE SET name = excluded.name", (class_id, name or class_id, now_iso()))

    def add_student(self, class_id: str, name: str) -> int:
        """Add a student to a class (idempotent on the name); returns the student's id."""
        if not self._execute("SELECT 1 FROM classes WHERE id = ?", (class_id,)):
            raise UsageError(en=f"There is no class {class_id!r} in the portfolio; add the class first.",
                             zh=f"作品集里没有班级 {class_id!r}，请先添加这个班级。")
        with self._transaction():
            self._execute("INSERT INTO students (class_id, name) VALUES (?, ?) ON CONFLICT (class_id, name) DO NOTHING",
                          (class_id, name))
        return self._execute("SELECT id FROM students WHERE class_id = ? AND name = ?", (class_id, name))[0][0]

    def register_kit(self, kit: str, class_id: str | None = None) -> None:
        check_id(kit)
        with self._transaction():
            self._execute("INSERT INTO kits (id, class_id, registered_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (id) DO UPDATE SET class_id = excluded.class_id", (kit, class_id, now_iso()))

    def assign_kit(self, kit: str, student_id: int, since: str | None = None) -> None:
        """From ``since`` (default: the beginning of time) ``kit`` belongs to the student; ends the previous holder."""
        since = since or "0000-01-01T00:00:00.000Z"
        if not self._execute("SELECT 1 FROM kits WHERE id = ?", (kit,)):
            self.register_kit(kit)
        with self._transaction():
            self._execute("UPDATE assignments SET until = ? WHERE kit_id = ? AND until IS NULL AND since < ?",
                          (since, kit, since))
            self._execute("INSERT INTO assignments (kit_id, student_id, since) VALUES (?, ?, ?)",
                          (kit, student_id, since))

    def registered_kits(self) -> set[str]:
        """Kits a teacher has registered (with or without a student yet)."""
        return {row[0] for row in self._execute("SELECT id FROM kits")}

    def assigned_kits(self) -> set[str]:
        """Kits that some student holds now."""
        return {row[0] for row in self._execute("SELECT DISTINCT kit_id FROM assignments WHERE until IS NULL")}

    def unassigned_kits(self) -> dict[str, int]:
        """Kits with stored readings that no student held when they were taken -> number of such readings."""
        rows = self._execute(
            "SELECT t.kit_id, COUNT(*) FROM telemetry t WHERE NOT EXISTS (SELECT 1 FROM assignments a "
            "WHERE a.kit_id = t.kit_id AND a.since <= t.taken_at AND (a.until IS NULL OR t.taken_at < a.until)) "
            "GROUP BY t.kit_id ORDER BY t.kit_id")
        return {kit: n for kit, n in rows}

    # -- export ------------------------------------------------------------------------------
    def export(self, kit: str | None = None, class_id: str | None = None) -> Iterator[dict]:
        """One dict per reading: class, kit, seq, time, name, value, unit, student (None when unassigned)."""
        sql = ("SELECT t.class_id, t.kit_id, t.seq, COALESCE(t.device_time, t.received_at), t.readings, t.units, "
               "(SELECT s.name FROM assignments a JOIN students s ON s.id = a.student_id WHERE a.kit_id = t.kit_id "
               "AND a.since <= t.taken_at AND (a.until IS NULL OR t.taken_at < a.until) ORDER BY a.since DESC LIMIT 1) "
               "FROM telemetry t")
        cond, params = [], []
        if kit:
            cond.append("t.kit_id = ?"); params.append(kit)
        if class_id:
            cond.append("t.class_id = ?"); params.append(class_id)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        for cls, kit_id, seq, when, readings, units, student in self._execute(sql + " ORDER BY t.kit_id, t.seq", params):
            units = json.loads(units) if units else {}
            for name, value in json.loads(readings).items():
                yield {"class": cls, "kit": kit_id, "seq": seq, "time": when, "name": name, "value": value,
                       "unit": units.get(name, ""), "student": student}


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


__all__ = ["Store", "StoredRecord", "Quarantined", "Gap", "open_store", "now_iso", "SCHEMA_VERSION", "StoreError"]
