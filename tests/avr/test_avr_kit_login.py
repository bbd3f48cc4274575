"""A tethered Arduino kit's own broker login, with no manual step: ``class provision --board uno`` gives each
Uno its login and keeps the password in the kit's EEPROM (only its hash in the portfolio); the bridge on
whichever computer the kit is plugged into logs in with it. Makerkit's AVR firmware on the emulated Uno,
a real mosquitto on the files ``broker config`` writes, the collector with its own login."""

from __future__ import annotations

import os
import pathlib
import signal
import subprocess

import pytest

import makerkit
from makerkit.access.logins import issue_login
from makerkit.access.mosquitto import render_mosquitto
from makerkit.access.passwords import verify_password
from makerkit.bridge import Bridge
from makerkit.broker import mosquitto_path
from makerkit.classroom.provision import ALREADY_DONE, PROVISIONED, provision
from makerkit.collector import Collector
from makerkit.errors import BrokerError, UsageError
from makerkit.flash import enrol
from makerkit.mqtt.connection import MqttConnection
from makerkit.store import open_store

from support.brokers import free_port, wait_port
from support.waiting import wait_until

PASSWORD = "Kq7mZx2PbN4tRw9sHd3f"


def uno_kit(uno):
    return makerkit.connect(uno.port, board="uno", timeout=8, clock="real")


def layout2_eeprom(path: pathlib.Path) -> pathlib.Path:
    """An EEPROM as makerkit's AVR firmware before kit logins left it (layout 2): boot 41, kit-03 of 7c,
    its incarnation and hardware id; the bytes after them never written (0xFF)."""
    data = bytearray(b"\xff" * 1024)
    data[0:3] = b"mk\x02"
    data[4:8] = (41).to_bytes(4, "little")
    data[8:12] = (320).to_bytes(4, "little")
    data[12:14] = (10).to_bytes(2, "little")
    for where, text in ((16, b"kit-03"), (49, b"7c"), (82, b"a1b2c3d4e5f6"), (95, b"0123456789ab")):
        data[where:where + len(text) + 1] = text + b"\0"
    path.write_bytes(bytes(data))
    return path


def test_the_uno_keeps_its_password_shows_it_only_when_asked_and_an_old_eeprom_is_upgraded(
        tmp_path, uno_factory, makerkit_hex):
    uno = uno_factory(app=makerkit_hex, eeprom=layout2_eeprom(tmp_path / "old.bin"))
    with uno_kit(uno) as kit:
        info = kit.identity.info
        assert (info["kit"], info["class"], info["boot"], info["inc"], info["hw"]) == \
            ("kit-03", "7c", 42, "a1b2c3d4e5f6", "0123456789ab")          # nothing lost in the upgrade
        assert kit.config()["password"] == "" and kit.broker_password() is None
        assert kit.configure(password=PASSWORD)["password"] == "***"
        assert kit.config()["password"] == "***" and PASSWORD not in repr(kit.config())
        assert kit.broker_password() == PASSWORD
        for bad in ({"password": "with space"}, {"password": "x" * 33}, {"username": "7c.kit-03"}):
            with pytest.raises(UsageError, match="refused"):
                kit.configure(**bad)
        assert kit.broker_password() == PASSWORD                          # a refused SET changes nothing
        kept = tmp_path / "kept.bin"
        kept.write_bytes(uno.eeprom())
    uno.close()
    again = uno_factory(app=makerkit_hex, eeprom=kept)                    # powered again
    with uno_kit(again) as kit:
        assert kit.broker_password() == PASSWORD and kit.identity.info["inc"] == "a1b2c3d4e5f6"
        kit.configure(password="")
        assert kit.broker_password() is None and kit.config()["password"] == ""


def _mosquitto(store, tmp_path) -> tuple[subprocess.Popen, str]:
    port, out = free_port(), str(tmp_path / "broker")
    render_mosquitto(store, listen=f"127.0.0.1:{port}", out_dir=out)
    log = open(tmp_path / "mosquitto.log", "ab")
    proc = subprocess.Popen([mosquitto_path(), "-c", os.path.join(out, "mosquitto.conf")], stdout=log, stderr=log)
    log.close()
    wait_port(port)
    return proc, f"mqtt://127.0.0.1:{port}"


