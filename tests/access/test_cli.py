"""The access commands as a teacher types them: `makerkit access add`, `makerkit broker config` (then
mosquitto -c DIR/mosquitto.conf, a real mosquitto), `makerkit broker run` (a real subprocess), and
`classroom up` beyond loopback. Plus the secrets rule: a password appears only in `access add`'s
one output and in the kit's own configuration; every file, log and other output is searched for it."""

from __future__ import annotations

import json
import os
import pathlib
import signal
import subprocess
import sys

import pytest

from makerkit.access.logins import Credentials
from makerkit.broker import mosquitto_path
from makerkit.classroom.room import Classroom
from makerkit.errors import BrokerError

from support.brokers import free_port, wait_port

from .conftest import ClassBroker, start_mosquitto
from .test_broker_rules import Client, T

ENV = {**os.environ, "MAKERKIT_LANG": "en"}


def mk(*args, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "makerkit", *map(str, args)], capture_output=True, text=True,
                          env=ENV, timeout=120)
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


def add(db, role, name) -> tuple[Credentials, subprocess.CompletedProcess]:
    done = mk("access", "add", "--db", db, "--class", "7a", "--role", role, "--name", name, "--json")
    doc = json.loads(done.stdout)
    assert set(doc) == {"username", "password"}
    return Credentials(doc["username"], doc["password"]), done


def check_rules(url: str, protocol: str, creds: dict) -> None:
    cb = ClassBroker("cli", url, protocol, creds)
    with pytest.raises(BrokerError):                        # anonymous: refused
        Client(cb, None).start(timeout=3)
    collector = Client(cb, "collector", ["makerkit/v1/#"]).start()
    kit = Client(cb, "kit-a").start()
    try:
        kit.publish(f"{T}/kit-a/telemetry")
        collector.wait_for(f"{T}/kit-a/telemetry")
        kit.publish(f"{T}/kit-b/telemetry")                 # not its own topic: never delivered
        kit.publish(f"{T}/kit-a/event")
        collector.wait_for(f"{T}/kit-a/event")
        assert f"{T}/kit-b/telemetry" not in collector.topics()
    finally:
        kit.close()
        collector.close()


@pytest.fixture
def logins(tmp_path):
    db = f"sqlite:///{tmp_path}/portfolio.db"
    roster = tmp_path / "7a.csv"
    roster.write_text("name,id\n王小明,s-wxm\nAnna,s-anna\n", encoding="utf-8-sig")
    mk("class", "import", "--db", db, "--class", "7a", roster)
    outputs = []
    creds = {}
    for key, role, name in (("kit-a", "kit", "kit-a"), ("collector", "collector", "room"),
                            ("dashboard", "dashboard", "hall")):
        creds[key], done = add(db, role, name)
        outputs.append(done)
    return db, creds, outputs


def test_access_add_prints_the_password_once_and_list_never(logins):
    db, creds, outputs = logins
    assert creds["kit-a"].username == "7a.kit-a" and creds["collector"].username == "7a.collector.room"
    plain = mk("access", "add", "--db", db, "--class", "7a", "--role", "teacher", "--name", "li")
    assert plain.stdout.count("password: ") == 1 and "7a.teacher.li" in plain.stdout
    again = mk("access", "add", "--db", db, "--class", "7a", "--role", "kit", "--name", "kit-a", check=False)
    assert again.returncode != 0 and "--replace" in again.stdout + again.stderr     # refused, says what to do
    listed = mk("access", "list", "--db", db, "--class", "7a", "--json")
    rows = json.loads(listed.stdout)
    assert {r["username"] for r in rows} == {"7a.kit-a", "7a.collector.room", "7a.dashboard.hall", "7a.teacher.li"}
    for cred in creds.values():
        assert cred.password not in listed.stdout


@pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")
def test_broker_config_makes_a_mosquitto_that_enforces_the_rules(logins, tmp_path):
    db, creds, _ = logins
    port, out = free_port(), tmp_path / "broker"
    done = mk("broker", "config", "--db", db, "--listen", f"127.0.0.1:{port}", "--out", out)
    assert "mosquitto -c" in done.stdout
    for name in ("mosquitto.conf", "passwd", "acl"):
        assert (out / name).stat().st_mode & 0o777 == 0o600, name
    proc = start_mosquitto(str(out), str(tmp_path / "mosquitto.log"))
    try:
        wait_port(port)
        check_rules(f"mqtt://127.0.0.1:{port}", "5", creds)
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)


def test_broker_run_enforces_the_rules_and_stops_on_sigterm(logins, tmp_path):
    db, creds, _ = logins
    port = free_port()
    log = open(tmp_path / "broker-run.log", "w+")
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "broker", "run", "--db", db,
                             "--listen", f"127.0.0.1:{port}"], stdout=log, stderr=log, env=ENV)
    try:
        wait_port(port, timeout=30)
        check_rules(f"mqtt://127.0.0.1:{port}", "3.1.1", creds)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    log.seek(0)
    text = log.read()
    assert "3 logins" in text and "Stopped." in text


def test_classroom_beyond_loopback_lets_only_logins_in(tmp_path):
    port = free_port()
    room = Classroom(kits=2, db=str(tmp_path / "classroom.db"), host="0.0.0.0", port=port, interval=0.2).start()
    try:
        summary_url = f"mqtt://127.0.0.1:{port}"
        with pytest.raises(BrokerError):                    # anonymous is refused beyond loopback
            Client(ClassBroker("room", summary_url, room.broker.protocol), None).start(timeout=3)
    finally:
        summary = room.run(duration=3)
    assert summary.stored > 0 and summary.quarantined == 0  # the room's own kits and collector logged in


def test_no_password_in_any_output_log_or_file_but_the_allowed_ones(logins, tmp_path):
    db, creds, outputs = logins
    port, out = free_port(), tmp_path / "broker"
    texts = [mk("broker", "config", "--db", db, "--listen", f"127.0.0.1:{port}", "--out", out),
             mk("access", "list", "--db", db), mk("access", "list", "--db", db, "--json")]
    stderr_of_add = "".join(o.stderr for o in outputs)
    secrets = [c.password for c in creds.values()]
    for secret in secrets:
        for done in texts:
            assert secret not in done.stdout + done.stderr
        assert secret not in stderr_of_add
        assert secret not in repr(creds["kit-a"]) and secret not in str(creds["kit-a"])
    exported = mk("telemetry", "export", "--db", db)                # to stdout, as a teacher saves it
    assert exported.stdout.startswith("class,kit,seq,time,name,value,unit,student,group")
    (tmp_path / "export.csv").write_text(exported.stdout, encoding="utf-8")
    for secret in secrets:
        assert secret not in exported.stdout + exported.stderr
    # every file the commands left: the portfolio, the broker's passwd/acl/conf, exports
    for path in pathlib.Path(tmp_path).rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for secret in secrets:
                assert secret.encode() not in data, f"a password is in {path}"
    assert b"$7$" in (out / "passwd").read_bytes()          # hashed, mosquitto's PBKDF2-SHA512 format


@pytest.mark.parametrize("host,loopback", [("localhost", True), ("127.0.0.1", True), ("127.1.2.3", True),
                                           ("::1", True), ("[::1]", True), ("127.foo.example", False),
                                           ("10.0.0.2", False), ("0.0.0.0", False), ("", False)])
def test_what_counts_as_loopback(host, loopback):
    from makerkit.broker import is_loopback
    assert is_loopback(host) is loopback
