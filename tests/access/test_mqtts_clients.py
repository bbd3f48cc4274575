"""mqtts:// for makerkit's own clients on a class broker with the access rules (a real mosquitto on the files
``render_mosquitto`` writes with the class CA's certificates, and the embedded amqtt broker): a USB-tethered
kit's bridge, the collector and the class dashboard, each on its own login, each checking the broker's
certificate against the class CA; the kit's readings reach the dashboard and are stored under its student."""

from __future__ import annotations

import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.broker import mosquitto_path
from makerkit.collector import Collector
from makerkit.dashboard import DashboardServer
from makerkit.store import open_store

from support.waiting import wait_until

TLS_BROKERS = [
    pytest.param(("mosquitto", True), id="mosquitto-tls",
                 marks=pytest.mark.skipif(mosquitto_path() is None, reason="mosquitto not installed")),
    pytest.param(("amqtt", True), id="amqtt-tls"),
]


@pytest.mark.parametrize("class_broker", TLS_BROKERS, indirect=True)
def test_bridge_collector_and_dashboard_work_over_mqtts(class_broker, tmp_path):
    assert class_broker.url.startswith("mqtts://") and "?ca=" in class_broker.url
    db = f"sqlite:///{tmp_path}/portfolio.db"
    with open_store(db) as store:
        store.add_student("7a", "Anna", student_id="s-anna")
        store.assign("7a", "kit-a", student="s-anna")
    creds = class_broker.creds
    collector = Collector(class_broker.url, db, collector_id="room", username=creds["collector"].username,
                          password=creds["collector"].password, protocol=class_broker.protocol).start()
    dashboard = DashboardServer(broker=class_broker.url, db=db, listen="127.0.0.1:0", classes=["7a"],
                                username=creds["dashboard"].username, password=creds["dashboard"].password,
                                open_view=False).start()
    kit = makerkit.connect("sim://esp32", clock="real")              # an ESP32 on a USB cable, no WiFi
    try:
        kit.configure(kit="kit-a", class_="7a")
        with Bridge(kit, class_broker.url, outbox=str(tmp_path / "outbox.db"), username=creds["kit-a"].username,
                    password=creds["kit-a"].password, protocol=class_broker.protocol).start(10) as bridge:
            assert bridge.mqtt.is_connected
            for value in (21.5, 22.0):
                kit.publish("temperature", value, unit="°C")
            wait_until(lambda: collector.store.count("kit-a", "7a") == 2, 30, what="the bridged readings stored")
            wait_until(lambda: [t for t in dashboard.state.snapshot("7a") if t["kit"] == "kit-a"
                                and t["readings"].get("temperature") == 22.0], 30,
                       what="the bridged reading on the dashboard")
    finally:
        kit.close()
        dashboard.stop()
        collector.stop()
    with open_store(db) as store:
        assert {(r["value"], r["student"]) for r in store.export(class_id="7a")} == {(21.5, "s-anna"), (22.0, "s-anna")}
