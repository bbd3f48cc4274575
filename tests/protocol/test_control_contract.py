"""The teacher-control contract on the host (docs/TELEMETRY.md §4a): messages, answers, and the same
checks the kits make (the firmware's ``mkfw.control.check`` agrees on every case)."""

from __future__ import annotations

import json

import pytest

from makerkit.errors import UsageError
from makerkit.protocol import control as ctl
from mkfw import control as kit_control


def test_control_payload_golden_bytes():
    assert ctl.control_payload("stop", request_id="r-1", by="7a.teacher") == \
        b'{"v":1,"id":"r-1","cmd":"stop","by":"7a.teacher"}'
    assert json.loads(ctl.control_payload("say", request_id="r-2", text="整理桌面")) == \
        {"v": 1, "id": "r-2", "cmd": "say", "text": "整理桌面"}
    assert ctl.control_topic("7a") == "makerkit/v1/7a/_class/control"
    assert ctl.control_topic("7a", "kit-07") == "makerkit/v1/7a/kit-07/control"
    with pytest.raises(UsageError):
        ctl.control_payload("say", request_id="r-3", text="")
    with pytest.raises(ValueError):
        ctl.control_payload("dance", request_id="r-4")


CASES = [
    (b'{"v":1,"id":"r","cmd":"stop"}', True),
    (b'{"v":1,"id":"r","cmd":"say","text":"hi","by":"t"}', True),
    (b'{"v":1,"id":"r","cmd":"say"}', False),
    (b'{"v":1,"id":"r","cmd":"say","text":""}', False),
    (json.dumps({"v": 1, "id": "r", "cmd": "say", "text": "x" * 201}).encode(), False),
    (b'{"v":2,"id":"r","cmd":"stop"}', False),
    (b'{"v":1,"id":5,"cmd":"stop"}', False),
    (b'{"v":1,"id":"r","cmd":"stop","by":["x"]}', False),
    (b'[1]', False),
    (b'\xff', False),
    (b'{"v":1,"id":"r","cmd":"stop","pad":"' + b"x" * 1100 + b'"}', False),
]


@pytest.mark.parametrize("payload,valid", CASES)
def test_host_and_kit_agree_on_what_is_a_control_message(payload, valid):
    assert (ctl.parse_control(payload) is not None) is valid
    assert (kit_control.check(payload)[1] is None) is valid


def test_parse_ack():
    topic = "makerkit/v1/7a/kit-07/event"
    ack = ctl.parse_ack(topic, ctl.ack_payload("r-1", "stop", "stopped", via="bridge", outputs=3))
    assert ack == ctl.ControlAck(kit="kit-07", request_id="r-1", cmd="stop", done="stopped", via="bridge", outputs=3)
    refused = json.dumps({"v": 1, "event": "control_ack", "boot": 2, "uptime_ms": 9,
                          "data": {"id": "r-2", "cmd": "dance", "done": "refused", "reason": "bad_cmd"}}).encode()
    assert ctl.parse_ack(topic, refused).reason == "bad_cmd"
    assert ctl.parse_ack(topic, b'{"v":1,"event":"checkpoint","data":{"id":"r-1"}}') is None
    assert ctl.parse_ack(topic, b'{"v":1,"event":"control_ack","data":{"id":"r","cmd":"stop","done":"maybe"}}') is None
    assert ctl.parse_ack("makerkit/v1/7a/kit-07/status", ctl.ack_payload("r", "stop", "stopped")) is None
    assert ctl.parse_ack(topic, b"junk") is None
