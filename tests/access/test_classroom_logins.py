"""``classroom up`` in a portfolio whose class already has real kits: its virtual kits never take a real
kit's id, and beyond loopback it gives no stored login a new password (its own logins live in memory), so a
real kit deployed with ``--db`` or given a login with ``access add`` still logs in to the room's broker and
its readings, and the virtual kits', each stay under their own kit."""

from __future__ import annotations

import json

import pytest

from makerkit.access.logins import issue_login
from makerkit.access.passwords import verify_password
from makerkit.classroom.room import Classroom
from makerkit.classroom.room_logins import room_kit_ids
from makerkit.errors import BrokerError
from makerkit.mqtt.connection import MqttConnection
from makerkit.protocol.telemetry import build_payload
from makerkit.store import open_store

from support.brokers import free_port
from support.waiting import wait_until


def _real_class(db_url: str) -> dict:
    """Class 7a with real kits: kit-01 deployed (login, inventory with its MAC), kit-02 given a login by
    hand and then removed, kit-03 held by a student; a collector a teacher called ``classroom``."""
    with open_store(db_url) as store:
        store.add_class("7a")
        store.add_student("7a", "Anna", student_id="s-anna")
        creds = {"kit-01": issue_login(store, class_id="7a", role="kit", kit="kit-01"),
                 "kit-02": issue_login(store, class_id="7a", role="kit", kit="kit-02"),
                 "collector": issue_login(store, class_id="7a", role="collector", name="classroom")}
        store.disable_login("7a.kit-02")
        store.register_kit("7a", "kit-01", board="esp32", hw_id="a4cf12aabb01")
        store.assign("7a", "kit-03", student="s-anna")
    return creds


def _stored_logins(db_url: str) -> dict:
    with open_store(db_url) as store:
        return {row["username"]: (row["pw_hash"], row["disabled_at"])
                for row in store.logins(enabled_only=False)}


def _publish_as(url: str, creds, kit: str, seq: int) -> None:
    conn = MqttConnection(url, f"real-{kit}", username=creds.username, password=creds.password,
                          protocol="3.1.1").start(10)
    try:
        conn.publish(f"makerkit/v1/7a/{kit}/telemetry",
                     build_payload(seq=seq, boot=1, uptime_ms=1000, readings={"temperature": 21.5}), 1, False)
    finally:
        conn.stop()


def test_a_room_beyond_loopback_leaves_the_real_kits_logins_and_ids_alone(tmp_path):
    db = tmp_path / "portfolio.db"
    db_url = f"sqlite:///{db}"
    creds = _real_class(db_url)
    before = _stored_logins(db_url)
    port = free_port()
    room = Classroom(kits=2, db=str(db), class_id="7a", host="0.0.0.0", port=port, interval=0.2).start()
    try:
        assert room.kit_ids == ["kit-04", "kit-05"]           # kit-01..03 belong to real kits
        assert room.logins["collector"].username == "7a.collector.classroom-2"
        url = f"mqtt://127.0.0.1:{port}"
        with pytest.raises(BrokerError):                     # the removed login stays removed
            MqttConnection(url, "old-kit-02", username=creds["kit-02"].username, password=creds["kit-02"].password,
                           protocol="3.1.1").start(3)
        _publish_as(url, creds["kit-01"], "kit-01", 1)       # the deployed kit still logs in with its password
        with open_store(db_url) as store:
            wait_until(lambda: store.count("kit-01", "7a") == 1 and store.count("kit-04", "7a") >= 2
                       and store.count("kit-05", "7a") >= 2, 30, what="the real and the virtual kits' readings")
    finally:
        summary = room.stop()
    assert summary.kits == ["kit-04", "kit-05"] and summary.quarantined == 0
    assert _stored_logins(db_url) == before                  # no login added, none given a new password
    assert verify_password(creds["kit-01"].password, before["7a.kit-01"][0])
    with open_store(db_url) as store:
        readings = {(row["kit"], row["name"]) for row in store.export(class_id="7a")}
    assert ("kit-01", "temperature") in readings and not any(k in ("kit-02", "kit-03") for k, _ in readings)


def test_a_second_room_keeps_its_virtual_kits_and_a_kit_given_their_id_since_is_left_alone(tmp_path):
    db = tmp_path / "room.db"
    db_url = f"sqlite:///{db}"
    for _ in range(2):
        room = Classroom(kits=2, db=str(db), class_id="7a", port=free_port(), interval=0.2).start()
        room.stop()
        assert room.kit_ids == ["kit-01", "kit-02"]          # loopback, empty class: the usual ids, then its own
    state = json.loads((tmp_path / "room.db.kits" / "kit-01" / "mkfw_state.json").read_text())
    assert state["boot"] == 2
    kits_dir = str(tmp_path / "room.db.kits")
    with open_store(db_url) as store:
        store.register_kit("7a", "kit-01", board="esp32", hw_id="a4cf12aabb01")   # a real board, another MAC
        store.register_kit("7a", "kit-02", board="esp32")                         # the virtual kit, registered
        issue_login(store, class_id="7a", role="kit", kit="kit-03")
        assert room_kit_ids(store, "7a", 3, kits_dir) == ["kit-02", "kit-04", "kit-05"]
