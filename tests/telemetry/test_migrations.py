"""Store migrations: a portfolio made by makerkit 0.1.0 (store version 1) is upgraded in place, on
SQLite and on PostgreSQL, without moving any reading to another student.

``fixtures/portfolio-v1.db`` was written by the 0.1.0 code itself. It holds the v1 bugs the upgrade
must untangle: kit-07 of 7a and kit-07 of 7b shared one key, and kit-07 had two open assignments."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest

from makerkit.errors import StoreError
from makerkit.protocol.telemetry import KitKey
from makerkit.store import open_store
from makerkit.store.migrations import LATEST, POSTGRESQL, m001_initial

FIXTURE = Path(__file__).parent / "fixtures" / "portfolio-v1.db"
V1_TABLES = ("classes", "students", "kits", "assignments", "telemetry", "quarantine", "gaps", "meta")


def v1_rows() -> dict[str, tuple[list[str], list[tuple]]]:
    db = sqlite3.connect(FIXTURE)
    try:
        out = {}
        for table in V1_TABLES:
            cur = db.execute(f"SELECT * FROM {table}")
            out[table] = ([d[0] for d in cur.description], cur.fetchall())
        return out
    finally:
        db.close()


def make_v1(db_url: str, tmp_path) -> str:
    """A v1 portfolio at ``db_url``: the fixture file itself for SQLite; for PostgreSQL the v1 tables
    (step 1, frozen) filled with the fixture's rows."""
    if db_url.startswith("sqlite"):
        path = tmp_path / "old.db"
        shutil.copy(FIXTURE, path)
        return f"sqlite:///{path}"
    import psycopg
    from urllib.parse import urlsplit, urlunsplit
    parts = urlsplit(db_url)
    schema = dict(q.split("=") for q in parts.query.split("&"))["schema"]
    with psycopg.connect(urlunsplit(parts._replace(query="")), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'SET search_path TO "{schema}"')
        m001_initial.upgrade(lambda sql, params=(): conn.execute(sql.replace("?", "%s"), params), POSTGRESQL)
        for table, (columns, rows) in v1_rows().items():
            if rows:
                marks = ", ".join(["%s"] * len(columns))
                with conn.cursor() as cur:
                    cur.executemany(f"INSERT INTO {table} ({', '.join(columns)}) OVERRIDING SYSTEM VALUE "
                                    f"VALUES ({marks})" if table in ("students", "assignments", "quarantine") else
                                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)
    return db_url


def test_a_v1_portfolio_is_upgraded_in_place(db_url, tmp_path):
    url = make_v1(db_url, tmp_path)
    with open_store(url) as store:
        assert store.schema_version == LATEST
        # every reading is still there, under its class: kit-07 of 7a and of 7b are two kits now
        assert store.count() == 58
        assert store.seqs(KitKey("7a", "kit-07")) == list(range(1, 41))
        assert store.seqs(KitKey("7b", "kit-07")) == list(range(41, 46))
        # students got pseudonymous ids; names live apart and come back only when asked for
        students = store.students("7a", names=True)
        assert sorted(s["name"] for s in students) == ["李雷", "韩梅梅"]
        assert all(s["id"].startswith("s-") for s in students) and "name" not in store.students("7a")[0]
        ids = {s["name"]: s["id"] for s in students}
        # v1 exported every 7a kit-07 reading under the newest assignment (韩梅梅): the upgrade keeps that
        # (the moment of the hand-over was never recorded) and makes the holds stop overlapping
        holds = store.history("7a", "kit-07")
        assert [h.student for h in holds] == [ids["李雷"], ids["韩梅梅"]]
        assert holds[0].until == holds[1].since and holds[1].until is None
        who = {(r["class"], r["kit"], r["seq"]): r["student"] for r in store.export()}
        assert {who[("7a", "kit-07", s)] for s in range(1, 41)} == {ids["韩梅梅"]}
        # 7b's kit-07 was credited to a 7a student by v1; it belongs to nobody now (7b has no roster)
        assert {who[("7b", "kit-07", s)] for s in range(41, 46)} == {None}
        assert store.unassigned_kits() == {("7a", "kit-09"): 3, ("7b", "kit-07"): 5}
        # gaps keep their state; quarantine keeps 4 KiB of the 20 kB payload with its length and hash
        assert [(g.kit, g.state, g.inc) for g in store.gaps()] == [("kit-07", "open", ""), ("kit-08", "healed", "")]
        big = [q for q in store.quarantined() if q["reason"] == "too_large"][0]
        assert big["size"] == 20000 and len(big["payload"]) == 4096 and len(big["sha256"]) == 64
        # the upgraded store works like a new one
        new = store.add_student("7b", "Tom")
        store.assign("7b", "kit-07", student=new)
        assert store.assigned_kits() == {("7a", "kit-07"), ("7a", "kit-08"), ("7b", "kit-07")}
    with open_store(url) as store:                # opening again runs nothing more
        assert store.schema_version == LATEST and store.count() == 58


def test_a_new_portfolio_is_made_by_the_same_steps(db_url):
    with open_store(db_url) as store:
        assert store.schema_version == LATEST
        tables = {r[0] for r in store._execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'" if store.engine == "sqlite" else
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
        assert {"telemetry", "students", "student_names", "student_groups", "kits", "assignments", "logins",
                "quarantine", "quarantine_floods", "gaps"} <= tables
        assert not any(t.endswith("_v1") for t in tables)


def test_a_portfolio_from_a_newer_makerkit_is_refused(db_url):
    with open_store(db_url) as store:
        store._execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(LATEST + 1),))
    try:
        with pytest.raises(StoreError) as err:
            open_store(db_url)
        assert "newer makerkit" in err.value.message_en and "pip install -U makerkit" in err.value.hint_en
    finally:                                   # let the fixture's teardown open it again
        with _raw(db_url) as execute:
            execute("UPDATE meta SET value = ? WHERE key = 'schema'", (str(LATEST),))


class _raw:
    """Plain SQL on a portfolio without opening it as a store."""

    def __init__(self, db_url: str):
        self.url = db_url

    def __enter__(self):
        if self.url.startswith("sqlite"):
            self.conn = sqlite3.connect(self.url[len("sqlite:///"):], isolation_level=None)
            return lambda sql, params=(): self.conn.execute(sql, params)
        import psycopg
        from urllib.parse import urlsplit, urlunsplit
        parts = urlsplit(self.url)
        schema = dict(q.split("=") for q in parts.query.split("&"))["schema"]
        self.conn = psycopg.connect(urlunsplit(parts._replace(query="")), autocommit=True)
        self.conn.execute(f'SET search_path TO "{schema}"')
        return lambda sql, params=(): self.conn.execute(sql.replace("?", "%s"), params)

    def __exit__(self, *exc):
        self.conn.close()


def test_two_processes_opening_a_new_portfolio_at_once_both_succeed(db_url):
    errors, stores = [], []

    def opener():
        try:
            stores.append(open_store(db_url))
        except Exception as exc:     # the test reports it
            errors.append(exc)
    threads = [threading.Thread(target=opener) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert {s.schema_version for s in stores} == {LATEST}
    for s in stores:
        s.close()
