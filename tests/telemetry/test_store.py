"""The portfolio store, the same tests on SQLite and PostgreSQL: idempotent batches, assignments over
time, time reconstruction inputs, gaps and quarantine bookkeeping."""

from __future__ import annotations

from makerkit.protocol.telemetry import KitKey, parse_telemetry
from makerkit.store import Gap, Quarantined, StoredRecord, now_iso, open_store


def rec(kit, seq, taken, device_time=None, cls="7a"):
    t = f',"time":"{device_time}"' if device_time else ""
    r = parse_telemetry(f"makerkit/v1/{cls}/{kit}/telemetry",
                        f'{{"v":1,"seq":{seq},"boot":1,"uptime_ms":{seq * 1000}{t},"readings":{{"t":{seq}}},"units":{{"t":"°C"}}}}')
    return StoredRecord(r, received_at=taken, taken_at=taken, time_source="device" if device_time else "boot")


def test_batches_are_idempotent_on_kit_and_seq(db_url):
    with open_store(db_url) as store:
        batch = [rec("k1", s, f"2026-11-23T10:00:{s:02d}.000Z") for s in range(1, 11)]
        assert store.write_batch(batch) == 10
        assert store.write_batch(batch[5:] + [rec("k1", 11, "2026-11-23T10:00:11.000Z")]) == 1
        assert store.count() == 11 and store.seqs(KitKey("7a", "k1"), 3, 5) == [3, 4, 5]
        assert store.kit_heads() == {KitKey("7a", "k1"): 11}


def test_a_reading_belongs_to_whoever_held_the_kit_when_it_was_taken(db_url):
    with open_store(db_url) as store:
        store.add_class("7a", "Class 7A")
        li, wang = store.add_student("7a", "Li Lei"), store.add_student("7a", "Wang Fang")
        assert store.add_student("7a", "Li Lei") == li                      # idempotent on the name
        assert li.startswith("s-") and li != wang                           # pseudonymous ids
        store.write_batch([rec("k2", 1, "2026-11-23T09:00:00.000Z"), rec("k2", 2, "2026-11-23T11:00:00.000Z"),
                           rec("k2", 3, "2026-11-23T13:00:00.000Z", device_time="2026-11-23T13:00:00.000Z")])
        assert store.unassigned_kits() == {("7a", "k2"): 3}
        store.assign("7a", "k2", student=li, since="2026-11-23T08:00:00.000Z", until="2026-11-23T12:00:00.000Z")
        store.assign("7a", "k2", student=wang, since="2026-11-23T12:00:00.000Z")       # handed over at noon
        who = {r["seq"]: r["student"] for r in store.export(kit="k2")}
        assert who == {1: li, 2: li, 3: wang}
        named = {r["seq"]: r["student_name"] for r in store.export(kit="k2", names=True)}
        assert named == {1: "Li Lei", 2: "Li Lei", 3: "Wang Fang"}
        rows = list(store.export(kit="k2"))
        assert rows[2]["time"] == "2026-11-23T13:00:00.000Z" and rows[0]["unit"] == "°C"
        assert store.unassigned_kits() == {}
        assert ("7a", "k2") in store.registered_kits() and store.assigned_kits() == {("7a", "k2")}


def test_quarantine_and_gaps_bookkeeping(db_url):
    with open_store(db_url) as store:
        store.write_batch([], [Quarantined(now_iso(), "t", b"\x00\xff", "bad_utf8", "x")])
        assert store.quarantine_count() == 1 and store.quarantined()[0]["payload"] == b"\x00\xff"
        store.add_gaps([Gap("7a", "k3", 5, 9, "open", now_iso())])
        store.add_gaps([Gap("7a", "k3", 5, 9, "open", now_iso())])           # recorded once
        store.update_gap(KitKey("7a", "k3"), 5, requests=2)
        store.update_gap(KitKey("7a", "k3"), 5, state="lost", note="kit no longer holds 5..9")
        (gap,) = store.gaps()
        assert (gap.state, gap.requests, gap.note) == ("lost", 2, "kit no longer holds 5..9")
        assert store.gaps(state="open") == []


def test_boot_epochs_come_back_after_a_restart(db_url):
    with open_store(db_url) as store:
        store.write_batch([rec("k4", 5, "2026-11-23T10:00:05.000Z")])
    with open_store(db_url) as store:                                       # a new collector process
        ((key, (epoch, source)),) = store.boot_epochs().items()
        assert key == ("7a", "k4", "", 1) and source == "boot"
        # uptime 5 s at 10:00:05 -> booted at 10:00:00
        from datetime import datetime, timezone
        assert datetime.fromtimestamp(epoch, timezone.utc).strftime("%H:%M:%S") == "10:00:00"
