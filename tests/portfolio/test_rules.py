"""The rules behind the portfolio: the rubric file (default in both languages, a school's own, errors
that name the key), who may evaluate whom, terms, the credit rule, lesson credits in lesson.toml,
prune by date, and lesson events from kits stored once against whoever held the kit."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from makerkit.catalog.lessons import load_lessons, parse_lesson
from makerkit.collector.writer import BatchWriter
from makerkit.errors import CatalogError, UsageError
from makerkit.portfolio import (DIMENSIONS, add_stage_entry, create_project, credits_by_term, evaluate, gather,
                                load_rubric, prune, record_lesson_result, term_of, term_range)
from makerkit.protocol.telemetry import iso_utc
from makerkit.store import open_store

A, B, C = "s-wxm001", "s-lh0002", "s-zw0003"


def test_the_default_rubric_has_three_dimensions_in_both_languages():
    rub = load_rubric()
    assert [d.id for d in rub.dimensions] == list(DIMENSIONS)
    assert [d.name.pick("zh") for d in rub.dimensions] == ["个人表现", "小组合作", "创客成果"]
    for d in rub.dimensions:
        assert len(d.levels) == 4 and d.criteria
        assert all(t.zh.strip() and t.en.strip() for t in d.levels + d.criteria)
    assert rub.peer_scope == "class" and set(rub.weights) == {"teacher", "self", "peer"}


def test_a_broken_rubric_names_the_file_and_the_key(tmp_path):
    bad = tmp_path / "rubric.toml"
    bad.write_text(load_rubric.__globals__["DEFAULT_RUBRIC"].read_text(encoding="utf-8").replace(
        'scope = "class"', 'scope = "school"'), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_rubric(bad)
    assert "peers.scope" in info.value.message("en") and str(bad) in info.value.message("en")


@pytest.fixture
def store(db_url, roster):
    from makerkit.roster import import_roster
    s = open_store(db_url)
    import_roster(s, "7a", roster)
    s.add_class("7b")
    s.add_student("7b", "外班", student_id="s-other7b")
    yield s
    s.close()


def test_peers_only_within_the_class_or_the_group_as_the_rubric_says(store, tmp_path):
    evaluate(store, student=A, dimension="group", by=f"peer:{C}", level=3)          # a classmate: yes
    for by, what in (("peer:s-other7b", "7a"), (f"peer:{A}", "self"), ("peer:", "peer:"), ("parent", "teacher")):
        with pytest.raises(UsageError) as info:
            evaluate(store, student=A, dimension="group", by=by, level=3)
        assert what in info.value.message("en")
    group_rubric = tmp_path / "group.toml"
    shutil.copy(load_rubric.__globals__["DEFAULT_RUBRIC"], group_rubric)
    group_rubric.write_text(group_rubric.read_text(encoding="utf-8").replace('scope = "class"', 'scope = "group"'),
                            encoding="utf-8")
    evaluate(store, student=A, dimension="group", by=f"peer:{B}", level=4, rubric=str(group_rubric))   # teammate
    with pytest.raises(UsageError) as info:
        evaluate(store, student=A, dimension="group", by=f"peer:{C}", level=4, rubric=str(group_rubric))
    assert "teammates" in info.value.message("en")
    with pytest.raises(UsageError):
        evaluate(store, student=A, dimension="teamwork", by="teacher", level=1)
    assert [e["by_kind"] for e in store.evaluations(A)] == ["peer", "peer"]


def test_terms_follow_the_chinese_school_year():
    assert term_of("2026-09-01T08:00:00.000Z") == "2026-2027-1" == term_of("2027-01-20T00:00:00.000Z")
    assert term_of("2027-03-01T00:00:00.000Z") == "2026-2027-2" == term_of("2027-07-31T23:59:59.000Z")
    assert term_of("2027-08-01T00:00:00.000Z") == "2027-2028-1"
    assert term_range("2026-2027-2") == ("2027-02-01T00:00:00.000Z", "2027-08-01T00:00:00.000Z")
    with pytest.raises(UsageError):
        term_range("2026-2028-1")


def _run(lesson, at, outcome="passed", mode="check", credits=0.5, run_id=1):
    return {"id": run_id, "lesson_id": lesson, "ran_at": at, "outcome": outcome, "mode": mode, "credits": credits}


def test_credit_rule_first_pass_of_a_lesson_and_completed_projects():
    runs = [_run("01-blink", "2026-09-10T00:00:00.000Z", "failed", run_id=1),
            _run("01-blink", "2026-09-11T00:00:00.000Z", run_id=2),
            _run("01-blink", "2027-03-01T00:00:00.000Z", run_id=3),                 # passed again: nothing more
            _run("02-button-led", "2027-03-02T00:00:00.000Z", mode="run", outcome="finished", run_id=4),
            _run("03-thermometer", "2027-03-05T00:00:00.000Z", credits=1.0, run_id=5)]
    entry = lambda stage, at: {"stage": stage, "written_at": at}                     # noqa: E731
    done = {"id": "p-1", "credits": 2.0, "entries": [entry("research", "2026-12-01T00:00:00.000Z"),
            entry("plan", "2026-12-20T00:00:00.000Z"), entry("make", "2027-01-10T00:00:00.000Z"),
            entry("reflect", "2027-02-15T00:00:00.000Z"), entry("make", "2026-11-30T00:00:00.000Z")]}
    open_ = {"id": "p-2", "credits": 5.0, "entries": [entry("research", "2026-10-01T00:00:00.000Z")]}
    got = credits_by_term(runs, [done, open_])
    assert {t: (c["lessons"], c["projects"], c["total"]) for t, c in got.items()} == {
        "2026-2027-1": (0.5, 0.0, 0.5), "2026-2027-2": (1.0, 2.0, 3.0)}


def test_lesson_credits_come_from_lesson_toml_with_a_default(tmp_path):
    credits = {lesson.id: lesson.credits for lesson in load_lessons()}
    assert {key: credits[key] for key in ("01-blink", "02-button-led", "03-thermometer")} == {
        "01-blink": 0.5, "02-button-led": 0.5, "03-thermometer": 1.0}
    assert all(value >= 0 for value in credits.values())
    copy = tmp_path / "01-blink"
    shutil.copytree(load_lessons()[0].path, copy)
    toml = copy / "lesson.toml"
    text = toml.read_text(encoding="utf-8")
    toml.write_text(text.replace("credits = 0.5\n", ""), encoding="utf-8")
    assert parse_lesson(copy).credits == 0.0
    toml.write_text(text.replace("credits = 0.5", "credits = -1"), encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        parse_lesson(copy)
    assert "credits" in info.value.message("en")


def test_prune_deletes_only_what_is_older_than_the_date(store, tmp_path):
    store.assign("7a", "kit-01", student=A, since="2025-09-01T00:00:00.000Z")
    items = [("makerkit/v1/7a/kit-01/telemetry", json.dumps(
        {"v": 1, "seq": i, "boot": 1, "uptime_ms": i, "time": when, "readings": {"x": i}}).encode())
        for i, when in enumerate(("2025-10-01T00:00:00Z", "2025-10-02T00:00:00Z", iso_utc(time.time() - 60)), 1)]
    BatchWriter(store).write(items, time.time())
    old = create_project(store, student=A, title="old", start="2025-10-01", end="2025-12-01")
    add_stage_entry(store, project=old, stage="make", text="x", author=A)
    new = create_project(store, student=A, title="new")
    with pytest.raises(UsageError):
        prune(store, before="2026-02-01", confirm=False)
    counts = prune(store, before="2026-02-01", confirm=True, actor="ms-chen")
    assert counts["telemetry"] == 2 and counts["projects"] == 1 and counts["project_entries"] == 1
    assert store.count() == 1 and [p["id"] for p in store.projects(student=A)] == [new]
    assert store.student(A) is not None and store.audit_log()[-1]["action"] == "prune"
    with pytest.raises(UsageError):
        prune(store, before="last week", confirm=True)


def test_lesson_events_are_stored_once_against_whoever_held_the_kit(store):
    store.assign("7a", "kit-01", student=A, since=iso_utc(time.time() - 600))
    doc = {"v": 1, "event": "checkpoint", "boot": 2, "uptime_ms": 5123, "data": {"step": 3, "label": "LED on"}}
    writer = BatchWriter(store)
    for _ in range(2):                                          # a redelivery is not a second event
        writer.write([("makerkit/v1/7a/kit-01/event", json.dumps(doc).encode()),
                      ("makerkit/v1/7a/kit-01/event", json.dumps({"v": 1, "event": "replay_done", "from": 1,
                                                                   "to": 2, "missing": []}).encode())], time.time())
    assert store._execute("SELECT COUNT(*) FROM kit_events")[0][0] == 1
    events = gather(store, A, with_files=False)["events"]
    assert [(e["event"], e["data"]) for e in events] == [("checkpoint", {"step": 3, "label": "LED on"})]
    assert gather(store, B, with_files=False)["events"] == []


def test_a_lesson_result_needs_an_owner(store):
    with pytest.raises(UsageError) as info:
        record_lesson_result(store, lesson_id="01-blink", mode="check", board="uno", sim=True, outcome="passed",
                             findings=[], script=None, kit="kit-09")
    assert "--student" in info.value.hint("en")
    store.register_kit("7a", "kit-09")
    with pytest.raises(UsageError) as info:
        record_lesson_result(store, lesson_id="01-blink", mode="check", board="uno", sim=True, outcome="passed",
                             findings=[], script=None, kit="kit-09")
    assert "Nobody holds" in info.value.message("en")


def test_lesson_run_is_recorded_with_the_code_and_earns_no_credit(db_url, roster, cli):
    from makerkit.roster import import_roster
    with open_store(db_url) as s:
        import_roster(s, "7a", roster)
    out = cli.ok("lesson", "run", "01-blink", "--sim", "--solution", "--seconds", "0.5", "--db", db_url, "--student", A)
    assert f"for {A}" in out
    with open_store(db_url) as s:
        (run,) = s.lesson_runs(A)
        assert (run["mode"], run["outcome"], run["lesson_id"], run["code_name"]) == ("run", "stopped", "01-blink",
                                                                                     "solution.py")
        assert b"def main(kit)" in s.attachment(run["code_sha256"])[0]
        assert gather(s, A, with_files=False)["credits"] == {}


def test_a_chart_is_cut_where_readings_paused_and_stays_small():
    from makerkit.portfolio.svg import MAX_POINTS, line_chart
    lesson1 = [(i * 5.0, 20 + i % 9) for i in range(5000)]
    lesson2 = [(7 * 86400 + i * 5.0, 22 + i % 4) for i in range(5000)]
    svg = line_chart(lesson1 + lesson2, title="temperature", unit="°C")
    assert svg.count("<polyline") == 2 and MAX_POINTS - 10 <= svg.count(",") <= MAX_POINTS + 10
    first, second = (line.count(",") for line in svg.split("<polyline")[1:])
    assert first == second                                   # each lesson keeps its share of the points
    assert "temperature" in svg and "°C" in svg
