"""A term in miniature, end to end on SQLite and PostgreSQL: a class imported from a CSV file, kits
handed out, telemetry (and a lesson event) collected from kits through a real mosquitto by the real
collector, lessons checked on the virtual kit with --db, a group project through all four stages with
photos and files, evaluations from teacher, self and peers, and the exports: the HTML page opened in
real headless Chromium (screenshots kept under the test's tmp dir), the parents' copy, the class
showcase, the CSV and JSON record."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone

from makerkit.classroom.headless import HeadlessKit
from makerkit.collector import Collector
from makerkit.protocol.telemetry import iso_utc
from makerkit.store import open_store
from makerkit.portfolio import term_of

from .conftest import NAMES, png, wait_until

A, B, C = "s-wxm001", "s-lh0002", "s-zw0003"


def _iso(delta_hours: float) -> str:
    return iso_utc(datetime.now(timezone.utc) + timedelta(hours=delta_hours))


def _collect(broker, db_url):
    """kit-01 (A's) and kit-02 (the group's) publish 120 readings each and kit-01 a lesson event."""
    collector = Collector(broker.url, db_url, collector_id="c-term").start()
    kits = [HeadlessKit("7a", k, broker=broker.url, capacity=500, clock=True) for k in ("kit-01", "kit-02")]
    store = open_store(db_url)
    try:
        for i in range(120):
            kits[0].record({"temperature": 20 + (i % 30) / 3, "light": 300 + i}, {"temperature": "°C", "light": "lx"})
            kits[1].record({"distance": 10 + i % 17}, {"distance": "cm"})
        wait_until(lambda: [k.pump() for k in kits] and all(k.connected and k.pending == 0 for k in kits), 30,
                   what="kits delivered")
        assert kits[0].telemetry.event("checkpoint", {"step": 3, "label": "LED on"}, kits[0].hal.ticks_ms())
        wait_until(lambda: store.count() >= 240 and store._execute("SELECT COUNT(*) FROM kit_events")[0][0] == 1,
                   30, what="readings and the event stored")
    finally:
        for k in kits:
            k.close()
        collector.stop()
        store.close()


def _lessons(cli, db_url, tmp_path):
    out = cli.ok("lesson", "check", "01-blink", "--sim", "--solution", "--db", db_url, "--student", A)
    assert f"for {A}" in out
    mine = tmp_path / "my_blink.py"
    mine.write_text("# 王小明's first try\ndef main(kit):\n    kit.led('D13').on()\n    kit.sleep(1)\n", encoding="utf-8")
    code, out, _ = cli("lesson", "check", "01-blink", "--sim", "--script", mine, "--db", db_url, "--student", A)
    assert code == 20 and f"for {A}" in out                      # not yet passed, and recorded anyway
    # no --student: the kit's holder (kit-01 is A's)
    out = cli.ok("lesson", "check", "02-button-led", "--sim", "--solution", "--db", db_url, "--kit", "kit-01")
    assert f"for {A}" in out
    # a kit the group holds: the run counts for every member
    out = cli.ok("lesson", "check", "01-blink", "--sim", "--solution", "--db", db_url, "--kit", "kit-02")
    assert "for g-robots" in out


def _project(cli, db_url, tmp_path) -> str:
    pid = cli.ok("project", "create", "--db", db_url, "--group", "g-robots", "--class", "7a", "--title",
                 "自动浇花机器人", "--topic", "植物与水", "--credits", "2").strip()
    photo = tmp_path / "build.png"
    photo.write_bytes(png())
    notes = tmp_path / "survey.txt"
    notes.write_text("土壤湿度低于 30% 时需要浇水。", encoding="utf-8")
    code = tmp_path / "water.py"
    code.write_text("def main(kit):\n    kit.sleep(1)\n", encoding="utf-8")
    stages = [("research", A, "调查了三种植物需要的水量。", [notes]), ("plan", B, "用土壤湿度传感器和水泵。", []),
              ("make", A, "搭好了水泵，写了控制程序。", [photo, code]), ("reflect", B, "水泵太吵，下次换小一点的。", [])]
    for hours, (stage, author, text, files) in zip((-5, -4, -3, -2), stages):
        attach = [x for f in files for x in ("--attach", f)]
        cli.ok("project", "entry", "--db", db_url, "--project", pid, "--stage", stage, "--text", text, "--by", author,
               "--at", _iso(hours), *attach)
    cli.ok("project", "link", "--db", db_url, "--project", pid, "--kit", "kit-02", "--from", _iso(-30), "--to",
           _iso(1), "--note", "distance while testing")
    cli.ok("project", "link", "--db", db_url, "--project", pid, "--lesson-run", "4")
    cli.ok("project", "showcase", "--db", db_url, "--project", pid)
    return pid


def _evaluate(cli, db_url, pid):
    for dim, level in (("individual", 3), ("group", 4), ("maker", 4)):
        cli.ok("portfolio", "evaluate", "--db", db_url, "--student", A, "--dimension", dim, "--by", "teacher",
               "--level", level, "--comment", f"teacher on {dim}", "--project", pid)
        cli.ok("portfolio", "evaluate", "--db", db_url, "--student", A, "--dimension", dim, "--by", "self",
               "--level", level - 1)
        cli.ok("portfolio", "evaluate", "--db", db_url, "--student", A, "--dimension", dim, "--by", f"peer:{B}",
               "--level", 3, "--comment", "helped me wire the pump")
    code, _, err = cli("portfolio", "evaluate", "--db", db_url, "--student", A, "--dimension", "maker",
                       "--by", "peer:s-other7b", "--level", 2)
    assert code != 0 and "s-other7b" in err                      # peers only within the class
    code, _, err = cli("portfolio", "evaluate", "--db", db_url, "--student", A, "--dimension", "maker",
                       "--by", "teacher", "--level", 9)
    assert code != 0 and "1" in err and "4" in err               # the rubric's levels


def _check_page(chromium, path, tmp_path, lang):
    page = chromium.new_page(viewport={"width": 1000, "height": 1200})
    try:
        page.goto(path.as_uri())
        assert page.locator("#charts svg.chart polyline").count() == 3      # temperature, light, distance
        labels = page.locator("#charts svg.chart").evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
        assert any("temperature kit-01 120" in x for x in labels) and any("distance kit-02 120" in x for x in labels)
        assert page.locator("#lessons tr.lesson-run").count() == 4
        assert page.locator("#lessons td.passed").count() == 3 and page.locator("#lessons td.failed").count() == 1
        stages = page.locator("#projects .stage:not(.missing)").evaluate_all("els => els.map(e => e.dataset.stage)")
        assert stages == ["research", "plan", "make", "reflect"]
        img = page.locator("#projects .photos img").first
        assert img.evaluate("i => i.complete && i.naturalWidth") == 48      # the photo decoded from its data URI
        assert page.locator("#evaluation-summary tr[data-dimension]").count() == 3
        assert page.locator("#evaluation-summary svg.bars").count() == 3
        text = page.locator("body").inner_text()
        assert ("创客成果" in text and "调研分析" in text) if lang == "zh" else ("Maker results" in text and "Research" in text)
        assert "checkpoint" in text                                         # the kit's lesson event
        shot = tmp_path / f"portfolio-{lang}.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        return text
    finally:
        page.close()


def test_a_term_in_miniature(db_url, broker, cli, roster, tmp_path, chromium):
    cli.ok("class", "import", "--db", db_url, "--class", "7a", roster)
    with open_store(db_url) as store:
        assert store.student(A)["group"] == store.student(B)["group"] != store.student(C)["group"]
        store.add_class("7b")
        store.add_student("7b", "别班同学", student_id="s-other7b")
        # the roster's group got a generated id: give the team a readable one for the commands below
        store.add_group("7a", "机器人队", group_id="g-robots")
        for sid in (A, B):
            store.add_student("7a", student_id=sid, group_id="g-robots")
    cli.ok("kit", "assign", "--db", db_url, "--kit", "kit-01", "--student", A, "--since", _iso(-48))
    cli.ok("kit", "assign", "--db", db_url, "--kit", "kit-02", "--group", "g-robots", "--since", _iso(-48))
    cli.ok("kit", "assign", "--db", db_url, "--kit", "kit-03", "--student", C, "--since", _iso(-48))
    _collect(broker, db_url)
    _lessons(cli, db_url, tmp_path)
    pid = _project(cli, db_url, tmp_path)
    _evaluate(cli, db_url, pid)

    page_zh, page_en, page_parent = tmp_path / "a-zh.html", tmp_path / "a-en.html", tmp_path / "a-parent.html"
    cli.ok("portfolio", "export", "--db", db_url, "--student", A, "--format", "html", "--out", page_zh)
    cli.ok("portfolio", "export", "--db", db_url, "--student", A, "--format", "html", "--out", page_en, "--lang", "en")
    cli.ok("portfolio", "export", "--db", db_url, "--student", A, "--format", "html", "--out", page_parent,
           "--parent", "--names")
    text_zh = _check_page(chromium, page_zh, tmp_path, "zh")
    _check_page(chromium, page_en, tmp_path, "en")
    assert NAMES[A] not in text_zh and A in text_zh                          # pseudonymous by default
    parent = page_parent.read_text(encoding="utf-8")
    assert 'id="parent-copy"' in parent and NAMES[A] in parent and B not in parent   # no teammate's id
    assert "<script" not in parent and "http://" not in parent.replace("http://www.w3.org/2000/svg", "")

    summary = json.loads(cli.ok("portfolio", "summary", "--db", db_url, "--student", A))
    maker = summary["summary"]["maker"]
    assert maker["teacher"] == {"mean": 4.0, "n": 1} and maker["self"] == {"mean": 3.0, "n": 1}
    assert maker["peer"] == {"mean": 3.0, "n": 1} and abs(maker["combined"] - 3.5) < 1e-9  # 0.5*4 + 0.2*3 + 0.3*3
    term = term_of(_iso(0))
    # lessons 01 (0.5) and 02 (0.5) once each, the completed group project (2)
    assert summary["credits"][term] == {"lessons": 1.0, "projects": 2.0, "total": 3.0}
    b_summary = json.loads(cli.ok("portfolio", "summary", "--db", db_url, "--student", B))
    assert b_summary["credits"][term] == {"lessons": 0.5, "projects": 2.0, "total": 2.5}   # the group kit's check

    record = tmp_path / "7a.csv"
    cli.ok("portfolio", "export", "--db", db_url, "--class", "7a", "--format", "csv", "--out", record)
    raw = record.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    by_id = {r["student"]: r for r in rows}
    assert set(by_id) == {A, B, C} and "name" not in rows[0]
    assert by_id[A]["credits_total"] == "3.0" and by_id[A]["lessons_passed"] == "2" and by_id[A]["readings"] == "240"
    assert by_id[A]["maker_combined"] == "3.5" and by_id[C]["readings"] == "0"
    record_json = tmp_path / "a.json"
    cli.ok("portfolio", "export", "--db", db_url, "--student", A, "--format", "json", "--out", record_json)
    doc = json.loads(record_json.read_text(encoding="utf-8"))
    assert doc["schema"] == "makerkit-quality-record/1" and doc["students"][0]["record"]["student"] == A
    assert doc["students"][0]["projects"][0]["stages"] == {"research": 1, "plan": 1, "make": 1, "reflect": 1}
    assert all(set(e) >= {"dimension", "by_kind", "level"} and "by_id" not in e for e in doc["students"][0]["evaluations"])

    show = tmp_path / "showcase.html"
    assert "(1 " in cli.ok("portfolio", "showcase", "--db", db_url, "--class", "7a", "--out", show, "--lang", "en")
    page = chromium.new_page()
    try:
        page.goto(show.as_uri())
        assert page.locator(".project h2").inner_text() == "自动浇花机器人"
        assert page.locator(".photos img").evaluate("i => i.naturalWidth") == 48
        page.screenshot(path=str(tmp_path / "showcase.png"), full_page=True)
    finally:
        page.close()

    with open_store(db_url) as store:
        runs = store.lesson_runs(A)
        snapshot = store.attachment(runs[1]["code_sha256"])
        assert snapshot[0].decode("utf-8").startswith("# 王小明's first try")   # the code as it was checked
        actions = [r["action"] for r in store.audit_log()]
        assert actions.count("evaluate") == 9 and "project_entry" in actions and "export_html_parent" in actions
