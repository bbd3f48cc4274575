"""The one-laptop classroom and the telemetry CLI, run as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys

import pytest

from makerkit.broker import EmbeddedBroker, mosquitto_path
from makerkit.classroom.headless import HeadlessKit
from makerkit.collector import Collector
from makerkit.errors import BrokerError
from makerkit.store import open_store

from support.brokers import free_port
from .conftest import retained_status, wait_until

ENV = {**os.environ, "MAKERKIT_LANG": "en"}


def makerkit_cli(*args, timeout=60, env=None, **kw):
    return subprocess.run([sys.executable, "-m", "makerkit", *args], capture_output=True, text=True,
                          timeout=timeout, env=env or ENV, **kw)


@pytest.mark.slow
def test_classroom_up_lands_readings_in_the_portfolio_and_stops_by_itself(tmp_path):
    db = tmp_path / "room.db"
    result = makerkit_cli("classroom", "up", "--duration", "4", "--kits", "2", "--db", str(db),
                          "--port", str(free_port()), "--interval", "0.5", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "demo/kit-01" in result.stdout and "demo/kit-02" in result.stdout
    assert f"sqlite:///{db}" in result.stdout and "telemetry export" in result.stdout
    store = open_store(f"sqlite:///{db}")
    try:
        assert store.count("kit-01") >= 3 and store.count("kit-02") >= 3
        rows = list(store.export(kit="kit-01"))
        assert {r["name"] for r in rows} == {"temperature", "humidity", "light"}
        assert all(r["time"].endswith("Z") for r in rows)
    finally:
        store.close()
    export = makerkit_cli("telemetry", "export", "--db", f"sqlite:///{db}", "--kit", "kit-02")
    assert export.returncode == 0
    table = list(csv.reader(io.StringIO(export.stdout)))
    assert table[0][:7] == ["class", "kit", "seq", "time", "name", "value", "unit"]   # the v1 columns keep their place
    assert table[0][7:] == ["student", "group"]
    assert {row[1] for row in table[1:]} == {"kit-02"} and len(table) > 3


@pytest.mark.parametrize("engine", ["amqtt", pytest.param("mosquitto", marks=pytest.mark.skipif(
    mosquitto_path() is None, reason="mosquitto is not installed"))])
def test_embedded_broker_carries_the_contract(engine, tmp_path):
    broker = EmbeddedBroker(engine=engine, port=free_port()).start()
    try:
        col = Collector(broker.url, f"sqlite:///{tmp_path}/p.db", collector_id="e", protocol=broker.protocol).start()
        kit = HeadlessKit("7a", "kit-e", broker=broker.url)
        try:
            for i in range(100):
                kit.record({"t": float(i)})
            while kit.pending:
                kit.pump()
            wait_until(lambda: col.store.count("kit-e") == 100, 15, what="rows through the embedded broker")
        finally:
            kit.close()
            col.stop()
        with pytest.raises(BrokerError):
            EmbeddedBroker(engine=engine, port=broker.port).start()     # the port is taken: said clearly
    finally:
        broker.stop()


def test_collect_cli_runs_until_sigterm_then_exits_0(broker, tmp_path):
    db = f"sqlite:///{tmp_path}/c.db"
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "collect", "--broker", broker.url, "--db", db,
                             "--id", "cli"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        wait_until(lambda: "online" in retained_status(broker.url), 15, what="collector online")
        kit = HeadlessKit("7a", "kit-c", broker=broker.url)
        for i in range(30):
            kit.record({"t": float(i)})
        while kit.pending:
            kit.pump()
        kit.close()
        store = open_store(db)
        wait_until(lambda: store.count("kit-c") == 30, 15, what="rows via the CLI collector")
        store.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Stopped" in err


def test_collect_cli_reports_an_unreachable_broker_with_a_hint(tmp_path):
    result = makerkit_cli("collect", "--broker", f"mqtt://127.0.0.1:{free_port()}", "--db", f"sqlite:///{tmp_path}/x.db")
    assert result.returncode == 9
    assert "Error:" in result.stderr and "Hint:" in result.stderr


def test_quarantine_cli_lists_reasons(tmp_path):
    from makerkit.store import Quarantined, now_iso
    db = f"sqlite:///{tmp_path}/q.db"
    store = open_store(db)
    store.write_batch([], [Quarantined(now_iso(), "makerkit/v1/a/b/telemetry", b"\xff", "bad_utf8", "not UTF-8"),
                           Quarantined(now_iso(), "makerkit/v1/a/b/telemetry", b"{", "bad_json", "Expecting")])
    store.close()
    result = makerkit_cli("telemetry", "quarantine", "--db", db, "--format", "json")
    assert result.returncode == 0
    items = json.loads(result.stdout)
    assert [i["reason"] for i in items] == ["bad_utf8", "bad_json"]
    assert items[0]["payload_base64"] == "/w==" and items[1]["payload"] == "{"


def test_classroom_reads_the_aht20_through_the_adafruit_driver():
    import makerkit
    from makerkit.classroom.room import _Aht20
    with makerkit.connect("sim://esp32", clock="real") as kit:
        kit.sim.world.set_temperature(31.5)
        kit.sim.world.set_humidity(62.0)
        temperature, humidity = _Aht20(kit.i2c()).read()
    assert abs(temperature - 31.5) < 0.1 and abs(humidity - 62.0) < 0.1


def test_assign_cli_registers_a_class_set_and_attributes_earlier_readings(tmp_path):
    from makerkit.protocol.telemetry import parse_telemetry
    from makerkit.store import StoredRecord
    db = f"sqlite:///{tmp_path}/a.db"
    store = open_store(db)
    rec = parse_telemetry("makerkit/v1/7a/kit-09/telemetry", b'{"v":1,"seq":1,"boot":1,"uptime_ms":5,"readings":{"t":1}}')
    store.write_batch([StoredRecord(rec, "2026-11-23T09:00:00.000Z", "2026-11-23T09:00:00.000Z", "boot")])
    store.close()
    assert makerkit_cli("telemetry", "unassigned", "--db", db).stdout.splitlines() == ["class,kit,readings",
                                                                                        "7a,kit-09,1"]
    result = makerkit_cli("telemetry", "assign", "--db", db, "--class", "7a", "--student", "李雷", "--kit", "kit-09")
    assert result.returncode == 0, result.stderr
    assert makerkit_cli("telemetry", "unassigned", "--db", db).stdout.splitlines() == ["class,kit,readings"]
    rows = json.loads(makerkit_cli("telemetry", "export", "--db", db, "--format", "json", "--names").stdout)
    assert rows[0]["student_name"] == "李雷" and rows[0]["student"].startswith("s-")
    bad = makerkit_cli("telemetry", "assign", "--db", db, "--class", "7a", "--student", "x", "--kit", "kit-09",
                       "--since", "not a time")
    assert bad.returncode != 0 and "Hint" in bad.stderr


@pytest.mark.slow
def test_classroom_up_twice_on_one_portfolio_keeps_every_reading(tmp_path):
    """The virtual kits keep their flash next to the portfolio: the second run boots them with boot 2
    and their seq continues, so its readings land instead of being taken for redeliveries."""
    db = tmp_path / "room.db"
    args = ("classroom", "up", "--duration", "3", "--kits", "2", "--db", str(db), "--interval", "0.3")
    for _ in range(2):
        result = makerkit_cli(*args, "--port", str(free_port()), cwd=tmp_path)
        assert result.returncode == 0, result.stderr
    state = json.loads((tmp_path / "room.db.kits" / "kit-01" / "mkfw_state.json").read_text())
    assert state["boot"] == 2
    store = open_store(f"sqlite:///{db}")
    try:
        assert store.quarantine_count() == 0
        for kit in ("kit-01", "kit-02"):
            rows = store._execute("SELECT boot, MIN(seq), MAX(seq), COUNT(*) FROM telemetry WHERE kit_id = ? "
                                  "GROUP BY boot ORDER BY boot", (kit,))
            assert [r[0] for r in rows] == [1, 2], rows
            (_, lo1, hi1, n1), (_, lo2, hi2, n2) = rows
            assert lo1 == 1 and n1 == hi1 - lo1 + 1 and n1 >= 3          # every reading of run 1 ...
            assert lo2 > hi1 and n2 == hi2 - lo2 + 1 and n2 >= 3         # ... and of run 2, numbered on
    finally:
        store.close()
