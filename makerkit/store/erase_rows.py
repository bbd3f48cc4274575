"""Data rules for minors, on the rows: everything held about one student, erasing it so that nothing
is left, pruning what is older than a date, and compacting the files afterwards.

A student's data: their display name, their holds and the readings and kit events taken while they
held a kit, their lesson runs (with code snapshots), their own projects (entries, files, links),
entries they wrote in their group's projects, and the evaluations of them. Evaluations they wrote of
peers stay with those peers, without the erased student's id. Attachments nobody refers to any more
are deleted. The audit log keeps that an erase happened, under a salted digest instead of the id.
"""

from __future__ import annotations

import hashlib
import secrets

from ..errors import StoreBusyError, UsageError
from .records import now_iso

_FREE_TEXT = (("evaluations", "comment"), ("project_entries", "body"), ("projects", "title"), ("projects", "topic"))
_ERASE_TABLES = ("entry_files", "project_links", "project_entries", "evaluations", "projects", "lesson_runs",
                 "telemetry", "kit_events", "assignments", "student_names", "students", "attachments", "audit_log")


class EraseRows:
    """Mixed into :class:`~makerkit.store.base.Store`."""

    def subject_digest(self, student: str) -> str:
        """``erased-`` plus 16 hex digits of SHA-256(portfolio salt + id): the audit log can later answer
        "was this id erased?" without keeping the id."""
        self._execute("INSERT INTO meta (key, value) VALUES ('audit_salt', ?) ON CONFLICT (key) DO NOTHING",
                      (secrets.token_hex(16),))
        salt = self._execute("SELECT value FROM meta WHERE key = 'audit_salt'")[0][0]
        return "erased-" + hashlib.sha256((salt + student).encode()).hexdigest()[:16]

    def _need_student(self, student: str) -> dict:
        info = self.student(student)
        if info is None:
            raise UsageError(en=f"There is no student {student!r} in the portfolio.",
                             zh=f"作品集里没有学生 {student!r}。",
                             hint_en="List the class with: makerkit class show --db URL --class ID",
                             hint_zh="查看班级名单：makerkit class show --db 数据库 --class 班级")
        return info

    def erase_student(self, student: str, *, actor: str) -> dict[str, int]:
        """Delete every row of the student (see the module docstring) in one transaction; returns the
        number of rows deleted per table. Call :meth:`compact` afterwards to clear the files."""
        info = self._need_student(student)
        names = self._execute("SELECT name FROM student_names WHERE student_id = ?", (student,))
        name = names[0][0] if names else ""
        counts: dict[str, int] = {}

        def run(table: str, sql: str, params: tuple) -> None:
            before = self._execute(f"SELECT COUNT(*) FROM {table}")[0][0]
            self._execute(sql, params)
            counts[table] = counts.get(table, 0) + before - self._execute(f"SELECT COUNT(*) FROM {table}")[0][0]

        with self._transaction():
            digest = self.subject_digest(student)
            own = "SELECT id FROM projects WHERE student_id = ?"
            mine = f"SELECT id FROM project_entries WHERE author_id = ? OR project_id IN ({own})"
            run("entry_files", f"DELETE FROM entry_files WHERE entry_id IN ({mine})", (student, student))
            run("project_links", f"DELETE FROM project_links WHERE project_id IN ({own}) OR lesson_run_id IN "
                "(SELECT id FROM lesson_runs WHERE student_id = ?)", (student, student))
            run("project_entries", f"DELETE FROM project_entries WHERE id IN ({mine})", (student, student))
            run("evaluations", f"DELETE FROM evaluations WHERE student_id = ? OR project_id IN ({own})",
                (student, student))
            self._execute("UPDATE evaluations SET by_id = NULL WHERE by_id = ?", (student,))
            run("projects", "DELETE FROM projects WHERE student_id = ?", (student,))
            run("lesson_runs", "DELETE FROM lesson_runs WHERE student_id = ?", (student,))
            for hold in self.history(student=student):
                for table in ("telemetry", "kit_events"):
                    run(table, f"DELETE FROM {table} WHERE class_id = ? AND kit_id = ? AND taken_at >= ? AND "
                        "(CAST(? AS TEXT) IS NULL OR taken_at < ?)",
                        (hold.class_id, hold.kit, hold.since, hold.until, hold.until))
            run("assignments", "DELETE FROM assignments WHERE student_id = ?", (student,))
            run("student_names", "DELETE FROM student_names WHERE student_id = ?", (student,))
            run("students", "DELETE FROM students WHERE id = ?", (student,))
            self._drop_orphan_attachments(counts)
            self._scrub(student, digest, name)
            self.audit(actor, "erase_student", class_id=info["class"], subject=digest,
                       detail=" ".join(f"{t}={n}" for t, n in sorted(counts.items()) if n))
        return counts

    def _drop_orphan_attachments(self, counts: dict[str, int]) -> None:
        before = self._execute("SELECT COUNT(*) FROM attachments")[0][0]
        self._execute("DELETE FROM attachments WHERE sha256 NOT IN (SELECT sha256 FROM entry_files) AND sha256 NOT IN "
                      "(SELECT code_sha256 FROM lesson_runs WHERE code_sha256 IS NOT NULL)")
        counts["attachments"] = counts.get("attachments", 0) + before - \
            self._execute("SELECT COUNT(*) FROM attachments")[0][0]

    def _scrub(self, student: str, digest: str, name: str) -> None:
        """The id leaves the audit log; the name leaves what others wrote (a peer's comment, a team log)."""
        for column in ("subject", "actor"):
            self._execute(f"UPDATE audit_log SET {column} = ? WHERE {column} = ?", (digest, student))
        self._execute("UPDATE audit_log SET detail = REPLACE(detail, ?, ?)", (student, digest))
        if len(name.strip()) >= 2:
            for table, column in _FREE_TEXT:
                self._execute(f"UPDATE {table} SET {column} = REPLACE({column}, ?, '***') WHERE {column} LIKE ?",
                              (name, f"%{name}%"))

    def prune_before(self, before: str, *, actor: str) -> dict[str, int]:
        """Delete what was recorded before ``before`` (ISO time): readings, kit events, lesson runs,
        evaluations, projects that ended, closed holds, gaps, the quarantine and audit lines."""
        counts: dict[str, int] = {}

        def run(table: str, where: str, params: tuple = (before,)) -> None:
            counts[table] = self._execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params)[0][0]
            self._execute(f"DELETE FROM {table} WHERE {where}", params)

        with self._transaction():
            old = "SELECT id FROM projects WHERE ended_on IS NOT NULL AND ended_on < ?"
            run("entry_files", f"entry_id IN (SELECT id FROM project_entries WHERE project_id IN ({old}))")
            run("project_links", f"project_id IN ({old}) OR lesson_run_id IN (SELECT id FROM lesson_runs WHERE ran_at < ?)",
                (before, before))
            run("project_entries", f"project_id IN ({old})")
            run("evaluations", f"created_at < ? OR project_id IN ({old})", (before, before))
            run("projects", "ended_on IS NOT NULL AND ended_on < ?")
            run("lesson_runs", "ran_at < ?")
            run("telemetry", "taken_at < ?")
            run("kit_events", "taken_at < ?")
            run("gaps", "detected_at < ?")
            run("quarantine", "received_at < ?")
            run("quarantine_floods", "last_at < ?")
            run("assignments", "until IS NOT NULL AND until <= ? AND NOT EXISTS (SELECT 1 FROM telemetry t WHERE "
                "t.class_id = assignments.class_id AND t.kit_id = assignments.kit_id AND t.taken_at < assignments.until "
                "AND t.taken_at >= assignments.since)")
            run("audit_log", "at < ?")
            self._drop_orphan_attachments(counts)
            self.audit(actor, "prune", detail=f"before={before} " + " ".join(
                f"{t}={n}" for t, n in sorted(counts.items()) if n))
        return counts

    def compact(self) -> None:
        """Make deleted rows unreadable in the files: SQLite checkpoints its WAL into the database, rebuilds
        it without free pages (VACUUM) and empties the WAL again; PostgreSQL rewrites the tables
        (VACUUM FULL). Refused while another program holds the SQLite file open for reading or writing."""
        if self.engine == "sqlite":
            self._checkpoint()
            self._execute("VACUUM")
            self._checkpoint()
        else:
            for table in _ERASE_TABLES:
                self._execute(f"VACUUM FULL {table}")

    def _checkpoint(self) -> None:
        busy, _, _ = self._execute("PRAGMA wal_checkpoint(TRUNCATE)")[0]
        if busy:
            raise StoreBusyError(
                en="The portfolio is open in another program, so the erased data cannot be cleared from its files yet.",
                zh="作品集正被别的程序打开，已删除的数据还无法从文件中彻底清除。",
                hint_en="Stop the collector and the dashboard (makerkit collect / classroom), then run the command again.",
                hint_zh="请先停止收集程序和看板（makerkit collect / classroom），然后再运行一次这个命令。")

    def held_rows(self, student: str) -> dict[str, list[dict]]:
        """Every row the portfolio holds about the student, by table (for a subject-access export)."""
        info = self._need_student(student)
        out: dict[str, list[dict]] = {"students": [info]}
        out["student_names"] = [{"name": n} for (n,) in self._execute(
            "SELECT name FROM student_names WHERE student_id = ?", (student,))]
        out["assignments"] = [h.__dict__ for h in self.history(student=student)]
        out["lesson_runs"] = self.lesson_runs(student)
        out["projects"] = [dict(p, entries=self.entries(p["id"]), links=self.links(p["id"]))
                           for p in self.projects(student=student)]
        out["entries_in_group_projects"] = [dict(zip(("project_id", "stage", "written_at", "body"), r)) for r in
                                            self._execute("SELECT e.project_id, e.stage, e.written_at, e.body FROM "
                                                          "project_entries e JOIN projects p ON p.id = e.project_id "
                                                          "WHERE e.author_id = ? AND p.student_id IS NULL", (student,))]
        out["evaluations"] = self.evaluations(student)
        out["evaluations_written"] = [dict(zip(("dimension", "level", "comment", "created_at"), r)) for r in
                                      self._execute("SELECT dimension, level, comment, created_at FROM evaluations "
                                                    "WHERE by_id = ? AND student_id <> ?", (student, student))]
        readings, events = [], []
        for hold in self.history(student=student):
            for taken, values, units in self.readings_in(hold.class_id, hold.kit, hold.since, hold.until):
                readings.append({"kit": hold.kit, "time": taken, "readings": values, "units": units})
            events += self.kit_events(hold.class_id, hold.kit, hold.since, hold.until)
        out["telemetry"], out["kit_events"] = readings, events
        out["audit_log"] = self.audit_log(subject=student)
        out["exported_at"] = [{"at": now_iso()}]
        return out
