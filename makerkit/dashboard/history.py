"""What the kit page and the teacher's page read from the portfolio store (blocking calls: the web
server runs them on its worker threads). Every read is bounded (:mod:`makerkit.store.dashboard_rows`)."""

from __future__ import annotations

import json
import time
from datetime import datetime

from ..portfolio.terms import term_of, term_range
from ..protocol.telemetry import iso_utc
from ..store import open_store

LESSON_SPAN = 3600.0     # seconds: "this lesson" is the last hour of readings
SPANS = ("lesson", "term")


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


def _pictures(store, runs: list[dict]) -> list[dict]:
    """Robot run pictures: a finding (or a run's findings list) that names an attachment by
    ``picture`` (its SHA-256) is shown on the kit page."""
    out = []
    for run in runs:
        for finding in run["findings"]:
            sha = finding.get("picture") if isinstance(finding, dict) else None
            if isinstance(sha, str) and len(out) < 12 and store.attachment(sha) is not None:
                out.append({"sha256": sha, "lesson_id": run["lesson_id"], "ran_at": run["ran_at"]})
    return out


def kit_history(db: str, class_id: str, kit: str, span: str, names: bool) -> dict:
    since, until = span_bounds(span)
    with open_store(db) as store:
        series, units = _series(store.readings_thinned(class_id, kit, since, until))
        runs = store.kit_lesson_runs(class_id, kit)
        hold = store.current_holders(class_id).get(kit) or {}
        holder = hold.get("student") or hold.get("group") or ""
        if names and hold.get("student"):
            holder = store.display_names(class_id).get(holder, holder)
        pictures = _pictures(store, runs)
    return {"class": class_id, "kit": kit, "span": span, "since": since, "until": until, "series": series,
            "units": units, "runs": runs, "holder": holder, "pictures": pictures}


def attachment(db: str, sha256: str) -> tuple[bytes, str] | None:
    with open_store(db) as store:
        found = store.attachment(sha256)
    if found is None or not found[1].startswith("image/"):
        return None
    return found


def teacher_overview(db: str, class_id: str) -> dict:
    """The class's open gaps and its newest quarantined messages."""
    prefix = f"makerkit/v1/{class_id}/"
    with open_store(db) as store:
        gaps = store.gaps(state="open", class_id=class_id)[:100]
        quarantine = [q for q in store.recent_quarantine(200) if q["topic"].startswith(prefix)][:50]
    return {"gaps": [{"kit": g.kit, "first": g.first, "last": g.last, "requests": g.requests,
                      "detected_at": g.detected_at, "note": g.note} for g in gaps],
            "quarantine": quarantine}
