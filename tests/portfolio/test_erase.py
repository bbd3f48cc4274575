"""Erase leaves nothing: after ``portfolio erase`` neither the student's name nor their id is in the
database files (SQLite: the .db, -wal and -shm bytes after checkpoint and vacuum; PostgreSQL: any row
of any table, attachments' bytes included), nor in the attachments; other students' data is untouched
and the audit log says an erase happened without naming whom."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from makerkit.collector.writer import BatchWriter
from makerkit.portfolio import add_stage_entry, create_project, erase_student, evaluate, record_lesson_result
from makerkit.protocol.telemetry import iso_utc
from makerkit.store import open_store

from .conftest import png

A, B = "s-erase1", "s-keep02"
NAME_A, NAME_B = "欧阳明月", "司马光"


def _publish(store, kit: str, first_seq: int, start: float, n: int) -> None:
    items = [(f"makerkit/v1/7a/{kit}/telemetry", json.dumps(
        {"v": 1, "seq": first_seq + i, "boot": 1, "uptime_ms": 1000 * i, "time": iso_utc(start + i),
         "readings": {"temperature": 20 + i / 10}, "units": {"temperature": "°C"}}).encode()) for i in range(n)]
    items.append((f"makerkit/v1/7a/{kit}/event", json.dumps(
        {"v": 1, "event": "checkpoint", "boot": 1, "uptime_ms": 777, "time": iso_utc(start + 1),
         "data": {"by": kit}}).encode()))
    BatchWriter(store).write(items, time.time())


def _portfolio(store, tmp_path: Path) -> str:
    store.add_class("7a")
    g = store.add_group("7a", "team", group_id="g-team")
    store.add_student("7a", NAME_A, student_id=A, group_id=g)
    store.add_student("7a", NAME_B, student_id=B, group_id=g)
    start = time.time() - 3600
    store.assign("7a", "kit-a", student=A, since=iso_utc(start - 60))
    store.assign("7a", "kit-b", student=B, since=iso_utc(start - 60))
    _publish(store, "kit-a", 1, start, 50)
    _publish(store, "kit-b", 1, start, 50)
    own = tmp_path / "a_blink.py"
    own.write_text(f"# {NAME_A} {A}\ndef main(kit):\n    pass\n", encoding="utf-8")
    shared = tmp_path / "starter.py"
    shared.write_text("def main(kit):\n    kit.sleep(1)\n", encoding="utf-8")
    for sid, script in ((A, own), (A, shared), (B, shared)):
        record_lesson_result(store, lesson_id="01-blink", mode="check", board="uno", sim=True, outcome="passed",
                             findings=[], script=script, credits=0.5, student=sid)
    photo = tmp_path / "a_photo.png"
    photo.write_bytes(png() + A.encode())           # a photo whose bytes carry the id (as EXIF might)
    mine = create_project(store, student=A, title=f"{NAME_A}的灯", credits=1)
    add_stage_entry(store, project=mine, stage="make", text="做好了", author=A, attach=[photo])
    team = create_project(store, group=g, class_id="7a", title="气象站")
    add_stage_entry(store, project=team, stage="research", text=f"{NAME_A} 查了资料", author=A)
    add_stage_entry(store, project=team, stage="plan", text=f"和{NAME_A}一起画了电路图", author=B, attach=[shared])
    evaluate(store, student=A, dimension="group", by=f"peer:{B}", level=3, actor=B)
    evaluate(store, student=B, dimension="group", by=f"peer:{A}", level=4, comment="good teammate", actor=A)
    evaluate(store, student=B, dimension="maker", by="teacher", level=3, comment=f"和{NAME_A}合作得好")
    evaluate(store, student=A, dimension="maker", by="self", level=2, project=mine, actor=A)
    return team


def _b_view(store) -> dict:
    rows = store.held_rows(B)
    return {k: v for k, v in rows.items() if k not in ("audit_log", "exported_at", "evaluations")} | {
        "evaluation_levels": [(e["dimension"], e["by_kind"], e["level"]) for e in rows["evaluations"]]}


def _sqlite_files(db_url: str) -> list[Path]:
    path = Path(db_url[len("sqlite:///"):])
    return [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]


def _pg_hits(store, needle: str) -> list[str]:
    hits = []
    tables = [t for (t,) in store._execute("SELECT table_name FROM information_schema.tables WHERE table_schema = "
                                           "current_schema() AND table_type = 'BASE TABLE'")]
    for table in tables:
        if store._execute(f'SELECT COUNT(*) FROM "{table}" x WHERE x::text LIKE ?', (f"%{needle}%",))[0][0]:
            hits.append(table)
    for table, column in (("attachments", "data"), ("quarantine", "payload")):
        if store._execute(f"SELECT COUNT(*) FROM {table} WHERE position(convert_to(?, 'UTF8') in {column}) > 0",
                          (needle,))[0][0]:
            hits.append(f"{table}.{column}")
    return hits


def test_erase_leaves_nothing_and_touches_no_one_else(db_url, tmp_path, cli):
    with open_store(db_url) as store:
        team = _portfolio(store, tmp_path)
        before = _b_view(store)
        assert store.count() == 100
    code, _, err = cli("portfolio", "erase", "--db", db_url, "--student", A)
    assert code != 0 and "--yes" in err                                   # nothing happens without --yes
    with open_store(db_url) as store:
        assert store.student(A) is not None
        counts = erase_student(store, student=A, confirm=True, actor="ms-chen")
        assert counts["telemetry"] == 50 and counts["kit_events"] == 1 and counts["lesson_runs"] == 2
        assert counts["projects"] == 1 and counts["student_names"] == 1 and counts["attachments"] == 2
        if db_url.startswith("sqlite"):
            files = _sqlite_files(db_url)                                 # read while the store is still open
            assert any(p.name.endswith("-wal") for p in files)
            for p in files:
                data = p.read_bytes()
                for needle in (A, NAME_A):
                    assert needle.encode("utf-8") not in data, f"{needle} still in {p.name}"
        else:
            assert _pg_hits(store, A) == [] and _pg_hits(store, NAME_A) == []
        after = _b_view(store)
        assert after["telemetry"] == before["telemetry"] and after["kit_events"] == before["kit_events"]
        assert after["lesson_runs"] == before["lesson_runs"] and after["evaluation_levels"] == before["evaluation_levels"]
        assert [e["body"] for e in store.entries(team)] == ["和***一起画了电路图"]   # B's entry kept, A's name gone
        assert store.attachment(store.lesson_runs(B)[0]["code_sha256"]) is not None     # the shared file stays
        assert store.count() == 50
        log = store.audit_log()
        erased = [r for r in log if r["action"] == "erase_student"]
        assert len(erased) == 1 and erased[0]["actor"] == "ms-chen" and erased[0]["subject"] == store.subject_digest(A)
        assert not any(A in json.dumps(r, ensure_ascii=False) for r in log)
    if db_url.startswith("sqlite"):
        for p in _sqlite_files(db_url):                                  # and after the last connection closed
            assert A.encode() not in p.read_bytes() and NAME_A.encode() not in p.read_bytes()
    code, _, err = cli("portfolio", "erase", "--db", db_url, "--student", A, "--yes")
    assert code != 0 and A in err                                         # gone: a second erase finds nobody


def test_erase_refused_while_another_program_reads_the_sqlite_file(tmp_path):
    import sqlite3
    url = f"sqlite:///{tmp_path}/p.db"
    with open_store(url) as store:
        _portfolio(store, tmp_path)
        reader = sqlite3.connect(f"{tmp_path}/p.db")
        try:
            reader.execute("BEGIN")
            reader.execute("SELECT COUNT(*) FROM telemetry").fetchall()      # holds a read snapshot
            from makerkit.errors import StoreBusyError
            with pytest.raises(StoreBusyError) as info:
                erase_student(store, student=A, confirm=True)
            assert "collector" in info.value.hint("en")
        finally:
            reader.close()
        store.compact()                                                      # the reader is gone: now it clears
        assert A.encode() not in Path(f"{tmp_path}/p.db").read_bytes()
