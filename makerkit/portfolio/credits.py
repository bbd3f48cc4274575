"""Science credits (科学学分), per student and term. The rule (docs/PORTFOLIO.md §4):

* A **lesson** earns its credits (``credits`` in its lesson.toml when it was checked) once per
  student: in the term of the first passing ``lesson check`` (a check of a kit the student's group
  held counts for every member). Runs, failed checks and later passes earn nothing more.
* A **project** earns its credits when its design cycle is complete, i.e. it has at least one entry
  in each of the four stages (research, plan, make, reflect): in the term of the moment the last of
  the four stages got its first entry. A group project's credits go to each member of the group.
"""

from __future__ import annotations

from .terms import term_of

STAGE_ORDER = ("research", "plan", "make", "reflect")


def completed_at(entries: list[dict]) -> str | None:
    """When a project's four stages were all covered (None while one is missing)."""
    first: dict[str, str] = {}
    for e in entries:
        if e["stage"] not in first or e["written_at"] < first[e["stage"]]:
            first[e["stage"]] = e["written_at"]
    if set(first) != set(STAGE_ORDER):
        return None
    return max(first.values())


def lesson_credits(runs: list[dict]) -> list[dict]:
    """One item per lesson passed: lesson, when it was first passed, its term and credits."""
    seen: dict[str, dict] = {}
    for run in sorted(runs, key=lambda r: (r["ran_at"], r["id"])):
        if run["mode"] == "check" and run["outcome"] == "passed" and run["lesson_id"] not in seen:
            seen[run["lesson_id"]] = {"kind": "lesson", "id": run["lesson_id"], "at": run["ran_at"],
                                      "term": term_of(run["ran_at"]), "credits": float(run["credits"])}
    return list(seen.values())


def project_credits(projects: list[dict]) -> list[dict]:
    """One item per completed project (``projects`` carry their ``entries``)."""
    out = []
    for p in projects:
        done = completed_at(p["entries"])
        if done is not None:
            out.append({"kind": "project", "id": p["id"], "at": done, "term": term_of(done),
                        "credits": float(p["credits"])})
    return out


def credits_by_term(runs: list[dict], projects: list[dict]) -> dict[str, dict]:
    """term -> {"lessons": x, "projects": y, "total": x + y, "items": [...]}."""
    out: dict[str, dict] = {}
    for item in lesson_credits(runs) + project_credits(projects):
        t = out.setdefault(item["term"], {"lessons": 0.0, "projects": 0.0, "total": 0.0, "items": []})
        t["lessons" if item["kind"] == "lesson" else "projects"] += item["credits"]
        t["total"] += item["credits"]
        t["items"].append(item)
    return dict(sorted(out.items()))
