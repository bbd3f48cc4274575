"""What the kit page and the teacher's page read from the portfolio store (blocking calls: the web
server runs them on its worker threads). Every read is bounded (:mod:`makerkit.store.dashboard_rows`)."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime

from ..portfolio.terms import term_of, term_range
from ..protocol.telemetry import iso_utc
from ..sim.robot import record as run_record
from ..store import open_store

LESSON_SPAN = 3600.0     # seconds: "this lesson" is the last hour of readings
SPANS = ("lesson", "term")
MAX_PICTURES = 12        # robot run pictures on one page
MAX_RECORD = 8 << 20     # bytes: a robot run record read for its summary (a minute's run is about 100 KB)
MAX_MARKS = 20           # numbered marks listed beside one picture
MAX_RUNS = 50            # lesson runs on a student's page (the newest)
MAX_HOLDS = 20           # a student's newest kit holds charted
_SHA = re.compile(r"[0-9a-f]{64}\Z")


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def span_bounds(span: str, now: float | None = None) -> tuple[str, str | None]:
    now = time.time() if now is None else now
    if span == "term":
        return term_range(term_of(iso_utc(now)))
    return iso_utc(now - LESSON_SPAN), None


def _series(rows) -> tuple[dict[str, list[tuple[float, float]]], dict[str, str]]:
    series: dict[str, list[tuple[float, float]]] = {}
    units: dict[str, str] = {}
    for taken, readings, unit_text in rows:
        t = _epoch(taken)
        for name, value in json.loads(readings).items():
            series.setdefault(name, []).append((t, float(value)))
        if unit_text:
            units.update(json.loads(unit_text))
    return series, units


def _record_summary(store, sha: str | None) -> dict | None:
    """What the kit page says beside a robot run's picture, from the run's record (``makerkit-robot-run``,
    v 1, :mod:`makerkit.sim.robot.record`): arena, driving time, contacts, and the numbered marks the
    picture circles, in both languages. None when there is no such record."""
    found = store.attachment(sha) if isinstance(sha, str) and _SHA.match(sha) else None
    if found is None or len(found[0]) > MAX_RECORD:
        return None
    try:
        record = json.loads(found[0])
    except ValueError:
        return None
    if not isinstance(record, dict) or record.get("kind") != run_record.KIND or record.get("v") != run_record.VERSION:
        return None
    name = (record.get("arena") or {}).get("name") or {}
    return {"sha256": sha, "arena_en": str(name.get("en", "")), "arena_zh": str(name.get("zh-CN", "")),
            "seconds": float(record.get("seconds") or 0), "contacts": len(record.get("events") or []),
            "marks": [{"status": str(m.get("status", "")), "en": str(m.get("en", "")), "zh": str(m.get("zh", ""))}
                      for m in (record.get("marks") or [])[:MAX_MARKS] if isinstance(m, dict)]}


def _robot_runs(store, runs: list[dict]) -> list[dict]:
    """Robot run pictures: a finding that names an attachment by ``picture`` (its SHA-256; what
    ``lesson run``/``lesson check --db`` store) is shown, with its run's ``record`` when it names one."""
    out = []
    for run in runs:
        for finding in run["findings"]:
            sha = finding.get("picture") if isinstance(finding, dict) else None
            if not (isinstance(sha, str) and _SHA.match(sha)) or len(out) >= MAX_PICTURES:
                continue
            found = store.attachment(sha)
            if found is None or not found[1].startswith("image/"):
                continue
            out.append({"sha256": sha, "lesson_id": run["lesson_id"], "ran_at": run["ran_at"], "mode": run["mode"],
                        "outcome": run["outcome"], "record": _record_summary(store, finding.get("record"))})
    return out


def _holder_shown(store, class_id: str, holder: str, kind: str, names: bool) -> str:
    if names and kind == "student":
        return store.display_names(class_id).get(holder, holder)
    return holder


def kit_history(db: str, class_id: str, kit: str, span: str, names: bool) -> dict:
    since, until = span_bounds(span)
    with open_store(db) as store:
        series, units = _series(store.readings_thinned(class_id, kit, since, until))
        runs = store.kit_lesson_runs(class_id, kit)
        hold = store.current_holders(class_id).get(kit) or {}
        holder_id = hold.get("student") or hold.get("group") or ""
        kind = "student" if hold.get("student") else "group" if hold.get("group") else ""
        holder = _holder_shown(store, class_id, holder_id, kind, names)
        pictures = _robot_runs(store, runs)
    return {"class": class_id, "kit": kit, "span": span, "since": since, "until": until, "series": series,
            "units": units, "runs": runs, "holder": holder, "holder_id": holder_id, "holder_kind": kind,
            "pictures": pictures}


def _clip(since: str, until: str | None, hold) -> tuple[str, str | None] | None:
    start = max(since, hold.since)
    end = hold.until if until is None else (min(until, hold.until) if hold.until else until)
    return None if end is not None and end <= start else (start, end)


def student_history(db: str, class_id: str, student: str, span: str, names: bool) -> dict | None:
    """One student's page: the readings of the kits they (or their group) held in the span, one chart
    per kit and reading; their lesson runs (newest first) and robot run pictures; the kits held now."""
    since, until = span_bounds(span)
    with open_store(db) as store:
        info = store.student(student)
        if info is None or info["class"] != class_id:
            return None
        series: dict[str, list[tuple[float, float]]] = {}
        units: dict[str, str] = {}
        for hold in store.student_holds(student, info["group"])[-MAX_HOLDS:]:
            rng = _clip(since, until, hold)
            if rng is not None:
                got, got_units = _series(store.readings_thinned(class_id, hold.kit, *rng))
                for name, points in got.items():
                    series.setdefault(f"{hold.kit} {name}", []).extend(points)
                    if name in got_units:
                        units[f"{hold.kit} {name}"] = got_units[name]
        runs = list(reversed(store.lesson_runs(student, info["group"])))[:MAX_RUNS]
        kits = sorted(kit for kit, hold in store.current_holders(class_id).items()
                      if hold.get("student") == student or (info["group"] and hold.get("group") == info["group"]))
        shown = _holder_shown(store, class_id, student, "student", names)
        pictures = _robot_runs(store, runs)
    for points in series.values():
        points.sort()
    return {"class": class_id, "student": student, "shown": shown, "group": info["group"] or "", "span": span,
            "series": series, "units": units, "runs": runs, "kits": kits, "pictures": pictures}


def attachment(db: str, sha256: str) -> tuple[bytes, str] | None:
    """An image the pages show (a robot run's picture, a project photo)."""
    with open_store(db) as store:
        found = store.attachment(sha256)
    if found is None or not found[1].startswith("image/"):
        return None
    return found


def robot_run_record(db: str, sha256: str) -> bytes | None:
    """A robot run's record (JSON) for download; nothing else that is stored as JSON."""
    with open_store(db) as store:
        found = store.attachment(sha256)
        if found is None or _record_summary(store, sha256) is None:
            return None
    return found[0]


def teacher_overview(db: str, class_id: str) -> dict:
    """The class's open gaps and its newest quarantined messages."""
    prefix = f"makerkit/v1/{class_id}/"
    with open_store(db) as store:
        gaps = store.gaps(state="open", class_id=class_id)[:100]
        quarantine = [q for q in store.recent_quarantine(200) if q["topic"].startswith(prefix)][:50]
    return {"gaps": [{"kit": g.kit, "first": g.first, "last": g.last, "requests": g.requests,
                      "detected_at": g.detected_at, "note": g.note} for g in gaps],
            "quarantine": quarantine}
