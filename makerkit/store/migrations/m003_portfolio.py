"""Step 3: the student portfolio beyond telemetry.

* ``attachments``: files (photos, code snapshots, documents) stored once by their SHA-256.
* ``lesson_runs``: who ran or checked which lesson on which kit when, the outcome, the checker's
  findings (JSON) and the student's code (an attachment); ``credits`` is the lesson's credits then.
* ``kit_events``: events kits publish from lesson code (``kit.event``), keyed like readings so a
  redelivered event is stored once; whose they are follows from who held the kit, as for readings.
* ``projects`` of a student or a group, their design-cycle ``project_entries`` (research, plan,
  make, reflect) with ``entry_files``, and ``project_links`` to telemetry ranges and lesson runs.
* ``evaluations`` on the three dimensions (individual, group, maker) by teacher, self or peer.
* ``audit_log``: who changed or erased what (never a display name; an erased student's id is
  replaced by a salted digest).

Indexes serve the per-student page and the class record: a student's runs, projects and evaluations
by student id; a group's by (class, group).
"""

from __future__ import annotations

STAGES = ("research", "plan", "make", "reflect")


def tables(dialect) -> list[str]:
    blob, serial, big = dialect.blob, dialect.serial, dialect.big
    stages = ", ".join(f"'{s}'" for s in STAGES)
    return [
        f"CREATE TABLE attachments (sha256 TEXT PRIMARY KEY, size {big} NOT NULL, media_type TEXT NOT NULL, "
        f"data {blob} NOT NULL, created_at TEXT NOT NULL)",
        f"CREATE TABLE lesson_runs (id {serial}, class_id TEXT NOT NULL REFERENCES classes(id), "
        "student_id TEXT REFERENCES students(id), group_id TEXT, kit_id TEXT, lesson_id TEXT NOT NULL, "
        "mode TEXT NOT NULL CHECK (mode IN ('check', 'run')), board TEXT NOT NULL, sim INTEGER NOT NULL, "
        "ran_at TEXT NOT NULL, outcome TEXT NOT NULL, findings TEXT NOT NULL, "
        "code_sha256 TEXT REFERENCES attachments(sha256), code_name TEXT, credits REAL NOT NULL DEFAULT 0, "
        "FOREIGN KEY (class_id, group_id) REFERENCES student_groups (class_id, id), "
        "CHECK (student_id IS NOT NULL OR group_id IS NOT NULL))",
        "CREATE INDEX lesson_runs_student ON lesson_runs (student_id, ran_at)",
        "CREATE INDEX lesson_runs_group ON lesson_runs (class_id, group_id, ran_at)",
        f"CREATE TABLE kit_events (class_id TEXT NOT NULL, kit_id TEXT NOT NULL, inc TEXT NOT NULL DEFAULT '', "
        f"boot INTEGER NOT NULL, uptime_ms {big} NOT NULL, event TEXT NOT NULL, taken_at TEXT NOT NULL, "
        "received_at TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (class_id, kit_id, inc, boot, uptime_ms, event))",
        "CREATE INDEX kit_events_taken ON kit_events (class_id, kit_id, taken_at)",
        "CREATE TABLE projects (id TEXT PRIMARY KEY, class_id TEXT NOT NULL REFERENCES classes(id), "
        "student_id TEXT REFERENCES students(id), group_id TEXT, title TEXT NOT NULL, topic TEXT NOT NULL DEFAULT '', "
        "started_on TEXT NOT NULL, ended_on TEXT, credits REAL NOT NULL DEFAULT 0, showcase INTEGER NOT NULL DEFAULT 0, "
        "created_at TEXT NOT NULL, FOREIGN KEY (class_id, group_id) REFERENCES student_groups (class_id, id), "
        "CHECK ((student_id IS NULL AND group_id IS NOT NULL) OR (student_id IS NOT NULL AND group_id IS NULL)))",
        "CREATE INDEX projects_student ON projects (student_id)",
        "CREATE INDEX projects_group ON projects (class_id, group_id)",
        f"CREATE TABLE project_entries (id {serial}, project_id TEXT NOT NULL REFERENCES projects(id), "
        f"stage TEXT NOT NULL CHECK (stage IN ({stages})), written_at TEXT NOT NULL, author_id TEXT, "
        "body TEXT NOT NULL)",
        "CREATE INDEX project_entries_project ON project_entries (project_id, written_at)",
        "CREATE INDEX project_entries_author ON project_entries (author_id)",
        "CREATE TABLE entry_files (entry_id INTEGER NOT NULL REFERENCES project_entries(id), "
        "sha256 TEXT NOT NULL REFERENCES attachments(sha256), filename TEXT NOT NULL, media_type TEXT NOT NULL, "
        "PRIMARY KEY (entry_id, sha256))",
        "CREATE INDEX entry_files_sha ON entry_files (sha256)",
        f"CREATE TABLE project_links (id {serial}, project_id TEXT NOT NULL REFERENCES projects(id), "
        "kind TEXT NOT NULL CHECK (kind IN ('telemetry', 'lesson_run')), kit_id TEXT, since TEXT, until TEXT, "
        "lesson_run_id INTEGER REFERENCES lesson_runs(id), note TEXT NOT NULL DEFAULT '')",
        "CREATE INDEX project_links_project ON project_links (project_id)",
        f"CREATE TABLE evaluations (id {serial}, class_id TEXT NOT NULL REFERENCES classes(id), "
        "student_id TEXT NOT NULL REFERENCES students(id), project_id TEXT REFERENCES projects(id), "
        "dimension TEXT NOT NULL, by_kind TEXT NOT NULL CHECK (by_kind IN ('teacher', 'self', 'peer')), by_id TEXT, "
        "level INTEGER NOT NULL, comment TEXT NOT NULL DEFAULT '', rubric TEXT NOT NULL, term TEXT NOT NULL, "
        "created_at TEXT NOT NULL)",
        "CREATE INDEX evaluations_student ON evaluations (student_id, created_at)",
        "CREATE INDEX evaluations_by ON evaluations (by_id)",
        f"CREATE TABLE audit_log (id {serial}, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, "
        "class_id TEXT, subject TEXT, detail TEXT NOT NULL DEFAULT '')",
        "CREATE INDEX audit_log_subject ON audit_log (subject)",
    ]


def upgrade(execute, dialect) -> None:
    for stmt in tables(dialect):
        execute(stmt)
