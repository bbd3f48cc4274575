"""The Grafana dashboard in docs/dashboards/ over the real PostgreSQL store: every panel's and every
variable's SQL runs against the schema makerkit's migrations make, filled by the real collector, once
Grafana's macros and variables are expanded the way Grafana expands them, and returns what a teacher
expects to see. Skipped with the reason when no PostgreSQL server is reachable."""

from __future__ import annotations

import json
import os
import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from makerkit.collector import Collector
from makerkit.store import Gap, open_store
from telemetry.conftest import PG_BASE, _pg_reachable

from .conftest import wait_until

pytestmark = pytest.mark.postgres
DASHBOARD = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "dashboards", "grafana-class-dashboard.json")


@pytest.fixture
def pg_url():
    reason = _pg_reachable()
    if reason:
        pytest.skip(reason)
    schema = f"mk_test_{uuid.uuid4().hex[:12]}"
    url = f"{PG_BASE}?schema={schema}"
    yield url, schema
    store = open_store(url)
    store.drop_schema()
    store.close()


def expand(sql: str, variables: dict, start: datetime, end: datetime) -> str:
    """What Grafana sends PostgreSQL: ``$__timeFilter(x)`` becomes ``x BETWEEN '...' AND '...'`` (UTC,
    RFC 3339), ``${name:sqlstring}`` a list of quoted values, ``${name}`` the value."""
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    sql = re.sub(r"\$__timeFilter\(([^()]*(?:\([^()]*\))?[^()]*)\)",
                 lambda m: f"{m.group(1)} BETWEEN '{start.strftime(fmt)}' AND '{end.strftime(fmt)}'", sql)

    def value(m):
        name, form = m.group(1), m.group(2)
        v = variables[name]
        if form == "sqlstring":
            return ",".join("'" + x.replace("'", "''") + "'" for x in (v if isinstance(v, list) else [v]))
        return v if isinstance(v, str) else ",".join(v)
    sql = re.sub(r"\$\{(\w+)(?::(\w+))?\}", value, sql)
    assert "$" not in sql.replace("$__", "") and "$__" not in sql, sql
    return sql


def _fill(url, broker, publisher):
    with open_store(url) as store:
        store.add_class("7a")
        store.add_student("7a", "王小明", student_id="s-wxm001")
        store.assign("7a", "kit-01", student="s-wxm001")
        store.register_kit("7a", "kit-02", board="esp32")
    collector = Collector(broker.url, url, collector_id="grafana").start()
    try:
        for i in range(10):
            publisher.reading("kit-01", {"temperature": 20 + i, "humidity": 40.0}, {"temperature": "°C"})
            publisher.reading("kit-02", {"temperature": 30 + i})
        publisher.client.publish("makerkit/v1/7a/kit-02/telemetry", b"{broken", qos=1).wait_for_publish(5)
        with open_store(url) as store:
            wait_until(lambda: store.count_readings_in("7a", "kit-02", "2000-01-01T00:00:00.000Z", None) == 10
                       and store.count_readings_in("7a", "kit-01", "2000-01-01T00:00:00.000Z", None) == 10
                       and store.quarantine_count() == 1, 20, what="readings and the quarantine stored")
    finally:
        collector.stop()
    with open_store(url) as store:
        store.add_gaps([Gap("7a", "kit-02", 40, 45, "open", "2026-12-01T08:00:00.000Z", 2, "")])
        store.add_lesson_run(class_id="7a", student="s-wxm001", group=None, kit="kit-01", lesson_id="03-thermometer",
                             mode="check", board="esp32", sim=True, outcome="pass", findings=[], code=None,
                             code_name=None, credits=1, actor="test")


def test_every_query_runs_on_the_real_store(pg_url, broker, publisher):
    import psycopg
    url, schema = pg_url
    _fill(url, broker, publisher)
    dash = json.load(open(DASHBOARD, encoding="utf-8"))
    assert "student_names" not in json.dumps(dash)                   # pseudonymous: names are never queried
    now = datetime.now(timezone.utc)
    start, end = now - timedelta(hours=1), now + timedelta(minutes=1)
    variables = {"class": "7a", "kit": ["kit-01", "kit-02"], "reading": "temperature"}
    with psycopg.connect(PG_BASE) as conn:
        conn.execute(f"SET search_path TO {schema}")

        def run(sql):
            return conn.execute(expand(sql, variables, start, end)).fetchall()
        found = {v["name"]: [r[0] for r in run(v["query"])] for v in dash["templating"]["list"]}
        assert found == {"class": ["7a"], "kit": ["kit-01", "kit-02"], "reading": ["humidity", "temperature"]}
        panels = {p["id"]: [run(t["rawSql"]) for t in p["targets"]][0] for p in dash["panels"]}
    series = panels[1]
    assert len(series) == 20 and {r[1] for r in series} == {"kit-01", "kit-02"}
    assert sorted(r[2] for r in series if r[1] == "kit-01") == [float(20 + i) for i in range(10)]
    assert all(isinstance(r[0], datetime) for r in series)
    assert {r[0]: r[1] for r in panels[2]} == {"kit-01": 10, "kit-02": 10}
    assert {r[0]: r[4] for r in panels[3]} == {"kit-01": "s-wxm001", "kit-02": ""}
    assert [(r[1], r[2], r[4]) for r in panels[4]] == [("kit-01", "03-thermometer", "pass")]
    assert [(r[0], r[1], r[2]) for r in panels[5]] == [("kit-02", 40, 45)]
    assert [(r[1], r[2]) for r in panels[6]] == [("makerkit/v1/7a/kit-02/telemetry", "bad_json")]
    for p in dash["panels"]:                       # each panel reads the dashboard's one data source input
        assert p["datasource"]["uid"] == "${DS_MAKERKIT}" and p["targets"][0]["rawQuery"]
