"""Issue 9's first proof: four virtual ESP32 kits (the real firmware, served on sockets) provisioned in
one ``makerkit class provision`` run from an imported roster: each kit gets its own login, is
registered and assigned in roster order; behind a mosquitto configured by ``makerkit broker config``
their telemetry lands under the right students. A second run changes nothing ("already done")."""

from __future__ import annotations

import csv
import io
import json

import makerkit
from makerkit.access.logins import issue_login
from makerkit.access.mosquitto import render_mosquitto
from makerkit.collector import Collector
from makerkit.flash.current import wanted_firmware
from makerkit.sim import serve
from makerkit.store import open_store

from support.brokers import free_port
from .conftest import wait_until
from .test_classroom_cli import ENV, makerkit_cli
from .test_e2e_logins import BrokerProcess

ROSTER = "name\n王小明\n李华\n张伟\nAnna\n"
WIFI_SECRET = "wifi-Secret-2718"


def test_four_virtual_kits_provisioned_from_a_roster_report_under_the_right_students(db_url, tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER, encoding="utf-8")
    assert makerkit_cli("class", "import", "--db", db_url, "--class", "7a", str(roster)).returncode == 0
    port = free_port()
    broker_url = f"mqtt://127.0.0.1:{port}"
    servers = [serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / f"board{i}") for i in range(4)]
    broker = col = None
    try:
        args = ["class", "provision", "--db", db_url, "--class", "7a", "--board", "esp32",
                *[w for s in servers for w in ("--port", s.url)], "--wifi-ssid", "makerlab",
                "--broker", broker_url, "--assign"]
        env = {**ENV, "MAKERKIT_WIFI_PASSWORD": WIFI_SECRET}
        run = makerkit_cli(*args, "--json", timeout=240, env=env)
        assert run.returncode == 0, run.stdout + run.stderr
        report = json.loads(run.stdout)
        assert [k["kit"] for k in report["kits"]] == ["kit-01", "kit-02", "kit-03", "kit-04"]   # in port order
        assert {k["state"] for k in report["kits"]} == {"provisioned"} and report["retry"] == ""
        assert WIFI_SECRET not in run.stdout + run.stderr

        configs = [json.loads((tmp_path / f"board{i}" / "makerkit.json").read_text()) for i in range(4)]
        assert [c["username"] for c in configs] == [f"7a.kit-0{i}" for i in range(1, 5)]
        assert len({c["password"] for c in configs}) == 4 and all(c["wifi_password"] == WIFI_SECRET for c in configs)
        assert all(c["broker"] == broker_url and c["wifi_ssid"] == "makerlab" for c in configs)
        with open_store(db_url) as store:
            students = store.students("7a", names=True)
            assert [s["name"] for s in students] == ["王小明", "李华", "张伟", "Anna"]          # roster order
            holders = {h.kit: h.student for h in store.history("7a") if h.until is None}
            assert holders == {f"kit-0{i + 1}": s["id"] for i, s in enumerate(students)}
            kits = store.kits("7a")
            assert [k["firmware"] for k in kits] == [wanted_firmware("esp32")] * 4 and all(k["hw_id"] for k in kits)
            collector_login = issue_login(store, class_id="7a", role="collector", name="room-12")
            render_mosquitto(store, listen=f"127.0.0.1:{port}", out_dir=str(tmp_path / "broker"))
        broker = BrokerProcess(str(tmp_path / "broker" / "mosquitto.conf"), port, str(tmp_path / "mosquitto.log"))

        status = makerkit_cli("class", "status", "--db", db_url, "--class", "7a", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["counts"] == {"current": 4, "outdated": 0, "foreign": 0, "unknown": 0}

        col = Collector(broker_url, db_url, collector_id="room-12", username=collector_login.username,
                        password=collector_login.password, classes=["7a"], gap_grace=0.3, gap_retry=0.5).start()
        for i, srv in enumerate(servers):
            with makerkit.connect(srv.url, timeout=5) as kit:
                for n in range(2):
                    kit.publish("temperature", 20.0 + i + n / 10, unit="°C")
        wait_until(lambda: col.store.count() == 8, 60, what="every kit's readings")
        export = makerkit_cli("telemetry", "export", "--db", db_url, "--class", "7a")
        table = list(csv.DictReader(io.StringIO(export.stdout)))
        assert {r["kit"]: r["student"] for r in table} == holders and len(table) == 8
        assert col.store.quarantine_count() == 0

        # the same command again: every kit is already done, nothing is written, no one is reassigned
        again = makerkit_cli(*args, "--json", timeout=240, env=env)
        assert again.returncode == 0, again.stdout + again.stderr
        assert {k["state"] for k in json.loads(again.stdout)["kits"]} == {"already done"}
        with open_store(db_url) as store:
            assert {h.kit: h.student for h in store.history("7a") if h.until is None} == holders
            assert len(store.history("7a")) == 4
    finally:
        if col is not None:
            col.stop()
        for srv in servers:
            srv.close()
        if broker is not None:
            broker.close()
