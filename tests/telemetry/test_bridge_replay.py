"""Replay requests to ``makerkit bridge`` are checked and limited like a kit's (issue 10, points 3/4 and
the introduction): ``{"from": 1, "to": 2**64}`` and other bad requests are ignored and counted and
never stop the bridge; a long range is answered for its first 1,000 numbers; at most 12 requests are
answered in a minute. Real mosquitto, the real firmware in a virtual Uno."""

from __future__ import annotations

import json

import makerkit
from makerkit.bridge import REPLAY_PER_MINUTE, Bridge
from makerkit.mqtt.connection import MqttConnection
from makerkit.protocol import telemetry as tm

from .conftest import retained_status, wait_until


class Client:
    """A plain MQTT client that asks for replays and hears the bridge's events."""

    def __init__(self, url, class_id, kit_id):
        self.events: list[dict] = []
        self.replay_topic = tm.topic(class_id, kit_id, "replay")
        self.conn = MqttConnection(url, "asker", subscriptions=[(tm.topic(class_id, kit_id, "event"), 1)],
                                   on_message=lambda m: self.events.append(json.loads(m.payload))).start()

    def ask(self, payload: bytes) -> None:
        self.conn.publish(self.replay_topic, payload, 1, False).wait_for_publish(5)

    def done(self) -> list[dict]:
        return [e for e in self.events if e.get("event") == "replay_done"]

    def close(self):
        self.conn.stop()


BAD = [
    b'{"v":1,"from":1,"to":18446744073709551616}',        # to = 2**64: killed the bridge before
    b'{"v":1,"from":1,"to":9007199254740992}',            # 2**53
    b'{"v":1,"from":-1,"to":3}',
    b'{"v":1,"from":5,"to":2}',
    b'{"v":1,"from":true,"to":3}',
    b'{"v":1,"from":1.5,"to":3}',
    b'{"v":1,"from":1}',
    b'[1, 2]',
    b'{"v":1,"from":1,"to":3',
    b'\xff\xfe not text',
    b'{"v":1,"from":1,"to":1e400}',
    b'{"v":1,"from":1,"to":3,"inc":"NOT VALID"}',
]


def test_bad_replay_requests_are_ignored_counted_and_never_stop_the_bridge(tmp_path, broker):
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        kit.configure(kit="uno-6", class_="7b")
        with Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")) as bridge:
            seqs = [kit.publish("light", i / 10)["seq"] for i in range(5)]
            wait_until(lambda: bridge.published == 5, 10, what="published")
            asker = Client(broker.url, "7b", "uno-6")
            try:
                for bad in BAD:
                    asker.ask(bad)
                asker.ask(tm.replay_payload(seqs[0], seqs[-1]))               # a good one after them
                wait_until(lambda: asker.done(), 10, what="the good request's replay_done")
                bridge.check()
                assert bridge.replays_ignored == len(BAD)
                assert [(d["from"], d["to"], d["missing"]) for d in asker.done()] == [(seqs[0], seqs[-1], [])]
                assert bridge.replayed == 5
                # the bridge goes on: a new reading is published
                kit.publish("light", 9.0)
                wait_until(lambda: bridge.published == 6, 10, what="a reading after the bad requests")
                wait_until(lambda: '"replays_ignored":%d' % len(BAD) in retained_status(
                    broker.url, tm.topic("7b", "uno-6", "status")), 15, what="replays_ignored in the status")
            finally:
                asker.close()


def test_a_long_range_is_answered_for_1000_numbers_and_requests_are_rate_limited(tmp_path, broker):
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        kit.configure(kit="uno-8", class_="7b")
        with Bridge(kit, broker.url, outbox=str(tmp_path / "outbox.db")) as bridge:
            seqs = [kit.publish("light", i / 10)["seq"] for i in range(3)]
            wait_until(lambda: bridge.published == 3, 10, what="published")
            asker = Client(broker.url, "7b", "uno-8")
            try:
                asker.ask(json.dumps({"v": 1, "from": 0, "to": tm.MAX_COUNTER}).encode())
                wait_until(lambda: asker.done(), 10, what="replay_done of the long range")
                first = asker.done()[0]
                assert (first["from"], first["to"]) == (0, tm.MAX_REPLAY_SPAN - 1)
                # numbers the bridge never saw are not called missing (the kit may still hand them over)
                assert all(b <= max(seqs) for _, b in first["missing"])
                for _ in range(REPLAY_PER_MINUTE + 8):
                    asker.ask(tm.replay_payload(seqs[0], seqs[-1]))
                wait_until(lambda: bridge.replays_ignored == 9, 10, what="requests over the limit ignored")
                kit.sleep(0.5)
                assert len(asker.done()) == REPLAY_PER_MINUTE
                assert bridge.replayed == 3 * REPLAY_PER_MINUTE
            finally:
                asker.close()


def test_requested_range_and_the_gate_follow_the_kit_rules():
    from makerkit.protocol.replay import ReplayGate, requested_range
    assert requested_range(b'{"v":1,"from":3,"to":5,"inc":"k3v9"}') == ("k3v9", 3, 5)
    assert requested_range(b'{"v":1,"from":0,"to":9007199254740991}') == ("", 0, tm.MAX_REPLAY_SPAN - 1)
    for bad in BAD:
        assert requested_range(bad) is None, bad
    gate = ReplayGate(per_minute=3)
    assert [gate.admit(t) for t in (0.0, 1.0, 2.0, 3.0, 59.9)] == [True, True, True, False, False]
    assert gate.admit(60.0) is True and gate.admit(60.5) is False and gate.admit(61.0) is True
