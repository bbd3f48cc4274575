"""A board with sensors of its own publishes them every ``interval`` seconds by itself (mkfw.onboard),
on the virtual kit running the real firmware."""

from __future__ import annotations

import json

import pytest

import makerkit
from makerkit.catalog import load_board
from mkfw.profile import from_board


def records(kit):
    tel = kit.sim.device.app.telemetry
    got, _ = tel.outbox.records(1, tel.next_seq - 1, 100)
    return [json.loads(payload) for _seq, payload in got]


def test_the_mpython_profile_names_its_light_and_sound_sensors():
    board = load_board("mpython")
    sensors = from_board(board)["sensors"]
    assert sensors == {"light": board.pin("P4").number, "sound": board.pin("P10").number}
    assert "sensors" not in from_board(load_board("esp32"))     # a bare DevKit has none


def test_an_mpython_kit_samples_its_own_sensors_every_interval():
    with makerkit.connect("sim://mpython", clock="virtual") as kit:
        kit.sim.world.set_light(0.25)
        kit.configure(kit="kit-01", class_="7a", interval=1)
        kit.sleep(3.5)
        docs = records(kit)
    assert len(docs) == 3
    assert [d["uptime_ms"] for d in docs] == sorted(d["uptime_ms"] for d in docs)
    gaps = [b["uptime_ms"] - a["uptime_ms"] for a, b in zip(docs, docs[1:])]
    assert gaps == [1000, 1000]
    for doc in docs:
        assert doc["readings"]["light"] == pytest.approx(25.0, abs=0.1)
        assert set(doc["readings"]) == {"light", "sound"}
        assert doc["units"] == {"light": "%", "sound": "%"}


def test_a_longer_interval_samples_less_and_a_board_without_sensors_publishes_nothing():
    with makerkit.connect("sim://mpython", clock="virtual") as kit:
        kit.configure(kit="kit-02", class_="7a", interval=2)
        kit.sleep(4.5)
        assert len(records(kit)) == 2
    with makerkit.connect("sim://esp32", clock="virtual") as kit:
        kit.configure(kit="kit-03", class_="7a", interval=1)
        kit.sleep(3.5)
        assert records(kit) == []