def _provisioned_before_logins(uno, db: str) -> None:
    """kit-05 as class provision left an Uno before kits got logins: id and class in EEPROM, registered."""
    with uno_kit(uno) as kit, open_store(db) as store:
        kit.configure(kit="kit-05", class_="7c")
        enrol.register(store, class_id="7c", kit_id="kit-05", board="uno", inc=kit.identity.info["inc"],
                       identity=dict(kit.identity.info))


@pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")
def test_provisioned_unos_are_bridged_with_their_own_logins_and_land_under_their_students(
        tmp_path, uno_factory, optiboot, makerkit_hex):
    db = f"sqlite:///{tmp_path}/p.db"
    with open_store(db) as store:
        store.add_class("7c")
        for sid, name in (("s-ada", "Ada"), ("s-lin", "Lin")):
            store.add_student("7c", name, student_id=sid)
        collector_login = issue_login(store, class_id="7c", role="collector", name="room")
    unos = [uno_factory(boot=optiboot), uno_factory(boot=optiboot, app=makerkit_hex)]
    _provisioned_before_logins(unos[1], db)
    result = provision(db=db, class_id="7c", board="uno", ports=[u.port for u in unos], assign=True)
    assert [(o.kit, o.state, o.username) for o in result.outcomes] == [
        ("kit-01", PROVISIONED, "7c.kit-01"), ("kit-05", PROVISIONED, "7c.kit-05")], [o.error for o in result.outcomes]
    secrets = []
    for uno in unos:
        with uno_kit(uno) as kit:
            secrets.append(kit.broker_password())
    with open_store(db) as store:
        for (kit, _, username), secret in zip([(o.kit, o.state, o.username) for o in result.outcomes], secrets):
            assert secret and verify_password(secret, store.login(username)["pw_hash"])   # only the hash kept
        hashes = {row["username"]: row["pw_hash"] for row in store.logins("7c")}
        proc, url = _mosquitto(store, tmp_path)
    again = provision(db=db, class_id="7c", board="uno", ports=[u.port for u in unos])
    assert {o.state for o in again.outcomes} == {ALREADY_DONE}
    try:
        with pytest.raises(BrokerError):                                   # the broker wants logins
            MqttConnection(url, "anonymous", protocol="3.1.1").start(3)
        col = Collector(url, db, collector_id="room", username=collector_login.username,
                        password=collector_login.password).start()
        try:
            notices = _bridge_both(unos, url, tmp_path, col)
        finally:
            col.stop()
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(10)
    with open_store(db) as store:
        assert {row["username"]: row["pw_hash"] for row in store.logins("7c")} == hashes
        by_kit = {(row["kit"], row["student"]) for row in store.export(class_id="7c")}
    assert by_kit == {("kit-01", "s-ada"), ("kit-05", "s-lin")}
    outputs = repr(result.to_dict()) + repr(again.to_dict()) + repr(result.outcomes) + notices
    for secret in secrets:
        assert secret not in outputs
        for path in tmp_path.rglob("*"):
            if path.is_file():
                assert secret.encode() not in path.read_bytes(), f"a kit's password is in {path}"


def _bridge_both(unos, url, tmp_path, col) -> str:
    """Bridge both Unos with no login given (each uses its own); returns what the bridges had to say."""
    kits = [uno_kit(uno) for uno in unos]
    bridges = []
    try:
        for kit in kits:
            bridges.append(Bridge(kit, url, outbox=str(tmp_path / f"outbox-{kit.identity.kit_id}.db")).start(10))
        for bridge, kit in zip(bridges, kits):
            assert bridge.username == f"7c.{kit.identity.kit_id}" and bridge.mqtt.is_connected
            for i in range(3):
                kit.publish("temp", 20 + i)
        wait_until(lambda: col.store.count("kit-01", "7c") == 3 and col.store.count("kit-05", "7c") == 3, 30,
                   what="both Unos' readings through their bridges")
        return repr([bridge.take_notices() for bridge in bridges]) + repr(bridges[0].__dict__)
    finally:
        for bridge in bridges:
            bridge.stop()
        for kit in kits:
            kit.close()
