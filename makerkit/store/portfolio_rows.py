"""The student portfolio's rows: attachments by content hash, lesson runs, kit events, projects with
their design-cycle entries and links, evaluations and the audit log.

Rules live in :mod:`makerkit.portfolio` (who may evaluate whom, credits, terms); this mixin only
reads and writes rows, each write with the audit entry that says who made it, in one transaction.
"""

from __future__ import annotations

import hashlib
import json

from ..errors import UsageError
from .migrations.m002_identity import new_id
from .migrations.m003_portfolio import STAGES
from .records import now_iso

_RUN_COLUMNS = ("id", "class_id", "student_id", "group_id", "kit_id", "lesson_id", "mode", "board", "sim", "ran_at",
                "outcome", "findings", "code_sha256", "code_name", "credits")
_PROJECT_COLUMNS = ("id", "class_id", "student_id", "group_id", "title", "topic", "started_on", "ended_on", "credits",
                    "showcase", "created_at")
_EVAL_COLUMNS = ("id", "class_id", "student_id", "project_id", "dimension", "by_kind", "by_id", "level", "comment",
                 "rubric", "term", "created_at")
_AUDIT_COLUMNS = ("id", "at", "actor", "action", "class_id", "subject", "detail")


def _dicts(columns, rows) -> list[dict]:
    return [dict(zip(columns, row)) for row in rows]


