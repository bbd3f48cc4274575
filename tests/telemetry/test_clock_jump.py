"""A laptop clock that jumps (an NTP correction, a teacher setting the clock by hand, daylight-saving
mistakes) during ``classroom up``: no reading is lost and none is misdated.

The classroom runs in this process, so the test moves the wall clock (``time.time``) of everything
in it — broker, collector, virtual kits — by an hour forward and later by two hours back, while the
kits keep publishing. Each kit's readings must then be whole (every seq once), and their dates must
follow the kit's own uptime: two readings taken 0.3 s apart are dated 0.3 s apart, whichever way
the laptop's clock moved in between."""

from __future__ import annotations

import threading
import time
from datetime import datetime

import pytest

from makerkit.classroom.headless import HeadlessKit
from makerkit.classroom.room import Classroom

from support.brokers import free_port
from .conftest import wait_until

pytestmark = pytest.mark.slow


class JumpingClock:
    """``time.time`` with an offset the test can change."""

    def __init__(self, real):
        self.real = real
        self.offset = 0.0

    def __call__(self) -> float:
        return self.real() + self.offset


def _ts(iso: str) -> float:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).timestamp()


def test_a_laptop_clock_jump_loses_and_misdates_nothing(tmp_path, monkeypatch):
    clock = JumpingClock(time.time)
    monkeypatch.setattr(time, "time", clock)
    room = Classroom(kits=2, db=str(tmp_path / "room.db"), port=free_port(), interval=0.3).start()
    store = room.collector.store
    # and a kit that never learnt the time (no NTP, no laptop): its readings are dated from boot + uptime
    clockless = HeadlessKit("demo", "kit-99", broker=room.broker.url)
    stop = threading.Event()

    def publish():
        while not stop.wait(0.3):
            clockless.record({"t": 20.0})
            clockless.pump()
    pumper = threading.Thread(target=publish, daemon=True)
    pumper.start()
    try:
        wait_until(lambda: store.count() >= 20, 30, what="readings before the jump")
        clock.offset = 3600.0                                  # the laptop's clock jumps an hour ahead
        start = store.count()
        wait_until(lambda: store.count() >= start + 20, 30, what="readings after the forward jump")
        clock.offset = -3600.0                                 # ... and then two hours back
        start = store.count()
        wait_until(lambda: store.count() >= start + 20, 30, what="readings after the backward jump")
        room.check()
    finally:
        stop.set()
        pumper.join(5)
        clockless.pump()
        clockless.close()
        summary = room.stop()
    assert summary.stored >= 60
    from makerkit.store import open_store
    with open_store(room.db_url) as store:
        for kit in ("kit-01", "kit-02", "kit-99"):
            rows = store._execute("SELECT seq, boot, uptime_ms, taken_at, received_at, time_source FROM telemetry "
                                  "WHERE kit_id = ? ORDER BY seq", (kit,))
            seqs = [r[0] for r in rows]
            assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"{kit}: a reading is missing"
            received = [_ts(r[4]) for r in rows]
            assert max(received) - min(received) > 3000, "the laptop clock did not jump for the collector"
            for (s1, b1, u1, t1, _, _), (s2, b2, u2, t2, _, _) in zip(rows, rows[1:]):
                if b1 != b2:
                    continue
                dated, measured = _ts(t2) - _ts(t1), (u2 - u1) / 1000
                # Never dated further apart than taken (a kit's own clock follows its uptime; a boot
                # placed from receive times only moves earlier, as quicker deliveries come: 10 ms for
                # the stored milliseconds). Closer together only by how much quicker a later delivery
                # was than every earlier one, which a loaded machine can make a second or more; the
                # laptop's jumps would show as an hour or two.
                assert -30.0 < dated - measured <= 0.010, (
                    f"{kit} seq {s1}->{s2}: taken {measured:.3f} s apart but dated {dated:.3f} s apart")
        exported = {(r["kit"], r["seq"]): _ts(r["time"]) for r in store.export()}
        assert all(abs(exported[(kit, seq)] - _ts(taken)) < 0.01 for kit, seq, taken in
                   store._execute("SELECT kit_id, seq, taken_at FROM telemetry"))


def test_the_time_base_keeps_a_boot_on_the_clock_it_was_placed_with():
    from makerkit.collector.timebase import TimeBase
    from makerkit.protocol.telemetry import TelemetryRecord
    tb = TimeBase()
    base = 1_790_000_000.0

    def stamp(seq, wall, mono, boot=1):
        tb.observe_clock(wall, mono)
        rec = TelemetryRecord("7a", "kit-t", seq, boot, seq * 1000, None, {"t": 1.0}, {})
        return _ts(tb.stamp(rec, wall)[0])
    first = stamp(1, base + 1.2, 100.0)               # received 0.2 s after it was taken
    assert stamp(2, base + 3602.1, 101.0) - first == pytest.approx(1.0)        # the wall clock jumped +1 h
    assert stamp(3, base - 3596.9, 102.0) - first == pytest.approx(2.0)        # ... then 2 h back
    assert stamp(4, base - 3596.0, 102.95) - first == pytest.approx(2.95)      # a quicker delivery improves it
    assert tb.clock_jumps == 2
    assert stamp(1, base - 3590.0, 104.0, boot=2) == pytest.approx(base - 3591.0)   # a new boot: the new clock
