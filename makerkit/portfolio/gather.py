"""Everything one student's portfolio page or record shows, gathered from the store in one place.

Whose is what follows the store's rule: readings and kit events taken while the student (or their
group) held a kit; lesson runs of the student (or of a kit their group held); their own and their
group's projects; the evaluations of them. With a ``term``, only what falls in it (projects that ran
during it). Display names only with ``names=True``.
"""

from __future__ import annotations

import json
from datetime import datetime

from ..errors import UsageError
from ..store import Store, now_iso
from .credits import credits_by_term
from .evaluations import summarise
from .rubric import Rubric, load_rubric
from .terms import term_range

MAX_EVENTS = 200        # kit events shown on a page (the newest)


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def _clip(since: str, until: str | None, lo: str | None, hi: str | None) -> tuple[str, str | None] | None:
    start = max(since, lo) if lo else since
    end = until if not hi else (min(until, hi) if until else hi)
    return None if end is not None and end <= start else (start, end)


def _series(store: Store, holds, lo: str | None, hi: str | None) -> tuple[list[dict], int]:
    """One chart series per (kit, reading name) over the holds, clipped to the term."""
    out: dict[tuple[str, str], dict] = {}
    total = 0
    for hold in holds:
        rng = _clip(hold.since, hold.until, lo, hi)
        if rng is None:
            continue
        for taken, readings, units in store.readings_in(hold.class_id, hold.kit, *rng):
            total += 1
            t = _epoch(taken)
            unit_map = json.loads(units) if units else {}
            for name, value in json.loads(readings).items():
                s = out.get((hold.kit, name))
                if s is None:
                    s = out[(hold.kit, name)] = {"kit": hold.kit, "name": name, "unit": unit_map.get(name, ""),
                                                 "points": []}
                s["points"].append((t, float(value)))
    for s in out.values():
        s["points"].sort()
        s["count"] = len(s["points"])
    return sorted(out.values(), key=lambda s: (s["kit"], s["name"])), total


def _project(store: Store, p: dict, with_files: bool) -> dict:
    entries = store.entries(p["id"])
    if with_files:
        for e in entries:
            for f in e["files"]:
                got = store.attachment(f["sha256"])
                f["data"] = got[0] if got else b""
    members = [s["id"] for s in store.students(p["class_id"]) if p["group_id"] and s["group"] == p["group_id"]]
    return dict(p, entries=entries, links=store.links(p["id"]), members=members)


def gather(store: Store, student: str, *, term: str | None = None, names: bool = False,
           rubric: Rubric | str | None = None, with_files: bool = True, charts: bool = True) -> dict:
    """The student's portfolio as plain data (see the module docstring)."""
    info = store.student(student)
    if info is None:
        raise UsageError(en=f"There is no student {student!r} in the portfolio.", zh=f"作品集里没有学生 {student!r}。",
                         hint_en="List the class with: makerkit class show --db URL --class ID",
                         hint_zh="查看班级名单：makerkit class show --db 数据库 --class 班级")
    rub = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    lo, hi = term_range(term) if term else (None, None)
    group = info["group"]
    group_name = next((g["name"] for g in store.groups(info["class"]) if g["id"] == group), None) if group else None
    holds = store.student_holds(student, group)
    if charts:
        series, readings = _series(store, holds, lo, hi)
    else:
        series, readings = [], sum(store.count_readings_in(h.class_id, h.kit, *r) for h in holds
                                   if (r := _clip(h.since, h.until, lo, hi)) is not None)
    events = []
    for h in holds:
        rng = _clip(h.since, h.until, lo, hi)
        if rng is not None:
            events += store.kit_events(h.class_id, h.kit, *rng)
    runs_all = store.lesson_runs(student, group)
    projects_all = [_project(store, p, with_files) for p in store.projects(student=student, group=group)
                    if p["class_id"] == info["class"]]
    credits = credits_by_term(runs_all, projects_all)
    evals = store.evaluations(student)
    in_term = (lambda at: lo <= at < hi) if term else (lambda at: True)
    projects = [p for p in projects_all if not term or (p["started_on"] < hi[:10] and
                                                       (p["ended_on"] is None or p["ended_on"] >= lo[:10]))]
    evals = [e for e in evals if not term or e["term"] == term]
    out = {
        "student": {"id": student, "class": info["class"], "group": group, "group_name": group_name},
        "term": term, "generated_at": now_iso(), "rubric": rub,
        "holds": [{"class": h.class_id, "kit": h.kit, "holder": h.holder_kind, "since": h.since, "until": h.until}
                  for h in holds],
        "charts": series, "readings": readings, "events": sorted(events, key=lambda e: e["time"])[-MAX_EVENTS:],
        "lessons": [r for r in runs_all if in_term(r["ran_at"])],
        "projects": projects, "evaluations": evals, "summary": summarise(evals, rub),
        "credits": {t: c for t, c in credits.items() if not term or t == term},
    }
    if names:
        out["student"]["name"] = store.display_names(info["class"]).get(student)
    return out
