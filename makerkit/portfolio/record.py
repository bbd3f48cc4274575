"""The comprehensive-quality record (综合素质评价): one row per student as CSV (UTF-8 with a BOM, so
spreadsheet programs read the Chinese right; cells that would run as formulas escaped), or as JSON
with the details behind the row. Columns are documented in docs/PORTFOLIO.md §6."""

from __future__ import annotations

import csv
import json
from typing import TextIO

from ..store import Store, now_iso
from ..store.export import safe_cell
from .credits import completed_at
from .gather import gather
from .rubric import DIMENSIONS, SIDES

RECORD_SCHEMA = "makerkit-quality-record/1"
BASE_COLUMNS = ["class", "student", "group", "term", "lessons_checked", "lessons_passed", "lesson_credits",
                "projects", "projects_completed", "project_credits", "credits_total", "showcase_projects",
                "readings", "evaluations"]
EVAL_COLUMNS = [f"{dim}_{side}" for dim in DIMENSIONS for side in (*SIDES, "combined")]


def columns(names: bool = False) -> list[str]:
    cols = BASE_COLUMNS + EVAL_COLUMNS
    return cols[:2] + ["name"] + cols[2:] if names else cols


def _round(x):
    return None if x is None else round(x, 2)


def record_row(data: dict) -> dict:
    """The CSV row of one student's gathered portfolio."""
    s, lessons = data["student"], data["lessons"]
    checks = [r for r in lessons if r["mode"] == "check"]
    credits = data["credits"].values()
    row = {"class": s["class"], "student": s["id"], "group": s["group"] or "", "term": data["term"] or "",
           "lessons_checked": len({r["lesson_id"] for r in checks}),
           "lessons_passed": len({r["lesson_id"] for r in checks if r["outcome"] == "passed"}),
           "lesson_credits": sum(c["lessons"] for c in credits),
           "projects": len(data["projects"]),
           "projects_completed": sum(1 for p in data["projects"] if completed_at(p["entries"])),
           "project_credits": sum(c["projects"] for c in credits),
           "credits_total": sum(c["total"] for c in credits),
           "showcase_projects": sum(1 for p in data["projects"] if p["showcase"]),
           "readings": data["readings"], "evaluations": len(data["evaluations"])}
    for dim in DIMENSIONS:
        summary = data["summary"][dim]
        for side in SIDES:
            row[f"{dim}_{side}"] = _round(summary[side]["mean"]) if summary[side] else None
        row[f"{dim}_combined"] = _round(summary["combined"])
    if "name" in s:
        row["name"] = s["name"] or ""
    return row


def record_json(data: dict) -> dict:
    """One student's record with what is behind it (no other student's id: peers are a side, not a name)."""
    return {
        "rubric": data["rubric"].id, "record": record_row(data),
        "credits": {t: {k: v for k, v in c.items()} for t, c in data["credits"].items()},
        "lessons": [{k: r[k] for k in ("id", "lesson_id", "mode", "ran_at", "kit_id", "board", "sim", "outcome",
                                       "credits", "code_sha256")} | {"findings": r["findings"]} for r in data["lessons"]],
        "projects": [{"id": p["id"], "title": p["title"], "topic": p["topic"], "owner": "group" if p["group_id"] else
                      "student", "started_on": p["started_on"], "ended_on": p["ended_on"], "credits": p["credits"],
                      "showcase": p["showcase"], "completed_at": completed_at(p["entries"]),
                      "stages": {st: sum(1 for e in p["entries"] if e["stage"] == st)
                                 for st in ("research", "plan", "make", "reflect")}} for p in data["projects"]],
        "evaluations": [{k: e[k] for k in ("created_at", "term", "dimension", "by_kind", "level", "comment",
                                           "project_id", "rubric")} for e in data["evaluations"]],
    }


def write_record(store: Store, out: TextIO, *, students: list[str], fmt: str, term: str | None = None,
                 names: bool = False, rubric=None) -> int:
    """Write the record of ``students`` to ``out`` (CSV rows, or one JSON document whose ``students``
    lists them); returns the number of students. Open ``out`` with ``encoding="utf-8-sig", newline=""`` for CSV."""
    gathered = (gather(store, sid, term=term, names=names, rubric=rubric, with_files=False, charts=False)
                for sid in students)
    if fmt == "csv":
        cols = columns(names)
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(cols)
        n = 0
        for data in gathered:
            row = record_row(data)
            writer.writerow([safe_cell(row.get(c)) for c in cols])
            n += 1
        return n
    items = [record_json(d) for d in gathered]
    out.write(json.dumps({"schema": RECORD_SCHEMA, "generated_at": now_iso(), "term": term, "students": items},
                         ensure_ascii=False, indent=1) + "\n")
    return len(items)
