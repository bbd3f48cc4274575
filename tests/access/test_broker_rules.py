"""One access matrix, run against a mosquitto with the configuration makerkit writes and against the
embedded amqtt broker with the same logins, each plain and over mqtts://."""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest

from makerkit.errors import BrokerError, UsageError
from makerkit.mqtt.connection import MqttConnection
from makerkit.protocol.telemetry import MAX_MESSAGE

T = "makerkit/v1/7a"


class Client:
    """A connected client that records what it receives."""

    def __init__(self, cb, key: str | None, subscriptions=(), password: str | None = None):
        self.got: list[tuple[str, bytes]] = []
        self.broker = cb
        self.cond = threading.Condition()
        cred = cb.creds.get(key) if key else None
        self.conn = MqttConnection(cb.url, f"t-{key}-{uuid.uuid4().hex[:6]}", username=cred.username if cred else None,
                                   password=password if password is not None else (cred.password if cred else None),
                                   subscriptions=[(s, 1) for s in subscriptions], on_message=self._on,
                                   protocol=cb.protocol)

    def _on(self, msg) -> None:
        with self.cond:
            self.got.append((msg.topic, msg.payload))
            self.cond.notify_all()

    def start(self, timeout: float = 30.0) -> "Client":
        self.conn.start(timeout)
        return self

    def publish(self, topic: str, payload: bytes = b'{"v":1}') -> None:
        self.conn.publish(topic, payload, 1, False)

    def wait_for(self, topic: str, timeout: float = 10.0) -> None:
        with self.cond:
            if not self.cond.wait_for(lambda: any(t == topic for t, _ in self.got), timeout):
                raise AssertionError(f"{topic} not received in {timeout}s; got {[t for t, _ in self.got]}; "
                                     f"the broker's log ends:\n{self.broker.log_tail()}")

    def topics(self) -> set[str]:
        with self.cond:
            return {t for t, _ in self.got}

    def close(self) -> None:
        self.conn.stop()


@pytest.fixture
def clients(class_broker):
    made = []

    def make(key, subscriptions=(), **kw):
        c = Client(class_broker, key, subscriptions, **kw).start()
        made.append(c)
        return c
    yield make
    for c in made:
        c.close()


def test_anonymous_and_wrong_password_are_refused(class_broker):
    for key, password in ((None, None), ("kit-a", "not-the-password"), ("dashboard", "")):
        client = Client(class_broker, key, password=password)
        with pytest.raises(BrokerError):
            client.start(timeout=3)
        client.close()


def test_kit_cannot_publish_as_another_kit(clients):
    watcher = clients("dashboard", [f"{T}/#", "makerkit/v1/#"])
    kit_a = clients("kit-a")
    kit_a.publish(f"{T}/kit-b/telemetry")
    kit_a.publish(f"{T}/kit-b/status")
    kit_a.publish("makerkit/v1/7b/kit-a/telemetry")
    kit_a.publish(f"{T}/kit-a/telemetry")          # after the refused ones: once this arrives, they would have
    watcher.wait_for(f"{T}/kit-a/telemetry")
    time.sleep(0.3)
    assert watcher.topics() == {f"{T}/kit-a/telemetry"}


def test_kit_reads_only_its_own_replay_and_control(clients):
    kit_a = clients("kit-a", ["makerkit/v1/#", f"{T}/kit-b/telemetry", f"{T}/kit-a/replay", f"{T}/kit-a/control",
                              f"{T}/_class/control"])
    kit_b = clients("kit-b")
    collector = clients("collector")
    teacher = clients("teacher")
    kit_b.publish(f"{T}/kit-b/telemetry")
    kit_b.publish(f"{T}/kit-b/event")
    collector.publish(f"{T}/kit-b/replay")
    collector.publish(f"{T}/kit-a/replay")
    teacher.publish(f"{T}/_class/control")
    teacher.publish(f"{T}/kit-a/control")
    for topic in (f"{T}/kit-a/replay", f"{T}/_class/control", f"{T}/kit-a/control"):
        kit_a.wait_for(topic)
    time.sleep(0.3)
    assert kit_a.topics() == {f"{T}/kit-a/replay", f"{T}/_class/control", f"{T}/kit-a/control"}


