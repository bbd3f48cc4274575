"""Exports are safe to open: CSV is UTF-8 with a BOM and escapes cells a spreadsheet would run as a
formula; JSON is valid UTF-8; the HTML page escapes what students typed and loads nothing from outside;
display names appear only when asked for; the per-student export holds everything, files included."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

from makerkit.portfolio import add_stage_entry, create_project, evaluate, export_everything, export_portfolio
from makerkit.store import open_store

from .conftest import NAMES, png

A, B = "s-wxm001", "s-lh0002"
EVIL = "=HYPERLINK(\"http://x.invalid\",\"click\")"


def _store(db_url, roster, tmp_path):
    from makerkit.roster import import_roster
    store = open_store(db_url)
    import_roster(store, "7a", roster)
    photo = tmp_path / "p.png"
    photo.write_bytes(png())
    pid = create_project(store, student=A, title=EVIL, topic="<script>alert(1)</script>", credits=1)
    add_stage_entry(store, project=pid, stage="make", text="@SUM(1+1) <img src=x onerror=alert(1)>", author=A,
                    attach=[photo])
    evaluate(store, student=A, dimension="maker", by="teacher", level=3, comment="+cmd|' /C calc'!A0")
    store.add_group("7a", "-2+3", group_id="g-evil")
    store.add_student("7a", student_id=B, group_id="g-evil")
    store.add_student("7a", "=1+2", student_id="s-evil03")           # a name typed into a spreadsheet
    return store


def test_csv_record_has_a_bom_and_escapes_formulas(db_url, roster, tmp_path):
    with _store(db_url, roster, tmp_path) as store:
        out = tmp_path / "r.csv"
        assert export_portfolio(store, out=out, fmt="csv", class_id="7a", names=True) == 4
        raw = out.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1
        text = raw.decode("utf-8-sig")                               # valid UTF-8
        rows = list(csv.reader(io.StringIO(text)))
        header = rows[0]
        assert header[:4] == ["class", "student", "name", "group"]
        names = {r[1]: r[2] for r in rows[1:]}
        assert names == NAMES | {"s-evil03": "'=1+2"}
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), cell
        out2 = tmp_path / "r2.csv"
        export_portfolio(store, out=out2, fmt="csv", class_id="7a")
        plain = out2.read_text(encoding="utf-8-sig")
        assert "name" not in plain.splitlines()[0].split(",") and not any(n in plain for n in NAMES.values())


def test_json_record_is_valid_utf8_and_carries_no_display_name(db_url, roster, tmp_path):
    with _store(db_url, roster, tmp_path) as store:
        out = tmp_path / "r.json"
        export_portfolio(store, out=out, fmt="json", student=A)
        raw = out.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf")
        doc = json.loads(raw.decode("utf-8"))
        assert doc["students"][0]["projects"][0]["title"] == EVIL      # JSON keeps the text as typed
        assert NAMES[A] not in raw.decode("utf-8")


def test_html_page_escapes_student_text_and_is_self_contained(db_url, roster, tmp_path):
    with _store(db_url, roster, tmp_path) as store:
        out = tmp_path / "a.html"
        export_portfolio(store, out=out, fmt="html", student=A, lang="en")
        html = out.read_text(encoding="utf-8")
        assert "<script" not in html and "<img src=x" not in html and "&lt;script&gt;" in html
        assert re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
        assert base64.b64decode(re.findall(r'data:image/png;base64,([A-Za-z0-9+/=]+)', html)[0]) == png()
        assert not re.search(r'(src|href)="(https?:)?//', html)         # nothing loaded from outside
        assert "@media print" in html and NAMES[A] not in html
        named = tmp_path / "named.html"
        export_portfolio(store, out=named, fmt="html", student=A, names=True)
        assert NAMES[A] in named.read_text(encoding="utf-8")


def test_everything_held_export_has_every_kind_of_row_and_the_files(db_url, roster, tmp_path):
    with _store(db_url, roster, tmp_path) as store:
        out = tmp_path / "all.json"
        counts = export_everything(store, student=A, out=out, actor="ms-chen")
        doc = json.loads(out.read_text(encoding="utf-8"))
        assert doc["student_names"] == [{"name": NAMES[A]}] and counts["projects"] == 1
        assert doc["evaluations"][0]["comment"] == "+cmd|' /C calc'!A0"
        assert base64.b64decode(doc["attachments"][0]["data"]["base64"]) == png()
        assert store.audit_log()[-1]["action"] == "export_everything"
