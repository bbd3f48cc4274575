"""End to end (issue 8's proof): a roster imported from CSV; virtual ESP32 kits (the real firmware,
served on a socket as ``makerkit sim serve`` does) deployed with their own logins by ``makerkit
deploy --db``; a mosquitto started here with the configuration ``makerkit broker config`` writes
(reloaded with SIGHUP once the kits have logins); the kits publish; the collector, with its own
collector login, stores every reading under the right student (``makerkit telemetry export``).
A kit that publishes as another kit is refused by the broker, and no password shows up anywhere
but in its own kit's configuration."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import signal
import shutil
import subprocess

import pytest

import makerkit
from makerkit.access.logins import issue_login
from makerkit.access.mosquitto import render_mosquitto
from makerkit.collector import Collector
from makerkit.flash.deploy import deploy
from makerkit.mqtt.umqtt import MQTTClient, MQTTException
from makerkit.sim import serve
from makerkit.store import open_store

from support.brokers import free_port, wait_port
from .conftest import wait_until
from .test_classroom_cli import makerkit_cli

ROSTER = "name,group\n李雷,red\n韩梅梅,red\nTom,\n"
KITS = {"kit-01": ("student", "李雷"), "kit-02": ("student", "韩梅梅"), "kit-03": ("group", "red"),
        "kit-04": ("student", "Tom")}


class BrokerProcess:
    """mosquitto run on the files makerkit wrote; stopped by its PID."""

    def __init__(self, conf: str, port: int, log_path: str):
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen([shutil.which("mosquitto") or "/usr/sbin/mosquitto", "-c", conf],
                                     stdout=self.log, stderr=self.log)
        wait_port(port)

    def reload(self) -> None:
        os.kill(self.proc.pid, signal.SIGHUP)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
        self.log.close()


def refused(**login) -> bool:
    client = MQTTClient("probe", "127.0.0.1", login.pop("port"), keepalive=10, **login)
    try:
        client.connect()
    except MQTTException as exc:         # CONNACK 5: not authorised
        return exc.args[0] == 5
    client.disconnect()
    return False


def test_kits_with_their_own_logins_land_under_the_right_student(db_url, tmp_path, caplog):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(b"\xef\xbb\xbf" + ROSTER.encode())             # as a spreadsheet saves "CSV UTF-8"
    out = makerkit_cli("class", "import", "--db", db_url, "--class", "7a", str(roster))
    assert out.returncode == 0, out.stderr
    port = free_port()
    broker_url = f"mqtt://127.0.0.1:{port}"
    broker_dir = tmp_path / "broker"
    with open_store(db_url) as store:
        ids = {s["name"]: s["id"] for s in store.students("7a", names=True)}
        red = store.groups("7a")[0]["id"]
        collector_login = issue_login(store, class_id="7a", role="collector", name="room-12")
        render_mosquitto(store, listen=f"127.0.0.1:{port}", out_dir=str(broker_dir))
    broker = BrokerProcess(str(broker_dir / "mosquitto.conf"), port, str(tmp_path / "mosquitto.log"))
    servers = {kit: serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / kit) for kit in KITS}
    col = None
    try:
        with caplog.at_level(logging.DEBUG):
            results = {kit: deploy(port=srv.url, kit_id=kit, class_id="7a", wifi_ssid="lab", broker=broker_url,
                                   db=db_url, timeout=15) for kit, srv in servers.items()}
        with open_store(db_url) as store:
            render_mosquitto(store, listen=f"127.0.0.1:{port}", out_dir=str(broker_dir))   # broker config again
            for kit, (kind, who) in KITS.items():
                store.assign("7a", kit, **({"student": ids[who]} if kind == "student" else {"group": red}))
        broker.reload()
        configs = {kit: json.loads((tmp_path / kit / "makerkit.json").read_text()) for kit in KITS}
        passwords = {c["password"] for c in configs.values()}
        assert len(passwords) == len(KITS) and all(len(p) >= 20 for p in passwords)   # no shared password
        assert {kit: c["username"] for kit, c in configs.items()} == {kit: f"7a.{kit}" for kit in KITS}

        col = Collector(broker_url, db_url, collector_id="room-12", username=collector_login.username,
                        password=collector_login.password, classes=["7a"], gap_grace=0.3, gap_retry=0.5).start()
        for i, (kit, srv) in enumerate(servers.items()):
            with makerkit.connect(srv.url, timeout=5) as lesson_kit:
                for n in range(3):
                    lesson_kit.publish("temperature", 20.0 + i * 10 + n, unit="°C")
        wait_until(lambda: col.store.count() == 3 * len(KITS), 60, what="every kit's readings")

        # kit-01 forges kit-02's seq 2..4 with its own (valid) login: the broker takes nothing from it
        forger = MQTTClient("forger", "127.0.0.1", port, user="7a.kit-01", password=configs["kit-01"]["password"],
                            keepalive=10)
        forger.connect()
        try:
            for seq in (2, 3, 4):
                forger.publish("makerkit/v1/7a/kit-02/telemetry", json.dumps(
                    {"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq, "readings": {"temperature": -99.0}}), False, 1)
        except OSError:
            pass          # mosquitto may also hang up on a login that writes where it may not
        finally:
            forger.close_socket()
        assert refused(port=port) and refused(port=port, user="7a.kit-02", password="not-the-password")
        assert refused(port=port, user="7a.kit-02", password=configs["kit-01"]["password"])
        with makerkit.connect(servers["kit-02"].url, timeout=5) as lesson_kit:  # a later real reading still lands
            lesson_kit.publish("temperature", 99.5, unit="°C")
        wait_until(lambda: col.store.count("kit-02", "7a") == 4, 30, what="kit-02's later reading")

        export = makerkit_cli("telemetry", "export", "--db", db_url, "--class", "7a")
        assert export.returncode == 0, export.stderr
        table = list(csv.DictReader(io.StringIO(export.stdout)))
        assert list(table[0])[:9] == ["class", "kit", "seq", "time", "name", "value", "unit", "student", "group"]
        expected = {kit: (ids[who] if kind == "student" else "") for kit, (kind, who) in KITS.items()}
        assert {r["kit"]: r["student"] for r in table} == expected
        assert {r["group"] for r in table if r["kit"] == "kit-03"} == {red}
        assert len(table) == 3 * len(KITS) + 1 and -99.0 not in {float(r["value"]) for r in table}
        assert col.store.quarantine_count() == 0 and col.stats.quarantined == 0
        show = json.loads(makerkit_cli("class", "show", "--db", db_url, "--class", "7a", "--json").stdout)
        for k in show["kits"]:
            assert k["inc"] == results[k["kit"]].inc and k["hw_id"] and k["last_seen"] and k["board"] == "esp32"
    finally:
        if col is not None:
            col.stop()
        for srv in servers.values():
            srv.close()
        broker.close()

    # secrets: each kit password is in that kit's configuration and nowhere else; the collector's nowhere
    secrets = passwords | {collector_login.password}
    seen = caplog.text + repr(results) + out.stdout + out.stderr + export.stdout + export.stderr
    assert not [s for s in secrets if s in seen]
    own = {str(tmp_path / kit / "makerkit.json") for kit in KITS}
    for root, _dirs, files in os.walk(tmp_path):
        for name in files:
            path = os.path.join(root, name)
            data = open(path, "rb").read()
            found = [s for s in secrets if s.encode() in data]
            assert not found or (path in own and found == [configs[os.path.basename(root)]["password"]]), path
    with open_store(db_url) as store:
        hashes = [row["pw_hash"] for row in store.logins("7a")]
        assert len(hashes) == len(KITS) + 1 and all(h.startswith("$7$") for h in hashes)
