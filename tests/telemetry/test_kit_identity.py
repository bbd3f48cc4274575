"""Kit identity that survives real life (issue 8, point 3), on SQLite and PostgreSQL, with the real
firmware in virtual ESP32 kits served on a socket, deployed by ``makerkit deploy`` (with ``--db``),
publishing to a real mosquitto, and the collector storing what they send:

- a kit handed over without ``--since``: the previous holder ends then, their readings stay theirs;
- a kit erased and deployed again for a new term (boot counter back to 1, seq from 1): a new
  incarnation, nothing quarantined, new readings to the new holder, the old ones stay with the old;
- two classes using the same kit label: two kits, each reading with its own class's student;
- a kit moved to another class: its readings before the move stay in the old class, after it in the new.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest

import makerkit
from makerkit.collector import Collector
from makerkit.flash.deploy import deploy
from makerkit.protocol.telemetry import INC_RE
from makerkit.roster import class_overview
from makerkit.sim import serve
from makerkit.store import now_iso, open_store

from .conftest import wait_until


@contextmanager
def running(db_url, broker):
    col = Collector(broker.url, db_url, collector_id="identity", gap_grace=0.3, gap_retry=0.5).start()
    try:
        yield col
    finally:
        col.stop()


def kit_deploy(server, db_url, broker, cls: str, kit: str):
    return deploy(port=server.url, kit_id=kit, class_id=cls, wifi_ssid="lab", broker=broker.url, db=db_url,
                  timeout=15)


def publish(server, values) -> list[dict]:
    """Readings through the real firmware (MK_TELEMETRY PUT), as a lesson's kit.publish sends them."""
    with makerkit.connect(server.url, timeout=5) as kit:
        return [kit.publish("temperature", v, unit="°C") for v in values]


def rows(store, cls: str, kit: str) -> list[dict]:
    return [dict(r, inc=inc) for r, inc in zip(
        store.export(kit=kit, class_id=cls),
        [row[0] for row in store._execute("SELECT inc FROM telemetry WHERE class_id = ? AND kit_id = ? "
                                          "ORDER BY inc, seq", (cls, kit))])]


def erase(fs: Path) -> None:
    """What erasing the flash does to a board, except its factory MAC (the virtual MAC file stays)."""
    for entry in fs.iterdir():
        if entry.name != "mkfw_hw.json":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()


@pytest.fixture
def roster(db_url):
    with open_store(db_url) as store:
        for cls in ("7a", "7b"):
            store.add_class(cls)
        for sid, cls in (("s-anna", "7a"), ("s-ben", "7a"), ("s-chen", "7b"), ("s-dora", "7b")):
            store.add_student(cls, sid.title(), student_id=sid)
    return db_url


def test_hand_over_without_since_then_erased_and_redeployed_for_a_new_term(roster, broker, tmp_path):
    db_url = roster
    fs = tmp_path / "kit07"
    with running(db_url, broker) as col:
        with serve("esp32", listen="127.0.0.1:0", fs_dir=fs) as server:
            first = kit_deploy(server, db_url, broker, "7a", "kit-07")
            assert first.confirmed and INC_RE.match(first.inc) and first.username == "7a.kit-07"
            with open_store(db_url) as store:
                store.assign("7a", "kit-07", student="s-anna")                   # no --since: from now
            publish(server, [20.0, 20.5, 21.0])
            wait_until(lambda: col.store.count("kit-07", "7a") == 3, 20, what="term 1 readings")
            with open_store(db_url) as store:
                store.assign("7a", "kit-07", student="s-ben")                    # no --since: Anna ends now
                handed_over = store.history("7a", "kit-07")[-1].since
            publish(server, [22.0])
            wait_until(lambda: col.store.count("kit-07", "7a") == 4, 20, what="Ben's first reading")
        erase(fs)                                                        # the summer holidays
        with serve("esp32", listen="127.0.0.1:0", fs_dir=fs) as server:
            with open_store(db_url) as store:
                store.assign("7a", "kit-07", student="s-anna")                   # next term: Anna again
                new_term = store.history("7a", "kit-07")[-1].since
            second = kit_deploy(server, db_url, broker, "7a", "kit-07")
            assert second.identity["boot"] == 1 and second.inc != first.inc          # counters start again
            again = publish(server, [30.0, 31.0])
            assert again[0]["seq"] == 1 and again[0]["boot"] == 1 and again[0]["inc"] == second.inc
            wait_until(lambda: col.store.count("kit-07", "7a") == 6, 20, what="term 2 readings")
        store = col.store
        assert store.quarantine_count() == 0                                     # nothing taken for a reused seq
        got = rows(store, "7a", "kit-07")
        by_value = {r["value"]: r for r in got}
        assert {v: by_value[v]["student"] for v in (20.0, 20.5, 21.0)} == dict.fromkeys((20.0, 20.5, 21.0), "s-anna")
        assert by_value[22.0]["student"] == "s-ben" and by_value[22.0]["time"] >= handed_over
        assert by_value[30.0]["student"] == by_value[31.0]["student"] == "s-anna"
        assert by_value[30.0]["time"] >= new_term                            # dated in the new term, not the old
        assert {r["inc"] for r in got} == {first.inc, second.inc}
        assert sorted(r["seq"] for r in got if r["inc"] == second.inc) == [1, 2]
        kit = store.kits("7a", "kit-07")[0]
        assert kit["inc"] == second.inc and kit["hw_id"] == first.inventory["hw_id"]   # same board, new life
        assert kit["hw_id"] and kit["board"] == "esp32" and kit["firmware"].startswith("makerkit ")