def test_dashboard_publishes_nothing(clients):
    kit_a = clients("kit-a", [f"{T}/kit-a/replay", f"{T}/kit-a/control"])
    watcher = clients("collector", [f"{T}/+/telemetry", f"{T}/+/status"])
    dashboard = clients("dashboard")
    for topic in (f"{T}/kit-a/replay", f"{T}/kit-a/control", f"{T}/kit-a/telemetry", f"{T}/kit-a/status"):
        dashboard.publish(topic)
    clients("collector").publish(f"{T}/kit-a/replay")
    kit_a.wait_for(f"{T}/kit-a/replay")
    clients("kit-a").publish(f"{T}/kit-a/status")
    watcher.wait_for(f"{T}/kit-a/status")
    time.sleep(0.3)
    assert len(kit_a.got) == 1 and len(watcher.got) == 1


def test_collector_reads_every_kit_and_teacher_controls(clients):
    collector = clients("collector", [f"{T}/+/telemetry", f"{T}/+/status", f"{T}/+/event",
                                      "makerkit/v1/_collector/+/status"])
    dashboard = clients("dashboard", ["makerkit/v1/#"])
    kits = {k: clients(k) for k in ("kit-a", "kit-b")}
    expected = set()
    for name, kit in kits.items():
        for kind in ("telemetry", "status", "event"):
            kit.publish(f"{T}/{name}/{kind}")
            expected.add(f"{T}/{name}/{kind}")
    clients("collector").publish("makerkit/v1/_collector/room/status")
    expected.add("makerkit/v1/_collector/room/status")
    for topic in expected:
        collector.wait_for(topic)
        dashboard.wait_for(topic)
    teacher = clients("teacher")
    teacher.publish(f"{T}/kit-a/telemetry")          # a teacher controls, it does not write readings
    kits["kit-a"].publish(f"{T}/kit-a/telemetry", b'{"v":1,"n":2}')
    with collector.cond:
        assert collector.cond.wait_for(lambda: sum(t == f"{T}/kit-a/telemetry" for t, _ in collector.got) == 2, 10)
    time.sleep(0.3)
    assert [p for t, p in collector.got if t == f"{T}/kit-a/telemetry"] == [b'{"v":1}', b'{"v":1,"n":2}']


def test_oversize_message_is_not_delivered(class_broker, clients):
    """A kit (MQTT 3.1.1, as umqtt speaks) sending more than the limit: the broker drops that message and
    keeps the kit connected, so its next reading arrives."""
    collector = clients("collector", [f"{T}/+/telemetry"])
    cred = class_broker.creds["kit-a"]
    kit_a = MqttConnection(class_broker.url, "t-kit-a-311", username=cred.username, password=cred.password,
                           protocol="3.1.1").start(30)
    try:
        big = json.dumps({"v": 1, "junk": "x" * 20000}).encode()
        kit_a._client.publish(f"{T}/kit-a/telemetry", big, qos=1)      # past makerkit's own refusal, as a foreign kit
        kit_a.publish(f"{T}/kit-a/telemetry", b'{"v":1,"small":1}')
        collector.wait_for(f"{T}/kit-a/telemetry")
        time.sleep(0.3)
        assert [p for _, p in collector.got] == [b'{"v":1,"small":1}']
        assert kit_a.is_connected
    finally:
        kit_a.stop()


def test_makerkit_clients_refuse_to_send_an_oversize_message(clients):
    kit_a = clients("kit-a")
    with pytest.raises(UsageError, match="too big"):
        kit_a.publish(f"{T}/kit-a/telemetry", b"x" * (MAX_MESSAGE + 1))
    kit_a.publish(f"{T}/kit-a/telemetry", b"x" * MAX_MESSAGE)     # the limit itself is allowed
