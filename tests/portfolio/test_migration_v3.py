"""Store step 3 on a portfolio made by the release before it: a version-2 store written by the current
code (roster import, kit holds, the collector's writer), upgraded in place on SQLite and PostgreSQL;
nothing moves, and the portfolio's new tables work on it."""

from __future__ import annotations

import json
import time

from makerkit.collector.writer import BatchWriter
from makerkit.portfolio import create_project, evaluate, gather
from makerkit.protocol.telemetry import iso_utc
from makerkit.store import base, migrations, open_store


def _make_v2(db_url: str, roster, monkeypatch) -> dict:
    with monkeypatch.context() as m:                 # this makerkit, stopped at step 2
        m.setattr(migrations, "STEPS", {v: f for v, f in migrations.STEPS.items() if v <= 2})
        m.setattr(migrations, "LATEST", 2)
        m.setattr(base, "SCHEMA_VERSION", 2)
        with open_store(db_url) as store:
            assert store.schema_version == 2
            assert not store._execute("SELECT 1 FROM meta WHERE key = 'schema' AND value = '3'")
            # the students as that release wrote them (today's add_student also writes step 4's position)
            store.add_class("7a")
            for n, line in enumerate(roster.read_text(encoding="utf-8-sig").splitlines()[1:]):
                name, sid, _group = line.split(",")
                store._execute("INSERT INTO students (id, class_id, created_at) VALUES (?, '7a', ?)",
                               (sid, f"2026-09-01T08:00:0{n}.000Z"))
                store._execute("INSERT INTO student_names (student_id, name) VALUES (?, ?)", (sid, name))
            sid = "s-wxm001"
            store.assign("7a", "kit-01", student=sid, since=iso_utc(time.time() - 600))
            items = [("makerkit/v1/7a/kit-01/telemetry", json.dumps(
                {"v": 1, "seq": i, "boot": 1, "uptime_ms": i * 1000, "time": iso_utc(time.time() - 300 + i),
                 "readings": {"light": 100 + i}}).encode()) for i in range(1, 31)]
            BatchWriter(store).write(items, time.time())
            return {"student": sid, "export": list(store.export(class_id="7a")),
                    "names": store.display_names("7a"), "holds": store.history("7a")}


def test_a_version_2_portfolio_is_upgraded_in_place(db_url, roster, monkeypatch):
    old = _make_v2(db_url, roster, monkeypatch)
    with open_store(db_url) as store:
        assert store.schema_version == migrations.LATEST
        assert list(store.export(class_id="7a")) == old["export"]          # every reading, same student
        assert store.display_names("7a") == old["names"] and store.history("7a") == old["holds"]
        sid = old["student"]
        pid = create_project(store, student=sid, title="light meter")
        evaluate(store, student=sid, dimension="maker", by="teacher", level=3, project=pid)
        data = gather(store, sid)
        assert data["readings"] == 30 and data["charts"][0]["count"] == 30
        assert data["summary"]["maker"]["teacher"] == {"mean": 3.0, "n": 1}
    with open_store(db_url) as store:                                    # opening again changes nothing
        assert store.schema_version == migrations.LATEST and len(store.projects(student=old["student"])) == 1
