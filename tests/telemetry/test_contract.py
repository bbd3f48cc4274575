"""The v1 contract: topics, payload validation, the schema file the docs point to."""

import json
import math
import pathlib

import pytest

from makerkit.errors import TelemetryError
from makerkit.protocol import telemetry as tm

EXAMPLE = ('{"v": 1, "seq": 1042, "boot": 7, "uptime_ms": 356120, "time": "2026-11-23T13:00:05.120Z", '
           '"readings": {"temperature": 23.5, "humidity": 41.0}, "units": {"temperature": "°C", "humidity": "%"}}')
ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_the_documented_example_is_valid():
    rec = tm.parse_telemetry("makerkit/v1/7a/kit-07/telemetry", EXAMPLE.encode())
    assert (rec.class_id, rec.kit, rec.seq, rec.boot, rec.uptime_ms) == ("7a", "kit-07", 1042, 7, 356120)
    assert rec.time == "2026-11-23T13:00:05.120Z"
    assert rec.readings == {"temperature": 23.5, "humidity": 41.0}
    assert rec.units == {"temperature": "°C", "humidity": "%"}


def test_docs_schema_is_the_one_the_package_uses():
    docs = json.loads((ROOT / "docs" / "telemetry-v1.schema.json").read_text("utf-8"))
    assert docs == tm.schema()


@pytest.mark.parametrize("payload, reason", [
    (b"\xff\xfe", tm.BAD_UTF8),
    (b"{not json", tm.BAD_JSON),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{"t":NaN}}', tm.NOT_FINITE),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{"t":Infinity}}', tm.NOT_FINITE),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{"t":1e999}}', tm.NOT_FINITE),
    (b'{"v":1,"seq":"1","boot":0,"uptime_ms":0,"readings":{"t":1}}', tm.BAD_SCHEMA),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{"t":true}}', tm.BAD_SCHEMA),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{}}', tm.BAD_SCHEMA),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"readings":{"Bad-Name":1}}', tm.BAD_SCHEMA),
    (b'{"v":2,"seq":1,"boot":0,"uptime_ms":0,"readings":{"t":1}}', tm.BAD_SCHEMA),
    (b'{"v":1,"seq":-1,"boot":0,"uptime_ms":0,"readings":{"t":1}}', tm.BAD_SCHEMA),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"time":"yesterday","readings":{"t":1}}', tm.BAD_SCHEMA),
    (b'{"v":1,"seq":1,"boot":0,"uptime_ms":0,"time":"2026-13-45T99:00:00Z","readings":{"t":1}}', tm.BAD_TIME),
    (b"[1, 2]", tm.BAD_SCHEMA),
    (b" " * 4097, tm.TOO_LARGE),
])
def test_invalid_payloads_are_refused_with_a_reason(payload, reason):
    with pytest.raises(tm.TelemetryRejected) as info:
        tm.parse_telemetry("makerkit/v1/7a/kit-07/telemetry", payload)
    assert info.value.reason == reason
    assert isinstance(info.value, TelemetryError)
    assert info.value.detail


def test_33_readings_are_too_many():
    doc = {"v": 1, "seq": 1, "boot": 0, "uptime_ms": 0, "readings": {f"r{i}": i for i in range(33)}}
    with pytest.raises(tm.TelemetryRejected):
        tm.parse_telemetry("makerkit/v1/7a/k/telemetry", json.dumps(doc))


@pytest.mark.parametrize("topic", [
    "makerkit/v1/7a/kit-07", "makerkit/v1/7A/kit-07/telemetry", "makerkit/v2/7a/kit/telemetry",
    "makerkit/v1/7a/kit_07/telemetry", "makerkit/v1/7a/kit/telemetry/extra", "x" * 300,
    "makerkit/v1//kit/telemetry", "makerkit/v1/" + "a" * 33 + "/kit/telemetry",
])
def test_wrong_topic_shapes_are_refused(topic):
    with pytest.raises(tm.TelemetryRejected) as info:
        tm.parse_telemetry(topic, EXAMPLE.encode())
    assert info.value.reason == tm.BAD_TOPIC


def test_time_offsets_are_normalised_to_utc():
    doc = json.loads(EXAMPLE)
    doc["time"] = "2026-11-23T21:00:05.12+08:00"
    rec = tm.parse_telemetry("makerkit/v1/7a/kit-07/telemetry", json.dumps(doc))
    assert rec.time == "2026-11-23T13:00:05.120Z"


def test_build_payload_round_trips_and_refuses_nan():
    data = tm.build_payload(seq=3, boot=1, uptime_ms=10, readings={"t": 1.5}, units={"t": "°C"})
    assert tm.parse_telemetry("makerkit/v1/a/b/telemetry", data).readings == {"t": 1.5}
    with pytest.raises(tm.TelemetryRejected):
        tm.build_payload(seq=3, boot=1, uptime_ms=10, readings={"t": math.nan})


def test_topics_and_subscriptions():
    assert tm.topic("7a", "kit-07") == "makerkit/v1/7a/kit-07/telemetry"
    assert tm.topic("7a", "kit-07", "status") == "makerkit/v1/7a/kit-07/status"
    assert tm.subscription() == "makerkit/v1/+/+/telemetry"
    assert tm.subscription("7a", share="g") == "$share/g/makerkit/v1/7a/+/telemetry"
    assert tm.collector_topic("c1", "stats") == "makerkit/v1/_collector/c1/stats"
    with pytest.raises(TelemetryError):
        tm.topic("7A", "kit")
    assert tm.ranges([5, 1, 2, 3, 7, 8]) == [(1, 3), (5, 5), (7, 8)]


def test_status_replay_and_event_payloads_validate():
    assert tm.parse_message("status", tm.status_payload("online", seq=4, boot=2))["state"] == "online"
    assert tm.parse_message("replay", tm.replay_payload(3, 9, "c1")) == {"v": 1, "from": 3, "to": 9, "by": "c1"}
    with pytest.raises(tm.TelemetryRejected):
        tm.parse_message("status", b'{"v":1,"state":"sleepy"}')
