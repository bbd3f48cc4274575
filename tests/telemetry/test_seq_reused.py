"""A (kit, seq) stored again with other content (a kit whose memory was wiped) is quarantined as
``seq_reused``; a true redelivery (same content) stays a silent no-op. Both portfolio engines, and
through the collector against a real mosquitto."""

from __future__ import annotations

import json

from makerkit.classroom.headless import HeadlessKit
from makerkit.collector import Collector
from makerkit.protocol import telemetry as tm
from makerkit.store import StoredRecord, open_store

from .conftest import KitRunner, wait_until


def rec(kit, seq, boot, uptime, value):
    where = tm.Topic("7a", kit, "telemetry")
    payload = json.dumps({"v": 1, "seq": seq, "boot": boot, "uptime_ms": uptime, "readings": {"t": value}}).encode()
    r = tm.parse_telemetry(where, payload)
    return StoredRecord(r, "2026-11-23T10:00:00.000Z", "2026-11-23T10:00:00.000Z", "received"), payload


def test_store_quarantines_reused_seq_but_not_redeliveries(db_url):
    store = open_store(db_url)
    try:
        first = [rec("k1", s, 1, s * 1000, 20.0 + s) for s in range(1, 6)]
        assert store.write_batch([r for r, _ in first]) == 5
        # redelivery: identical content -> nothing new, nothing quarantined
        reused: list = []
        assert store.write_batch([r for r, _ in first[2:]], payloads=[p for _, p in first[2:]], reused=reused) == 0
        assert reused == [] and store.quarantine_count() == 0
        # a wiped kit: boot 1 again, seq 1.. again, other uptimes and readings; seq 6 is new and lands
        wiped = [rec("k1", s, 1, s * 700, 30.0 + s) for s in range(1, 7)]
        reused = []
        added = store.write_batch([r for r, _ in wiped], payloads=[p for _, p in wiped], reused=reused)
        assert added == 1
        assert [q.reason for q in reused] == ["seq_reused"] * 5
        rows = store.quarantined()
        assert len(rows) == 5 and {r["reason"] for r in rows} == {"seq_reused"}
        assert rows[0]["payload"] == wiped[0][1]                     # byte for byte
        assert rows[0]["topic"] == "makerkit/v1/7a/k1/telemetry"
        assert "wiped" in rows[0]["detail"] and "seq 1" in rows[0]["detail"]
        # the stored rows are the first ones, untouched
        assert [r["value"] for r in store.export(kit="k1")] == [21.0, 22.0, 23.0, 24.0, 25.0, 36.0]
        # another boot number with the same seq is reused as well
        reused = []
        store.write_batch([rec("k1", 2, 2, 2000, 22.0)[0]], reused=reused)
        assert len(reused) == 1 and "boot 2" in reused[0].detail
    finally:
        store.close()


def test_collector_quarantines_a_wiped_kit_and_counts_it(broker, db_url, tmp_path):
    col = Collector(broker.url, db_url, collector_id="reuse", gap_grace=0.3, gap_retry=0.5).start()
    try:
        runner = KitRunner([HeadlessKit("7a", "wk", broker=broker.url)], 20, rate=200).start()
        assert runner.done.wait(20)
        runner.close()
        wait_until(lambda: col.store.count("wk") == 20, 10, what="first rows")
        # the same kit id, memory wiped: numbering starts over at boot 1, seq 1
        kit = HeadlessKit("7a", "wk", broker=broker.url)
        try:
            for i in range(10):
                kit.record({"temperature": 30.0 + i})
            wait_until(lambda: (kit.pump(), kit.pending == 0)[1], 10, what="the wiped kit's records sent")
        finally:
            kit.close()
        wait_until(lambda: col.stats.quarantined >= 10, 10, what="quarantined reused seqs")
        assert col.store.count("wk") == 20
        assert {q["reason"] for q in col.store.quarantined()} == {"seq_reused"}
        assert col.stats.quarantined == 10 and col.stats.duplicates == 0
    finally:
        col.stop()
