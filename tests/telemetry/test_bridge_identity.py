"""``makerkit bridge`` keeps every record of a replaced or reset board behind the same kit id (issue 10,
point 6): its outbox is keyed by the kit's incarnation and ``seq``. A new incarnation is stored under
its own key; a board without incarnations that numbers again is kept as ``reused``, acknowledged (it is
on disk), published (the collector quarantines it as ``seq_reused``) and reported to the user. An
outbox file of makerkit 0.1 (keyed by ``seq`` alone) is upgraded in place. Real mosquitto, the real
firmware in virtual kits."""

from __future__ import annotations

import json
import sqlite3

import pytest

import makerkit
from makerkit.bridge import Bridge
from makerkit.collector import Collector
from makerkit.store.outbox import Outbox

from .conftest import seqs_of, wait_until


def publish_many(kit, first, n, name="light"):
    return [kit.publish(name, (first + i) / 1000, unit="lx")["seq"] for i in range(n)]


def with_incarnation(fs, inc):
    """A kit's flash as ``makerkit deploy`` leaves it: its incarnation in the config and the counters file."""
    fs.mkdir(parents=True)
    (fs / "makerkit.json").write_text(json.dumps({"kit": "uno-9", "class": "7b", "inc": inc}))
    (fs / "mkfw_state.json").write_text(json.dumps({"boot": 0, "seq": 0, "inc": inc}))
    return fs


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_reset_board_without_incarnations_is_kept_reported_and_quarantined_not_dropped(tmp_path, db_url, broker):
    outbox = str(tmp_path / "outbox.db")
    col = Collector(broker.url, db_url, collector_id="reuse").start()
    try:
        with makerkit.connect("sim://uno", clock="virtual") as kit:
            kit.configure(kit="uno-3", class_="7b")
            with Bridge(kit, broker.url, outbox=outbox) as bridge:
                first = publish_many(kit, 0, 10)
                wait_until(lambda: col.store.count("uno-3") == 10, 15, what="the first board's readings")
        # the same kit id on a board whose memory is new (replaced, or its EEPROM wiped): seq starts again
        with makerkit.connect("sim://uno", clock="virtual") as kit:
            kit.configure(kit="uno-3", class_="7b")
            with Bridge(kit, broker.url, outbox=outbox) as bridge:
                second = publish_many(kit, 500, 10)
                assert set(second) & set(first), "the new board numbers from the start again"
                wait_until(lambda: bridge.outbox.count(sent=False) == 0 and bridge.reused == len(set(second) & set(first)),
                           15, what="reused records saved and published")
                kit.sleep(0.05)
                assert kit.sim.device.app.telemetry.pending() == 0   # acknowledged: they are on disk
                notices = bridge.take_notices()
                assert any(n["code"] == "seq_reused" and "replaced" in n["en"] and "更换" in n["zh"] for n in notices)
                held = bridge.outbox.count_reused()
        overlap = len(set(second) & set(first))
        assert held == overlap
        wait_until(lambda: col.store.quarantine_count() == overlap, 15, what="seq_reused in the collector")
        assert {q["reason"] for q in col.store.quarantined()} == {"seq_reused"}
        assert seqs_of(col.store, "uno-3") == sorted(set(first) | set(second))
    finally:
        col.stop()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_replaced_board_with_a_new_incarnation_is_stored_under_it(tmp_path, db_url, broker):
    outbox = str(tmp_path / "outbox.db")
    col = Collector(broker.url, db_url, collector_id="incs").start()
    try:
        got = {}
        for inc in ("aaaa11", "bbbb22"):
            fs = with_incarnation(tmp_path / inc, inc)
            with makerkit.connect("sim://esp32", clock="virtual", fs_dir=fs) as kit:
                assert kit.identity.info.get("inc") == inc
                with Bridge(kit, broker.url, outbox=outbox) as bridge:
                    got[inc] = publish_many(kit, 0, 8)
                    wait_until(lambda: bridge.outbox.count(sent=False) == 0, 15, what="published")
                    assert bridge.reused == 0
        assert got["aaaa11"] == got["bbbb22"]                     # the same numbers, two incarnations
        wait_until(lambda: col.store.count("uno-9") == 16, 15, what="both incarnations stored")
        assert col.store.quarantine_count() == 0
        rows = col.store._execute("SELECT inc, COUNT(*) FROM telemetry WHERE kit_id = 'uno-9' GROUP BY inc ORDER BY inc")
        assert [tuple(r) for r in rows] == [("aaaa11", 8), ("bbbb22", 8)]
        box = Outbox(outbox)
        assert box.count() == 16 and box.count_reused() == 0 and box.last_seq("aaaa11") == max(got["aaaa11"])
        box.close()
    finally:
        col.stop()


def old_outbox(path, rows):
    """An outbox file as makerkit 0.1 wrote it: keyed by seq alone."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE records (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL, sent INTEGER NOT NULL DEFAULT 0)")
    db.executemany("INSERT INTO records VALUES (?, ?, ?)", rows)
    db.commit()
    db.close()


def payload(seq, **extra):
    return json.dumps({"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq * 1000, "readings": {"light": seq / 10},
                       **extra}).encode()


def test_an_outbox_of_makerkit_0_1_is_upgraded_in_place(tmp_path):
    path = str(tmp_path / "old.db")
    old_outbox(path, [(s, payload(s), 1) for s in range(1, 6)] + [(s, payload(s), 0) for s in range(6, 9)]
               + [(9, payload(9, inc="k3v9x2m7q1aa"), 0)])
    box = Outbox(path)
    try:
        assert box.migrated_from == 0
        assert box.count() == 9 and box.count(sent=False) == 4 and box.count(sent=True) == 5
        assert [s for s, _ in box.between("", 1, 100)] == list(range(1, 9))
        assert [s for s, _ in box.between("k3v9x2m7q1aa", 1, 100)] == [9]
        assert [json.loads(p)["seq"] for _, p in box.unsent(10)] == [6, 7, 8, 9]      # published in seq order
        # the same numbers again: redeliveries are no-ops, other content is kept as reused
        assert box.add([("", 6, payload(6))]) == []
        other = json.dumps({"v": 1, "seq": 7, "boot": 1, "uptime_ms": 5, "readings": {"light": 9.9}}).encode()
        reused = box.add([("", 7, other)])
        assert [(r.inc, r.seq) for r in reused] == [("", 7)] and box.count_reused() == 1
    finally:
        box.close()
    version = sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0]
    assert version == 2
    again = Outbox(path)
    assert again.migrated_from is None and again.count() == 10
    again.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_bridge_on_an_old_outbox_publishes_what_waited_in_it(tmp_path, db_url, broker):
    path = str(tmp_path / "old.db")
    old_outbox(path, [(s, payload(s), 0) for s in range(1, 21)])
    col = Collector(broker.url, db_url, collector_id="old").start()
    try:
        with makerkit.connect("sim://uno", clock="virtual") as kit:
            kit.configure(kit="uno-5", class_="7b")
            with Bridge(kit, broker.url, outbox=path) as bridge:
                assert any(n["code"] == "outbox_migrated" and n["zh"] for n in bridge.take_notices())
                wait_until(lambda: col.store.count("uno-5") == 20, 15, what="the old outbox's records")
        assert seqs_of(col.store, "uno-5") == list(range(1, 21))
    finally:
        col.stop()