class PortfolioRows:
    """Mixed into :class:`~makerkit.store.base.Store`."""

    # -- audit ---------------------------------------------------------------------------------------
    def audit(self, actor: str, action: str, *, class_id: str | None = None, subject: str | None = None,
              detail: str = "") -> None:
        """One line of the audit log. ``detail`` never holds a display name."""
        self._execute("INSERT INTO audit_log (at, actor, action, class_id, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
                      (now_iso(), actor or "?", action, class_id, subject, detail))

    def audit_log(self, *, subject: str | None = None, limit: int | None = None) -> list[dict]:
        sql, params = f"SELECT {', '.join(_AUDIT_COLUMNS)} FROM audit_log", []
        if subject:
            sql += " WHERE subject = ? OR actor = ?"
            params += [subject, subject]
        sql += " ORDER BY id" + (f" LIMIT {int(limit)}" if limit else "")
        return _dicts(_AUDIT_COLUMNS, self._execute(sql, params))

    # -- attachments ---------------------------------------------------------------------------------
    def put_attachment(self, data: bytes, media_type: str) -> str:
        """Store ``data`` once under its SHA-256 (hex), which is returned."""
        digest = hashlib.sha256(data).hexdigest()
        self._execute("INSERT INTO attachments (sha256, size, media_type, data, created_at) VALUES (?, ?, ?, ?, ?) "
                      "ON CONFLICT (sha256) DO NOTHING", (digest, len(data), media_type, bytes(data), now_iso()))
        return digest

    def attachment(self, sha256: str) -> tuple[bytes, str] | None:
        rows = self._execute("SELECT data, media_type FROM attachments WHERE sha256 = ?", (sha256,))
        return (bytes(rows[0][0]), rows[0][1]) if rows else None

    # -- lesson runs ---------------------------------------------------------------------------------
    def add_lesson_run(self, *, class_id: str, student: str | None, group: str | None, kit: str | None,
                       lesson_id: str, mode: str, board: str, sim: bool, outcome: str, findings: list[dict],
                       code: bytes | None, code_name: str | None, credits: float, actor: str,
                       ran_at: str | None = None) -> int:
        with self._transaction():
            sha = self.put_attachment(code, "text/x-python") if code is not None else None
            run_id = self._execute("INSERT INTO lesson_runs (class_id, student_id, group_id, kit_id, lesson_id, mode, board, sim, "
                          "ran_at, outcome, findings, code_sha256, code_name, credits) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          (class_id, student, group, kit, lesson_id, mode, board, int(sim), ran_at or now_iso(),
                           outcome, json.dumps(findings, ensure_ascii=False), sha, code_name, float(credits)))[0][0]
            self.audit(actor, f"lesson_{mode}", class_id=class_id, subject=student or group,
                       detail=f"run={run_id} lesson={lesson_id} outcome={outcome}")
        return run_id

    def lesson_runs(self, student: str, group: str | None = None) -> list[dict]:
        """The student's runs, and those of kits their group held (they count for every member)."""
        sql = f"SELECT {', '.join(_RUN_COLUMNS)} FROM lesson_runs WHERE student_id = ?"
        params: list = [student]
        if group:
            info = self.student(student)
            sql += " OR (class_id = ? AND group_id = ?)"
            params += [info["class"] if info else "", group]
        out = _dicts(_RUN_COLUMNS, self._execute(sql + " ORDER BY ran_at, id", params))
        for run in out:
            run["findings"] = json.loads(run["findings"])
            run["sim"] = bool(run["sim"])
        return out

    # -- kit events (lesson code's kit.event) --------------------------------------------------------
    def add_kit_events(self, items: list[tuple[str, str, dict]], received_at: str) -> int:
        """Store ``(class, kit, event doc)`` items once each; a redelivered event is skipped."""
        rows = []
        for cls, kit, doc in items:
            taken = doc.get("time") if isinstance(doc.get("time"), str) and doc.get("time") else received_at
            rows.append((cls, kit, str(doc.get("inc") or ""), int(doc.get("boot") or 0), int(doc.get("uptime_ms") or 0),
                         str(doc.get("event")), taken, received_at,
                         json.dumps(doc.get("data") or {}, ensure_ascii=False, sort_keys=True)))
        if not rows:
            return 0
        return self._executemany("INSERT INTO kit_events (class_id, kit_id, inc, boot, uptime_ms, event, taken_at, "
                                 "received_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT "
                                 "(class_id, kit_id, inc, boot, uptime_ms, event) DO NOTHING", rows)

    def kit_events(self, class_id: str, kit: str, since: str, until: str | None) -> list[dict]:
        rows = self._execute("SELECT event, taken_at, data FROM kit_events WHERE class_id = ? AND kit_id = ? AND "
                             "taken_at >= ? AND (CAST(? AS TEXT) IS NULL OR taken_at < ?) ORDER BY taken_at",
                             (class_id, kit, since, until, until))
        return [{"event": e, "time": t, "data": json.loads(d), "kit": kit} for e, t, d in rows]

    # -- projects ------------------------------------------------------------------------------------
    def add_project(self, *, class_id: str, student: str | None, group: str | None, title: str, topic: str,
                    started_on: str, ended_on: str | None, credits: float, actor: str) -> str:
        if (student is None) == (group is None):
            raise UsageError(en="A project belongs to one student or one group.", zh="项目属于一个学生或一个小组。")
        self._check_holder(class_id, student, group)
        with self._transaction():
            pid = new_id("p-", lambda p: bool(self._execute("SELECT 1 FROM projects WHERE id = ?", (p,))))
            self._execute("INSERT INTO projects (id, class_id, student_id, group_id, title, topic, started_on, ended_on, "
                          "credits, showcase, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)",
                          (pid, class_id, student, group, title, topic, started_on, ended_on, float(credits), now_iso()))
            self.audit(actor, "project_create", class_id=class_id, subject=student or group, detail=f"project={pid}")
        return pid

    def project(self, project_id: str) -> dict | None:
        rows = self._execute(f"SELECT {', '.join(_PROJECT_COLUMNS)} FROM projects WHERE id = ?", (project_id,))
        if not rows:
            return None
        out = _dicts(_PROJECT_COLUMNS, rows)[0]
        out["showcase"] = bool(out["showcase"])
        return out

    def projects(self, *, class_id: str | None = None, student: str | None = None, group: str | None = None,
                 showcase: bool | None = None) -> list[dict]:
        cond, params = [], []
        if student and group:
            cond.append("(student_id = ? OR group_id = ?)"); params += [student, group]
        elif student:
            cond.append("student_id = ?"); params.append(student)
        for column, value in (("class_id", class_id), ("group_id", None if student else group)):
            if value:
                cond.append(f"{column} = ?"); params.append(value)
        if showcase is not None:
            cond.append("showcase = ?"); params.append(int(showcase))
        where = (" WHERE " + " AND ".join(cond)) if cond else ""
        out = _dicts(_PROJECT_COLUMNS, self._execute(
            f"SELECT {', '.join(_PROJECT_COLUMNS)} FROM projects{where} ORDER BY started_on, id", params))
        for p in out:
            p["showcase"] = bool(p["showcase"])
        return out

    def update_project(self, project_id: str, *, actor: str, **fields) -> None:
        allowed = {"title", "topic", "started_on", "ended_on", "credits", "showcase"}
        sets = {k: v for k, v in fields.items() if k in allowed and v is not None}
        if not sets:
            return
        with self._transaction():
            info = self.need_project(project_id)
            assignments = ", ".join(f"{k} = ?" for k in sets)
            values = [int(v) if isinstance(v, bool) else v for v in sets.values()]
            self._execute(f"UPDATE projects SET {assignments} WHERE id = ?", values + [project_id])
            self.audit(actor, "project_update", class_id=info["class_id"],
                       subject=info["student_id"] or info["group_id"],
                       detail=f"project={project_id} " + " ".join(f"{k}={v}" for k, v in sets.items() if k != "title"))

    def need_project(self, project_id: str) -> dict:
        info = self.project(project_id)
        if info is None:
            raise UsageError(en=f"There is no project {project_id!r} in the portfolio.",
                             zh=f"作品集里没有项目 {project_id!r}。",
                             hint_en="List the class's projects: makerkit project list --db URL --class ID",
                             hint_zh="查看班级的项目：makerkit project list --db 数据库 --class 班级")
        return info

    def add_entry(self, project_id: str, *, stage: str, body: str, author: str | None, files: list[tuple],
                  actor: str, written_at: str | None = None) -> int:
        """A dated design-cycle entry; ``files`` are ``(filename, media_type, data)``."""
        if stage not in STAGES:
            raise UsageError(en=f"Unknown stage {stage!r}: use one of {', '.join(STAGES)}.",
                             zh=f"未知的阶段 {stage!r}：可选 {', '.join(STAGES)}。")
        with self._transaction():
            info = self.need_project(project_id)
            entry_id = self._execute("INSERT INTO project_entries (project_id, stage, written_at, author_id, body) "
                                     "VALUES (?, ?, ?, ?, ?) RETURNING id",
                                     (project_id, stage, written_at or now_iso(), author, body))[0][0]
            for filename, media_type, data in files:
                sha = self.put_attachment(data, media_type)
                self._execute("INSERT INTO entry_files (entry_id, sha256, filename, media_type) VALUES (?, ?, ?, ?) "
                              "ON CONFLICT (entry_id, sha256) DO NOTHING", (entry_id, sha, filename, media_type))
            self.audit(actor, "project_entry", class_id=info["class_id"], subject=info["student_id"] or info["group_id"],
                       detail=f"project={project_id} stage={stage} entry={entry_id} files={len(files)}")
        return entry_id

    def entries(self, project_id: str) -> list[dict]:
        rows = self._execute("SELECT id, stage, written_at, author_id, body FROM project_entries WHERE project_id = ? "
                             "ORDER BY written_at, id", (project_id,))
        files: dict[int, list] = {}
        for entry_id, sha, name, media in self._execute(
                "SELECT f.entry_id, f.sha256, f.filename, f.media_type FROM entry_files f JOIN project_entries e "
                "ON e.id = f.entry_id WHERE e.project_id = ? ORDER BY f.filename", (project_id,)):
            files.setdefault(entry_id, []).append({"sha256": sha, "filename": name, "media_type": media})
        return [{"id": i, "stage": s, "written_at": w, "author": a, "body": b, "files": files.get(i, [])}
                for i, s, w, a, b in rows]

    def add_link(self, project_id: str, *, kind: str, actor: str, kit: str | None = None, since: str | None = None,
                 until: str | None = None, lesson_run: int | None = None, note: str = "") -> int:
        with self._transaction():
            info = self.need_project(project_id)
            if kind == "lesson_run" and not self._execute("SELECT 1 FROM lesson_runs WHERE id = ?", (lesson_run,)):
                raise UsageError(en=f"There is no lesson run {lesson_run}.", zh=f"没有编号为 {lesson_run} 的课程记录。")
            link_id = self._execute("INSERT INTO project_links (project_id, kind, kit_id, since, until, lesson_run_id, "
                                    "note) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                                    (project_id, kind, kit, since, until, lesson_run, note))[0][0]
            self.audit(actor, "project_link", class_id=info["class_id"], subject=info["student_id"] or info["group_id"],
                       detail=f"project={project_id} kind={kind}")
        return link_id

    def links(self, project_id: str) -> list[dict]:
        cols = ("id", "kind", "kit_id", "since", "until", "lesson_run_id", "note")
        return _dicts(cols, self._execute(f"SELECT {', '.join(cols)} FROM project_links WHERE project_id = ? "
                                          "ORDER BY id", (project_id,)))

    # -- evaluations ---------------------------------------------------------------------------------
    def add_evaluation(self, *, class_id: str, student: str, dimension: str, by_kind: str, by_id: str | None,
                       level: int, comment: str, project: str | None, rubric: str, term: str, actor: str) -> int:
        with self._transaction():
            eval_id = self._execute(
                "INSERT INTO evaluations (class_id, student_id, project_id, dimension, by_kind, by_id, level, comment, "
                "rubric, term, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                (class_id, student, project, dimension, by_kind, by_id, int(level), comment, rubric, term,
                 now_iso()))[0][0]
            self.audit(actor, "evaluate", class_id=class_id, subject=student,
                       detail=f"evaluation={eval_id} dimension={dimension} by={by_kind} level={level}")
        return eval_id

    def evaluations(self, student: str) -> list[dict]:
        return _dicts(_EVAL_COLUMNS, self._execute(
            f"SELECT {', '.join(_EVAL_COLUMNS)} FROM evaluations WHERE student_id = ? ORDER BY created_at, id", (student,)))

    # -- the student's readings ----------------------------------------------------------------------
    def student_holds(self, student: str, group: str | None = None) -> list:
        """Holds of the student (and, with ``group``, of their group): whose readings are whose."""
        holds = self.history(student=student)
        if group:
            info = self.student(student)
            holds += [h for h in self.history(info["class"]) if h.group == group] if info else []
        return sorted(holds, key=lambda h: (h.since, h.id))

    def readings_in(self, class_id: str, kit: str, since: str, until: str | None) -> list[tuple]:
        """``(taken_at, readings JSON, units JSON)`` of a kit in ``[since, until)``, by time."""
        return self._execute("SELECT taken_at, readings, units FROM telemetry WHERE class_id = ? AND kit_id = ? AND "
                             "taken_at >= ? AND (CAST(? AS TEXT) IS NULL OR taken_at < ?) ORDER BY taken_at",
                             (class_id, kit, since, until, until))

    def count_readings_in(self, class_id: str, kit: str, since: str, until: str | None) -> int:
        return self._execute("SELECT COUNT(*) FROM telemetry WHERE class_id = ? AND kit_id = ? AND taken_at >= ? AND "
                             "(CAST(? AS TEXT) IS NULL OR taken_at < ?)", (class_id, kit, since, until, until))[0][0]
