"""Fixtures for the telemetry tests: a real mosquitto per test, and each portfolio backend.

PostgreSQL runs at 127.0.0.1:5432 (trust auth, database ``test``); every test gets a fresh schema
that is dropped afterwards. Without a reachable server those cases are skipped with the reason.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest

from makerkit.store import open_store

from support.brokers import Mosquitto, retained_status  # noqa: F401 - retained_status re-exported
from support.waiting import wait_until  # noqa: F401 - re-exported for the telemetry, dashboard and portfolio tests

PG_BASE = os.environ.get("MAKERKIT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def _pg_reachable() -> str | None:
    try:
        import psycopg
        with psycopg.connect(PG_BASE, connect_timeout=3):
            return None
    except Exception as exc:  # any failure means: no server for these tests
        return f"no PostgreSQL server reachable at {PG_BASE}: {exc}"


@pytest.fixture
def broker(tmp_path):
    b = Mosquitto(tmp_path / "mosquitto").start()
    yield b
    b.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/portfolio.db"
        return
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    schema = f"mk_test_{uuid.uuid4().hex[:12]}"
    url = f"{PG_BASE}?schema={schema}"
    yield url
    store = open_store(url)
    store.drop_schema()
    store.close()


def seqs_of(store, kit: str, class_id: str | None = None) -> list[int]:
    """Every stored seq of a kit id (all its incarnations; one class when given), ascending."""
    sql, params = "SELECT seq FROM telemetry WHERE kit_id = ?", [kit]
    if class_id:
        sql += " AND class_id = ?"
        params.append(class_id)
    return [row[0] for row in store._execute(sql + " ORDER BY seq", params)]


class KitRunner:
    """Drive headless kits on a thread: record ``count`` readings each at ``rate`` per second and pump."""

    def __init__(self, kits, count: int, rate: float):
        self.kits = kits
        self.count = count
        self.rate = rate
        self.stop = threading.Event()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        start = time.monotonic()
        made = 0
        while not self.stop.is_set():
            due = min(self.count, int((time.monotonic() - start) * self.rate) + 1)
            while made < due:
                for i, kit in enumerate(self.kits):
                    kit.record({"temperature": 20 + made % 50 / 10, "humidity": 40.0 + i}, {"temperature": "°C"})
                made += 1
            for kit in self.kits:
                kit.pump()
            if made >= self.count and all(k.pending == 0 for k in self.kits):
                self.done.set()
                time.sleep(0.02)
            elif made >= self.count:
                time.sleep(0.005)

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stop.set()
        self.thread.join(10)
        for kit in self.kits:
            kit.close()
