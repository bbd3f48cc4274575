"""A bridge whose login the class broker refuses (no login on the kit, a wrong password, a login the broker
files do not have yet) says so, in both languages, with what to do, and keeps the readings on disk;
it is not told that the broker "cannot be reached". mosquitto with the access rules and amqtt alike."""

from __future__ import annotations

import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.broker import mosquitto_path

from support.waiting import wait_until

PLAIN_BROKERS = [
    pytest.param(("mosquitto", False), id="mosquitto",
                 marks=pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")),
    pytest.param(("amqtt", False), id="amqtt"),
]


@pytest.mark.parametrize("class_broker", PLAIN_BROKERS, indirect=True)
@pytest.mark.parametrize("login", ["none", "wrong-password"])
def test_a_refused_bridge_login_is_said_with_what_to_do(class_broker, tmp_path, login):
    creds = class_broker.creds["kit-a"]
    given = {} if login == "none" else {"username": creds.username, "password": "not-its-password"}
    kit = makerkit.connect("sim://esp32", clock="real")
    try:
        kit.configure(kit="kit-a", class_="7a")
        with Bridge(kit, class_broker.url, outbox=str(tmp_path / "outbox.db"), protocol=class_broker.protocol,
                    **given).start(1) as bridge:
            kit.publish("temperature", 21.5)
            seen: list[dict] = []
            wait_until(lambda: seen.extend(bridge.take_notices()) or any(n["code"] == "broker_refused" for n in seen),
                       20, what="the bridge telling that the broker refuses its login")
            note = next(n for n in seen if n["code"] == "broker_refused")
            assert not any(n["code"] == "broker_away" for n in seen)
            who = creds.username if given else "without a login"
            assert f"refuses the login {who}" in note["en"] and "makerkit broker config" in note["en"]
            assert "拒绝了账号" in note["zh"] and "MAKERKIT_MQTT_PASSWORD" in note["zh"]
            assert "not-its-password" not in note["en"] + note["zh"]
            wait_until(lambda: bridge.outbox.count(sent=False) == 1, 10, what="the reading kept on disk")
    finally:
        kit.close()
