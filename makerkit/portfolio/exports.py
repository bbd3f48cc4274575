"""The portfolio's exports, as files: a student's page (HTML, for the student or as the parents'
read-only copy), the comprehensive-quality record (CSV or JSON, one student or the whole class), the
class showcase page, and a per-student export of everything held."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from ..errors import UsageError
from ..store import Store
from .gather import gather
from .html_page import render_student_page
from .labels import lang_code
from .record import write_record
from .showcase import render_showcase

FORMATS = ("html", "csv", "json")


def _write_text(path: str | Path, text: str) -> None:
    Path(path).write_text(text, encoding="utf-8")


def export_portfolio(store: Store, *, out: str | Path, fmt: str, student: str | None = None,
                     class_id: str | None = None, lang: str = "zh-CN", names: bool = False, parent: bool = False,
                     term: str | None = None, rubric: str | None = None, actor: str = "teacher") -> int:
    """Write one export to ``out``; returns how many students it holds.

    ``html``: one student's page (``parent=True``: the parents' read-only copy). ``csv``/``json``:
    the quality record of ``student``, or of every student of ``class_id``."""
    if fmt not in FORMATS:
        raise UsageError(en=f"Unknown format {fmt!r}: use html, csv or json.", zh=f"未知格式 {fmt!r}：请用 html、csv 或 json。")
    if (student is None) == (class_id is None):
        raise UsageError(en="Give either --student or --class.", zh="请给出 --student 或 --class 其中之一。")
    if fmt == "html":
        if student is None:
            raise UsageError(en="The HTML page is one student's: give --student (the class page is "
                                "makerkit portfolio showcase).",
                             zh="HTML 页面针对一个学生：请给出 --student（班级展示页请用 makerkit portfolio showcase）。")
        data = gather(store, student, term=term, names=names, rubric=rubric)
        _write_text(out, render_student_page(data, lang=lang_code(lang), parent=parent))
        count = 1
    else:
        if class_id is not None:
            store._need_class(class_id)
        students = [student] if student else [s["id"] for s in store.students(class_id)]
        mode = {"newline": ""} if fmt == "csv" else {}
        with open(out, "w", encoding="utf-8-sig" if fmt == "csv" else "utf-8", **mode) as f:
            count = write_record(store, f, students=students, fmt=fmt, term=term, names=names, rubric=rubric)
    store.audit(actor, f"export_{fmt}" + ("_parent" if parent else ""), class_id=class_id, subject=student,
                detail=f"names={int(names)} term={term or 'all'}")
    return count


def export_showcase(store: Store, *, class_id: str, out: str | Path, lang: str = "zh-CN", names: bool = False) -> int:
    """The class showcase page; returns how many projects it shows."""
    html = render_showcase(store, class_id, lang=lang_code(lang), names=names)
    _write_text(out, html)
    return len(store.projects(class_id=class_id, showcase=True))


def _plain(value):
    if isinstance(value, (bytes, memoryview)):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def export_everything(store: Store, *, student: str, out: str | Path, actor: str = "teacher") -> dict[str, int]:
    """Every row held about the student, and every file they own (base64), as one JSON file (a
    subject-access copy for the family). Returns the number of rows per table."""
    rows = store.held_rows(student)
    files = {}
    for run in rows["lesson_runs"]:
        if run["code_sha256"]:
            files[run["code_sha256"]] = store.attachment(run["code_sha256"])
    for p in rows["projects"]:
        for e in p["entries"]:
            for f in e["files"]:
                files[f["sha256"]] = store.attachment(f["sha256"])
    rows["attachments"] = [{"sha256": sha, "media_type": got[1], "data": got[0]} for sha, got in files.items() if got]
    Path(out).write_text(json.dumps(_plain(rows), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    store.audit(actor, "export_everything", subject=student)
    return {k: len(v) for k, v in rows.items()}
