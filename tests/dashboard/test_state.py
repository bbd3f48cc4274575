"""The class state stays bounded whatever arrives (a school day of readings, made-up kit ids, junk),
marks kits that stopped reporting, and a page that cannot keep up gets a snapshot, not a backlog."""

from __future__ import annotations

import asyncio
import json
import threading

from makerkit.dashboard import hub as hub_mod
from makerkit.dashboard.state import MAX_KITS, MAX_NAMES, SPARK_POINTS, SPARK_STEP, STALE_AFTER, ClassState


def _reading(seq, readings, units=None):
    doc = {"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq, "readings": readings}
    if units:
        doc["units"] = units
    return json.dumps(doc).encode()


def test_a_day_of_readings_keeps_a_fixed_sparkline():
    state = ClassState(["7a"])
    for i in range(20_000):                          # 20 readings a second for 1,000 s
        state.on_message("makerkit/v1/7a/kit-01/telemetry", _reading(i, {"t": float(i)}), now=i / 20)
    tile = state.tiles["7a/kit-01"]
    assert len(tile.spark["t"]) == SPARK_POINTS
    assert tile.readings["t"] == 19_999.0
    assert list(tile.spark["t"])[-1] >= 19_999 - 20 * SPARK_STEP
    changes = state.take_changes()
    assert len(changes) == 1 and state.take_changes() == []     # one change per kit, however many messages


def test_made_up_kits_names_and_junk_do_not_grow_it():
    state = ClassState(["7a"])
    for i in range(MAX_KITS + 100):
        state.on_message(f"makerkit/v1/7a/k{i}/telemetry", _reading(1, {"x": 1}))
    assert len(state.tiles) == MAX_KITS and state.ignored == 100
    for i in range(MAX_NAMES + 10):
        state.on_message("makerkit/v1/7a/k1/telemetry", _reading(i, {f"n{i}": 1.0}))
    assert len(state.tiles["7a/k1"].readings) == MAX_NAMES
    before = state.ignored
    for topic, payload in [("makerkit/v1/7a/k1/telemetry", b"not json"), ("makerkit/v1/7b/k1/telemetry", _reading(1, {"x": 1})),
                           ("makerkit/v1/7a/k1/telemetry", b"[1, 2]"), ("other/topic", b"{}"),
                           ("makerkit/v1/7a/k1/telemetry", b"\xff\xfe")]:
        state.on_message(topic, payload)
    assert state.ignored == before + 5
    state.on_message("makerkit/v1/7a/k2/telemetry", b'{"v":1,"readings":{"a":NaN,"b":true,"c":"x","d":2}}')
    assert state.tiles["7a/k2"].readings == {"x": 1, "d": 2}


def test_status_events_and_stale_kits():
    state = ClassState()
    state.on_message("makerkit/v1/7a/kit-01/status", b'{"v":1,"state":"online","fw":"makerkit 1.0.0"}')
    state.on_message("makerkit/v1/7a/kit-01/telemetry", _reading(1, {"t": 20}, {"t": "°C"}), now=100.0)
    state.check_stale(now=100.0 + STALE_AFTER - 1)
    assert not state.tiles["7a/kit-01"].stale
    state.check_stale(now=100.0 + STALE_AFTER + 1)
    assert state.tiles["7a/kit-01"].stale
    state.on_message("makerkit/v1/7a/kit-01/telemetry", _reading(2, {"t": 21}), now=200.0)
    assert not state.tiles["7a/kit-01"].stale
    state.on_message("makerkit/v1/7a/kit-01/status", b'{"v":1,"state":"offline"}')
    state.check_stale(now=500.0)
    tile = state.tiles["7a/kit-01"]
    assert tile.status == "offline" and not tile.stale            # offline says more than stale
    state.on_message("makerkit/v1/7a/kit-01/event", b'{"v":1,"event":"checkpoint","data":{"lesson":"03-thermometer",'
                                                     b'"label":"LED on"}}')
    state.on_message("makerkit/v1/7a/kit-01/event", b'{"v":1,"event":"control_ack","data":{"id":"r-1","cmd":"stop",'
                                                     b'"done":"stopped"}}')
    full = state.snapshot()[0]
    assert full["lesson"] == "03-thermometer" and full["checkpoint"] == "LED on"
    assert full["ack"]["done"] == "stopped" and full["units"] == {"t": "°C"} and full["fw"] == "makerkit 1.0.0"


def test_holders_and_the_names_switch():
    state = ClassState(["7a"])
    state.set_roster("7a", ["kit-01", "kit-02"], {"kit-01": {"student": "s-1", "group": None}},
                     {"s-1": "王小明"}, {}, {"kit-02": {"lesson_id": "01-blink", "mode": "run", "outcome": "finished",
                                                       "ran_at": "2026-12-01T08:05:00.000Z"}},
                     {("kit-02", "01-blink"): {"outcome": "failed", "ran_at": "2026-12-01T08:00:00.000Z"},
                      ("kit-02", "00-other"): {"outcome": "passed", "ran_at": "2026-12-01T07:00:00.000Z"}})
    snap = {t["kit"]: t for t in state.snapshot()}
    assert snap["kit-01"]["holder"] == "s-1" and snap["kit-02"]["holder"] == ""
    assert snap["kit-01"]["holder_id"] == "s-1" and snap["kit-01"]["holder_kind"] == "student"
    # the newest run names the lesson (a run, not a check); its outcome is the newest check of that lesson
    assert snap["kit-02"]["lesson"] == "01-blink" and not snap["kit-02"]["running"]
    assert snap["kit-02"]["check"] == {"lesson": "01-blink", "outcome": "failed", "at": "2026-12-01T08:00:00.000Z"}
    assert snap["kit-01"]["lesson"] == "" and snap["kit-01"]["check"] is None
    state.take_changes()
    state.show_names(True)
    change = {c["id"]: c for c in state.take_changes()}["7a/kit-01"]
    assert change["holder"] == "王小明" and change["holder_id"] == "s-1"      # links keep the pseudonymous id


def _lesson(cls, kit, **data):
    cls.on_message(f"makerkit/v1/7a/{kit}/event", json.dumps({"v": 1, "event": "lesson", "data": data}).encode())


def test_the_running_lesson_and_its_last_check_live_and_from_the_store():
    state = ClassState(["7a"])
    _lesson(state, "kit-01", lesson="03-thermometer", state="running", mode="check")
    tile = state.snapshot()[0]
    assert tile["lesson"] == "03-thermometer" and tile["running"] and tile["check"] is None
    _lesson(state, "kit-01", lesson="03-thermometer", state="ended", mode="check", outcome="passed")
    tile = state.snapshot()[0]
    assert not tile["running"] and tile["check"]["outcome"] == "passed" and tile["check"]["lesson"] == "03-thermometer"
    # an older stored check of the same lesson does not hide the newer live one
    state.set_roster("7a", ["kit-01"], {}, {}, {}, {"kit-01": {"lesson_id": "03-thermometer", "mode": "check",
                                                            "outcome": "failed", "ran_at": "2000-01-01T00:00:00.000Z"}},
                     {("kit-01", "03-thermometer"): {"outcome": "failed", "ran_at": "2000-01-01T00:00:00.000Z"}})
    assert state.snapshot()[0]["check"]["outcome"] == "passed"
    # a new lesson starts: its own outcome, none yet; a plain run's end says no checker outcome
    _lesson(state, "kit-01", lesson="04-traffic-light", state="running", mode="run")
    tile = state.snapshot()[0]
    assert tile["lesson"] == "04-traffic-light" and tile["running"] and tile["check"] is None
    _lesson(state, "kit-01", lesson="04-traffic-light", state="ended", mode="run", outcome="finished")
    assert state.snapshot()[0]["check"] is None and not state.snapshot()[0]["running"]
    # a newer stored run (recorded at its end) names the lesson; junk outcomes and names are not taken
    state.set_roster("7a", ["kit-01"], {}, {}, {}, {"kit-01": {"lesson_id": "05-button", "mode": "check",
                                                            "outcome": "crashed", "ran_at": "2999-01-01T00:00:00.000Z"}},
                     {("kit-01", "05-button"): {"outcome": "crashed", "ran_at": "2999-01-01T00:00:00.000Z"}})
    tile = state.snapshot()[0]
    assert tile["lesson"] == "05-button" and tile["check"]["outcome"] == "crashed"
    _lesson(state, "kit-02", lesson="x" * 500, state="ended", mode="check", outcome="<b>won</b>")
    other = {t["kit"]: t for t in state.snapshot()}["kit-02"]
    assert len(other["lesson"]) == 64 and other["check"] is None


def test_a_page_that_lags_gets_a_snapshot_instead_of_a_backlog():
    async def run():
        state = ClassState()
        state.on_message("makerkit/v1/7a/kit-01/telemetry", _reading(1, {"t": 1}))
        hub = hub_mod.Hub(state)
        stream = hub.stream(None)
        assert (await stream.__anext__()).startswith("retry:")
        assert '"snapshot"' in await stream.__anext__()
        for i in range(hub_mod.QUEUE_BATCHES * 3):          # the page reads nothing meanwhile
            hub.broadcast([{"id": "7a/kit-01", "readings": {"t": i}}])
        (sub,) = hub.subscribers
        assert sub.queue.qsize() <= hub_mod.QUEUE_BATCHES
        texts = [await stream.__anext__() for _ in range(sub.queue.qsize())]
        assert any('"snapshot"' in t for t in texts)
        hub.end_streams()
        await stream.aclose()
        assert not hub.subscribers
    # on a thread of its own: playwright's sync API (other tests of this run) keeps a loop on this one
    errors = []
    thread = threading.Thread(target=lambda: errors.append(asyncio.run(run())))
    thread.start()
    thread.join(30)
    assert errors == [None]