def test_two_classes_with_the_same_kit_label_and_a_kit_moved_to_another_class(roster, broker, tmp_path):
    db_url = roster
    with running(db_url, broker) as col:
        with serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / "a") as kit_a, \
                serve("esp32", listen="127.0.0.1:0", fs_dir=tmp_path / "b") as kit_b:
            a = kit_deploy(kit_a, db_url, broker, "7a", "kit-07")
            b = kit_deploy(kit_b, db_url, broker, "7b", "kit-07")
            assert (a.username, b.username) == ("7a.kit-07", "7b.kit-07")
            with open_store(db_url) as store:
                store.assign("7a", "kit-07", student="s-anna")
                store.assign("7b", "kit-07", student="s-chen")
            publish(kit_a, [1.0, 2.0])
            publish(kit_b, [101.0, 102.0, 103.0])
            wait_until(lambda: col.store.count("kit-07", "7a") == 2 and col.store.count("kit-07", "7b") == 3, 20,
                       what="both classes' readings")
            # 7b's kit-07 moves to 7a as kit-12 (the school reshuffles its sets)
            moved_at = now_iso()
            with open_store(db_url) as store:
                store.release("7b", "kit-07")
            moved = kit_deploy(kit_b, db_url, broker, "7a", "kit-12")
            assert moved.inc != b.inc and moved.username == "7a.kit-12"
            with open_store(db_url) as store:
                store.assign("7a", "kit-12", student="s-ben")
            after = publish(kit_b, [201.0])
            assert after[0]["seq"] == 1                                  # its stream in 7a starts at the start
            wait_until(lambda: col.store.count("kit-12", "7a") == 1, 20, what="the moved kit's reading")
        store = col.store
        assert {r["value"]: r["student"] for r in store.export(kit="kit-07", class_id="7a")} == {
            1.0: "s-anna", 2.0: "s-anna"}
        assert {r["value"]: r["student"] for r in store.export(kit="kit-07", class_id="7b")} == {
            101.0: "s-chen", 102.0: "s-chen", 103.0: "s-chen"}
        assert [(r["value"], r["student"], r["class"]) for r in store.export(kit="kit-12")] == [(201.0, "s-ben", "7a")]
        assert next(store.export(kit="kit-12"))["time"] >= moved_at
        assert store.quarantine_count() == 0 and [g for g in store.gaps() if g.state != "healed"] == []
        hw = {(k["class"], k["kit"]): k["hw_id"] for k in store.kits()}
        assert hw[("7b", "kit-07")] == hw[("7a", "kit-12")] != hw[("7a", "kit-07")]   # the same board moved
        view = class_overview(store, "7a")
        assert {k["kit"]: k["holder"]["id"] for k in view["kits"]} == {"kit-07": "s-anna", "kit-12": "s-ben"}
