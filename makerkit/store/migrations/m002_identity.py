"""Step 2: every reading credited to the right student, whatever happens to the kit.

* Kits are keyed by ``(class_id, id)``: ``kit-07`` of 7a and ``kit-07`` of 7b are two kits. The
  inventory records board, hardware id, incarnation, firmware, label, registration and last-seen time.
* Readings and gaps are keyed by ``(class_id, kit_id, inc, seq)``. ``inc`` is the kit's incarnation
  (docs/TELEMETRY.md §2): an erased and redeployed kit numbers from 1 again in a new one. Readings
  stored before this step get ``inc = ''`` (what kits without the field send).
* Students get a pseudonymous text id; their display names move to ``student_names``. Groups are
  ``student_groups``. An assignment gives a kit to a student or a group from ``since`` to ``until``.
* ``logins`` holds each broker login's role and password hash (never the password).
* Quarantined payloads keep their first 4 KiB plus their length and SHA-256; a topic that floods the
  quarantine is summarised in ``quarantine_floods``.

Data is moved, never reattributed: each v1 assignment becomes one hold in the class of its student.
v1 let a kit have two open assignments at once; where they overlap, the earlier hold ends where the
later one starts, which is what v1's export showed (the latest assignment won).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timezone

QUARANTINE_KEEP = 4096          # bytes of a refused payload kept (with its length and hash)
_ID_CHARS = "abcdefghjkmnpqrstuvwxyz23456789"     # no 0/o, 1/l/i: ids are read aloud and copied by hand


def new_id(prefix: str, taken) -> str:
    """A fresh pseudonymous id such as ``s-7k3m9q`` that ``taken(id)`` says is unused."""
    while True:
        candidate = prefix + "".join(secrets.choice(_ID_CHARS) for _ in range(6))
        if not taken(candidate):
            return candidate


def _now() -> str:
    now = datetime.now(timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


def tables(dialect) -> list[str]:
    blob, serial, big = dialect.blob, dialect.serial, dialect.big
    return [
        "CREATE TABLE student_groups (class_id TEXT NOT NULL REFERENCES classes(id), id TEXT NOT NULL, "
        "name TEXT NOT NULL, created_at TEXT NOT NULL, PRIMARY KEY (class_id, id))",
        "CREATE TABLE students (id TEXT PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id), group_id TEXT, "
        "created_at TEXT NOT NULL, FOREIGN KEY (class_id, group_id) REFERENCES student_groups (class_id, id))",
        "CREATE TABLE student_names (student_id TEXT PRIMARY KEY REFERENCES students(id), name TEXT NOT NULL)",
        "CREATE TABLE kits (class_id TEXT NOT NULL REFERENCES classes(id), id TEXT NOT NULL, board TEXT, hw_id TEXT, "
        "inc TEXT, firmware TEXT, label TEXT, registered_at TEXT NOT NULL, last_seen TEXT, PRIMARY KEY (class_id, id))",
        f"CREATE TABLE assignments (id {serial}, class_id TEXT NOT NULL, kit_id TEXT NOT NULL, "
        "student_id TEXT REFERENCES students(id), group_id TEXT, since TEXT NOT NULL, until TEXT, "
        "created_at TEXT NOT NULL, FOREIGN KEY (class_id, kit_id) REFERENCES kits (class_id, id), "
        "FOREIGN KEY (class_id, group_id) REFERENCES student_groups (class_id, id), "
        "CHECK ((student_id IS NULL AND group_id IS NOT NULL) OR (student_id IS NOT NULL AND group_id IS NULL)))",
        "CREATE INDEX assignments_kit ON assignments (class_id, kit_id, since)",
        "CREATE INDEX assignments_student ON assignments (student_id)",
        f"CREATE TABLE telemetry (class_id TEXT NOT NULL, kit_id TEXT NOT NULL, inc TEXT NOT NULL DEFAULT '', "
        f"seq {big} NOT NULL, boot INTEGER NOT NULL, uptime_ms {big} NOT NULL, device_time TEXT, "
        "received_at TEXT NOT NULL, taken_at TEXT NOT NULL, time_source TEXT NOT NULL, flags TEXT NOT NULL DEFAULT '', "
        "readings TEXT NOT NULL, units TEXT, PRIMARY KEY (class_id, kit_id, inc, seq))",
        "CREATE INDEX telemetry_taken ON telemetry (class_id, kit_id, taken_at)",
        f"CREATE TABLE quarantine (id {serial}, received_at TEXT NOT NULL, topic TEXT NOT NULL, payload {blob} NOT NULL, "
        f"size {big} NOT NULL, sha256 TEXT NOT NULL, reason TEXT NOT NULL, detail TEXT NOT NULL)",
        f"CREATE TABLE quarantine_floods (topic TEXT NOT NULL, reason TEXT NOT NULL, first_at TEXT NOT NULL, "
        f"last_at TEXT NOT NULL, messages {big} NOT NULL, bytes {big} NOT NULL, PRIMARY KEY (topic, reason))",
        f"CREATE TABLE gaps (class_id TEXT NOT NULL, kit_id TEXT NOT NULL, inc TEXT NOT NULL DEFAULT '', "
        f"first_seq {big} NOT NULL, last_seq {big} NOT NULL, state TEXT NOT NULL, detected_at TEXT NOT NULL, "
        "requests INTEGER NOT NULL DEFAULT 0, closed_at TEXT, note TEXT NOT NULL DEFAULT '', "
        "PRIMARY KEY (class_id, kit_id, inc, first_seq))",
        "CREATE TABLE logins (username TEXT PRIMARY KEY, role TEXT NOT NULL, class_id TEXT NOT NULL "
        "REFERENCES classes(id), kit_id TEXT, pw_hash TEXT NOT NULL, created_at TEXT NOT NULL, disabled_at TEXT)",
    ]


_OLD = ("assignments", "gaps", "telemetry", "quarantine", "kits", "students")   # children first


def upgrade(execute, dialect) -> None:
    execute("DROP INDEX IF EXISTS assignments_kit")
    for name in _OLD:
        execute(f"ALTER TABLE {name} RENAME TO {name}_v1")
    for stmt in tables(dialect):
        execute(stmt)
    now = _now()
    _classes(execute, now)
    students = _students(execute, now)
    _kits_and_assignments(execute, students, now)
    execute("INSERT INTO telemetry (class_id, kit_id, inc, seq, boot, uptime_ms, device_time, received_at, taken_at, "
            "time_source, flags, readings, units) SELECT class_id, kit_id, '', seq, boot, uptime_ms, device_time, "
            "received_at, taken_at, time_source, '', readings, units FROM telemetry_v1")
    execute("INSERT INTO gaps (class_id, kit_id, inc, first_seq, last_seq, state, detected_at, requests, closed_at, note) "
            "SELECT class_id, kit_id, '', first_seq, last_seq, state, detected_at, requests, closed_at, note FROM gaps_v1")
    _quarantine(execute)
    for name in _OLD:
        execute(f"DROP TABLE {name}_v1")


def _classes(execute, now: str) -> None:
    """Every class that readings, gaps or kits name gets a row (kits now refer to their class)."""
    known = {row[0] for row in execute("SELECT id FROM classes")}
    seen = {row[0] for row in execute(
        "SELECT DISTINCT class_id FROM telemetry_v1 UNION SELECT DISTINCT class_id FROM gaps_v1 "
        "UNION SELECT DISTINCT class_id FROM kits_v1 WHERE class_id IS NOT NULL")}
    for cls in sorted(seen - known):
        execute("INSERT INTO classes (id, name, created_at) VALUES (?, ?, ?)", (cls, cls, now))


def _students(execute, now: str) -> dict[int, tuple[str, str]]:
    """v1 numeric ids -> (new pseudonymous id, class); names go to ``student_names``."""
    out: dict[int, tuple[str, str]] = {}
    used: set[str] = set()
    for old_id, cls, name in execute("SELECT id, class_id, name FROM students_v1 ORDER BY id"):
        sid = new_id("s-", used.__contains__)
        used.add(sid)
        execute("INSERT INTO students (id, class_id, group_id, created_at) VALUES (?, ?, NULL, ?)", (sid, cls, now))
        execute("INSERT INTO student_names (student_id, name) VALUES (?, ?)", (sid, name))
        out[old_id] = (sid, cls)
    return out


def _kits_and_assignments(execute, students: dict[int, tuple[str, str]], now: str) -> None:
    registered = {kit: (cls, at) for kit, cls, at in execute("SELECT id, class_id, registered_at FROM kits_v1")}
    made: set[tuple[str, str]] = set()

    def kit_row(cls: str, kit: str, at: str) -> None:
        if (cls, kit) not in made:
            made.add((cls, kit))
            execute("INSERT INTO kits (class_id, id, registered_at) VALUES (?, ?, ?)", (cls, kit, at))

    holds: dict[tuple[str, str], list[list]] = {}
    for aid, kit, old_sid, since, until in execute(
            "SELECT id, kit_id, student_id, since, until FROM assignments_v1 ORDER BY kit_id, since, id"):
        sid, cls = students[old_sid]
        holds.setdefault((cls, kit), []).append([sid, since, until])
    for kit, (cls, at) in sorted(registered.items()):
        if cls is not None:
            kit_row(cls, kit, at)
    for (cls, kit), items in sorted(holds.items()):
        kit_row(cls, kit, registered.get(kit, (None, now))[1])
        for earlier, later in zip(items, items[1:]):       # v1 allowed overlaps: the later hold wins
            if earlier[2] is None or earlier[2] > later[1]:
                earlier[2] = later[1]
        for sid, since, until in items:
            execute("INSERT INTO assignments (class_id, kit_id, student_id, group_id, since, until, created_at) "
                    "VALUES (?, ?, ?, NULL, ?, ?, ?)", (cls, kit, sid, since, until, now))


def _quarantine(execute) -> None:
    for _, received, topic, payload, reason, detail in execute(
            "SELECT id, received_at, topic, payload, reason, detail FROM quarantine_v1 ORDER BY id"):
        data = bytes(payload)
        execute("INSERT INTO quarantine (received_at, topic, payload, size, sha256, reason, detail) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (received, topic, data[:QUARANTINE_KEEP], len(data), hashlib.sha256(data).hexdigest(), reason, detail))
