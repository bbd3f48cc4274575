"""``makerkit class show`` prints the class: students, groups, kits, who holds which kit since when,
last seen and firmware, as tables and as JSON (SQLite and PostgreSQL). What a kit says about itself
reaches the inventory the way the collector writes it (its online status: inc, hw, fw)."""

from __future__ import annotations

import json

from makerkit.protocol.telemetry import parse_telemetry
from makerkit.store import StoredRecord, open_store

from .test_classroom_cli import makerkit_cli

SEEN = "2026-12-01T09:00:00.000Z"


def test_class_show_tables_and_json(db_url):
    with open_store(db_url) as store:
        store.add_class("7a", "Class 7A")
        store.add_group("7a", "Red team", "red")
        store.add_student("7a", "李雷", student_id="s-li", group_id="red")
        store.add_student("7a", "韩梅梅", student_id="s-han", group_id="red")
        store.add_student("7a", "Tom", student_id="s-tom")
        store.register_kit("7a", "kit-07", board="esp32", label="7A-07")
        store.register_kit("7a", "kit-08", board="uno")
        store.register_kit("7a", "kit-09", board="esp32")                   # in the box
        store.assign("7a", "kit-07", student="s-li", since="2026-11-30T08:00:00.000Z")
        store.assign("7a", "kit-08", group="red", since="2026-11-30T08:05:00.000Z")
        rec = parse_telemetry("makerkit/v1/7a/kit-07/telemetry",
                              '{"v":1,"inc":"k3v9x2m7q1aa","seq":1,"boot":1,"uptime_ms":5,"readings":{"t":20}}')
        store.write_batch([StoredRecord(rec, SEEN, SEEN, "received")],
                          statuses=[("7a", "kit-07", "k3v9x2m7q1aa", "a4cf12ab34cd", "makerkit 1.0.0", SEEN)])
    out = makerkit_cli("class", "show", "--db", db_url, "--class", "7a")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for words in ("Students 7a (Class 7A)", "s-li", "s-han", "s-tom", "Groups", "Red team", "s-li, s-han",
                  "kit-07", "esp32", "2026-11-30T08:00:00.000Z", SEEN, "makerkit 1.0.0", "7A-07",
                  "red (group)", "2026-11-30T08:05:00.000Z", "never"):
        assert words in text, words
    assert "李雷" not in text and "…" not in text                         # pseudonymous; nothing cut short
    assert "李雷" in makerkit_cli("class", "show", "--db", db_url, "--class", "7a", "--names").stdout

    view = json.loads(makerkit_cli("class", "show", "--db", db_url, "--class", "7a", "--json").stdout)
    assert view["class"] == "7a" and view["name"] == "Class 7A"
    assert {s["id"]: (s["group"], s["kits"]) for s in view["students"]} == {
        "s-li": ("red", ["kit-07"]), "s-han": ("red", []), "s-tom": (None, [])}
    assert view["groups"] == [{"id": "red", "name": "Red team", "members": ["s-li", "s-han"], "kits": ["kit-08"]}]
    kits = {k["kit"]: k for k in view["kits"]}
    assert kits["kit-07"]["holder"] == {"kind": "student", "id": "s-li", "since": "2026-11-30T08:00:00.000Z"}
    assert (kits["kit-07"]["inc"], kits["kit-07"]["hw_id"], kits["kit-07"]["firmware"], kits["kit-07"]["last_seen"]) == (
        "k3v9x2m7q1aa", "a4cf12ab34cd", "makerkit 1.0.0", SEEN)
    assert kits["kit-08"]["holder"]["kind"] == "group" and kits["kit-08"]["last_seen"] is None
    assert kits["kit-09"]["holder"] is None and kits["kit-07"]["registered_at"]
