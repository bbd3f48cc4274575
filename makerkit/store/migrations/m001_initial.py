"""Step 1: the portfolio as makerkit 0.1.0 made it (frozen: never edit a released step)."""

from __future__ import annotations


def upgrade(execute, dialect) -> None:
    blob, serial, big = dialect.blob, dialect.serial, dialect.big
    for stmt in [
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
    ]:
        execute(stmt)
