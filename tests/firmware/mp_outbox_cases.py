"""The flash outbox, replay checks and NTP of the firmware, under CPython (pytest) and under the real
MicroPython interpreter.

Run as ``micropython mp_outbox_cases.py TMPDIR``: every case gets a fresh folder under TMPDIR as the
board's filesystem (``mkfw.flashfs.OsFlash``); under MicroPython the littlefs case also runs the
ring on a real littlefs2 filesystem in a RAM block device. Plain asserts only.
"""

import json
import os
import sys

from fakehal import FakeHal
from mkfw import outbox as ob
from mkfw import replay
from mkfw.flashfs import OsFlash
from mkfw.telemetry import Telemetry

SMALL = {"segments": 4, "segment_records": 10}


def payload(seq):
    return json.dumps({"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq * 1000,
                       "readings": {"temperature": 20.5}}).encode()


def fresh(root, name):
    path = root + "/" + name
    os.mkdir(path)
    return OsFlash(path)


def drain(box, batch=32):
    """Deliver everything as a connected kit does: publish a batch, ack each record."""
    seqs = []
    while True:
        got = box.undelivered(batch)
        if not got:
            return seqs
        for seq, data in got:
            assert data == payload(seq), (seq, data)
            seqs.append(seq)
            box.ack(seq)


class FlashHal(FakeHal):
    """FakeHal with a filesystem and, when ``wall_ms`` is set, an NTP server."""

    def __init__(self, fs, network=False):
        FakeHal.__init__(self, network=network)
        self.fs = fs
        self.online = network
        self.wall_ms = None
        self.ntp_asked = []

    def flash(self):
        return self.fs

    def network_ready(self):
        return self.online

    def ntp_time(self, server=""):
        self.ntp_asked.append(server)
        return self.wall_ms

    def mqtt_client(self, client_id, server, port, user=None, password=None):
        return FakeMqtt(self)


class FakeMqtt:
    """umqtt.simple's API, recording what the kit publishes (the MQTT boundary)."""

    def __init__(self, hal):
        self.hal = hal
        self.published = []
        self.cb = None

    def set_callback(self, cb):
        self.cb = cb

    def set_last_will(self, topic, msg, retain=False, qos=0):
        pass

    def connect(self):
        if not self.hal.online:
            raise OSError(113, "EHOSTUNREACH")

    def subscribe(self, topic, qos=0):
        pass

    def publish(self, topic, msg, retain=False, qos=0):
        if not self.hal.online:
            raise OSError(104, "ECONNRESET")
        self.published.append((topic, msg))

    def check_msg(self):
        return None

    def ping(self):
        pass

    def disconnect(self):
        pass


def case_records_survive_a_reboot_and_arrive_in_order(root):
    fs = fresh(root, "a")
    box = ob.FlashOutbox(fs, **SMALL)
    for seq in range(1, 36):
        box.append(seq, payload(seq))
    assert box.pending() == 35 and box.dropped == 0
    assert drain(box, 4)[:5] == [1, 2, 3, 4, 5]
    box = ob.FlashOutbox(fs, **SMALL)           # power cut before the watermark was written
    assert box.pending() == 35                  # sent again: the collector stores them once
    for seq in range(36, 41):
        box.append(seq, payload(seq))
    assert drain(box, 7) == list(range(1, 41))
    box.save(0)
    box = ob.FlashOutbox(fs, **SMALL)
    assert box.acked == 40 and box.pending() == 0 and box.undelivered(5) == []


def case_full_ring_drops_the_oldest_segment_and_counts_it(root):
    fs = fresh(root, "b")
    box = ob.FlashOutbox(fs, **SMALL)
    for seq in range(1, 46):
        box.make_room()
        box.append(seq, payload(seq))
    assert box.dropped == 10 and box.acked == 10
    assert len(fs.listdir(ob.DIR)) <= SMALL["segments"] + 1      # the segments and the ack file
    assert box.missing(1, 45) == [[1, 10]]
    assert drain(box) == list(range(11, 46))
    # delivered records make room without counting as drops
    for seq in range(46, 60):
        box.make_room()
        box.append(seq, payload(seq))
    assert box.dropped == 10


def case_torn_last_record_is_skipped_not_fatal(root):
    fs = fresh(root, "c")
    box = ob.FlashOutbox(fs, **SMALL)
    for seq in range(1, 6):
        box.append(seq, payload(seq))
    seg = ob.DIR + "/" + sorted(n for n in fs.listdir(ob.DIR) if n.isdigit())[-1]
    fs.append(seg, ob.encode(6, payload(6))[:25])             # the power went mid-write
    box = ob.FlashOutbox(fs, **SMALL)
    assert box.torn == 1 and box.pending() == 5
    for seq in range(6, 9):
        box.append(seq, payload(seq))                          # goes to a fresh segment
    box = ob.FlashOutbox(fs, **SMALL)
    assert drain(box) == list(range(1, 9))
    # a damaged record in the middle fails its CRC and is skipped too
    data = fs.read(seg, 0, -1)
    fs.write(seg, data.replace(b"20.5", b"99.5", 1))
    box = ob.FlashOutbox(fs, **SMALL)
    assert [r[0] for r in box.records(1, 8, 100)[0]] == [2, 3, 4, 5, 6, 7, 8]


def case_ack_watermark_is_written_rarely_and_compacted(root):
    fs = fresh(root, "d")
    box = ob.FlashOutbox(fs, **SMALL)
    for seq in range(1, 9):
        box.append(seq, payload(seq))
    box.ack(3)
    box.save(1000)
    box.ack(5)
    box.save(1000 + ob.ACK_SAVE_MS - 1)                        # too soon: kept in RAM
    assert ob.FlashOutbox(fs, **SMALL).acked == 3
    box.save(1000 + ob.ACK_SAVE_MS)
    assert ob.FlashOutbox(fs, **SMALL).acked == 5
    for upto in range(6, 6 + 3 * ob.ACK_COMPACT):
        box.ack(upto)
        box.save(0, force=True)
    assert fs.read(ob.ACK_FILE, 0, -1).count(b"\n") <= ob.ACK_COMPACT
    assert ob.FlashOutbox(fs, **SMALL).acked == 5 + 3 * ob.ACK_COMPACT
    fs.append(ob.ACK_FILE, b"99")                              # a torn ack line is ignored
    assert ob.FlashOutbox(fs, **SMALL).acked == 5 + 3 * ob.ACK_COMPACT


def case_replay_reads_in_pieces_and_names_what_is_missing(root):
    # the same paging on flash and in RAM (a RAM outbox that stopped after one page answered a
    # replay of 1,000 numbers with 32 records, and the collector gave up on the rest)
    for box in (ob.FlashOutbox(fresh(root, "e"), **SMALL), ob.RamOutbox(100)):
        seqs = list(range(1, 13)) + list(range(29, 40))          # a reboot skipped 13..28
        for seq in seqs:
            box.append(seq, payload(seq))
        got, pos, nxt = [], None, 5
        while True:
            part, pos = box.records(nxt, 35, 4, pos)
            got += [r[0] for r in part]
            if pos is None:
                break
            nxt = part[-1][0] + 1
        assert got == [5, 6, 7, 8, 9, 10, 11, 12, 29, 30, 31, 32, 33, 34, 35], (box, got)
        assert box.missing(1, 45) == [[13, 28], [40, 45]], box
        assert box.missing(14, 20) == [[14, 20]], box


def case_a_lost_numbering_empties_the_ring(root):
    fs = fresh(root, "f")
    box = ob.FlashOutbox(fs, **SMALL)
    for seq in range(1, 21):
        box.append(seq, payload(seq))
    box.ack(15)
    box = ob.FlashOutbox(fs, **SMALL)
    box.renumbered(1)                  # the counters were erased: the kit numbers from 1 again
    assert box.dropped == 20 and box.pending() == 0 and box.acked == 0
    box.append(1, payload(1))
    assert drain(box) == [1]


def case_replay_requests_are_checked(root):
    assert replay.check(0, 0) == (0, 0)
    assert replay.check(7, 7 + 5000) == (7, 7 + replay.MAX_SPAN - 1)
    for bad in ((-1, 5), (5, 4), (1, 2 ** 53), (2 ** 64, 2 ** 64), (True, 3), (1.0, 2), ("1", 2), (None, 2)):
        assert replay.check(bad[0], bad[1]) is None, bad
    assert replay.check(2 ** 53 - 1, 2 ** 53 - 1) == (2 ** 53 - 1, 2 ** 53 - 1)
    assert replay.parse(b'{"v":1,"from":3,"to":9}') == (3, 9)
    for bad in (b"nonsense", b"[1,2]", b'{"from":1}', b'{"from":1,"to":1e3}', b"\xff"):
        assert replay.parse(bad) is None, bad
    gate = replay.ReplayGate()
    msg = b'{"v":1,"from":1,"to":2}'
    answered = [gate.admit(msg, 1000 + i) for i in range(replay.PER_MINUTE + 5)]
    assert answered.count((1, 2)) == replay.PER_MINUTE and gate.ignored == 5
    assert gate.admit(b'{"from":5,"to":1}', 2000) is None and gate.invalid == 1
    assert gate.admit(msg, 1000 + replay.WINDOW_MS) == (1, 2)      # a minute later: answered again


def case_kit_keeps_unsent_readings_on_flash_across_a_power_cut(root):
    fs = fresh(root, "g")
    hal = FlashHal(fs)
    config = {"kit": "k", "class": "c", "broker": "mqtt://10.0.0.2:1883"}
    tel = Telemetry(hal, config, boot=1)
    assert isinstance(tel.outbox, ob.FlashOutbox)
    for i in range(700):                                    # more than the old RAM buffer held
        tel.record({"n": float(i)}, None, i * 1000)
        tel.poll(i * 1000)
    assert tel.pending() == 700 and tel.dropped == 0
    tel = Telemetry(hal, config, boot=2)                    # unplugged, powered again
    assert tel.pending() == 700
    hal.online = True
    now = 800000
    for _ in range(100):
        tel.poll(now)
        now += 10
        if tel.pending() == 0:
            break
    sent = [json.loads(m)["seq"] for t, m in tel.client.published if t.endswith("/telemetry")]
    assert sent == list(range(1, 701)), sent[:5]
    status = [json.loads(m) for t, m in tel.client.published if t.endswith("/status")]
    assert status[0]["buffered"] == 700
    # a replay request is answered from the flash, a bad or excess one is ignored and counted
    client = tel.client
    del client.published[:]
    client.cb("makerkit/v1/c/k/replay", b'{"v":1,"from":3,"to":5}')
    client.cb("makerkit/v1/c/k/replay", b'{"v":1,"from":1,"to":18446744073709551616}')
    tel.poll(now)
    again = [json.loads(m) for t, m in client.published]
    assert [d.get("seq") for d in again[:3]] == [3, 4, 5]
    assert again[3]["event"] == "replay_done" and again[3]["missing"] == []
    assert tel.replay_gate.invalid == 1 and '"replays_ignored": 1' in tel._status("online")


def case_wifi_kit_sets_its_clock_by_ntp(root):
    hal = FlashHal(fresh(root, "h"), network=True)
    hal.wall_ms = 1795438805120                  # 2026-11-23T13:00:05.120Z
    tel = Telemetry(hal, {"kit": "k", "class": "c"}, boot=1)
    tel.poll(5000)
    tel.poll(6000)
    assert len(hal.ntp_asked) == 1 and hal.ntp_asked[0] == ""
    seq = tel.record({"n": 1.0}, None, 7000)
    rec = json.loads(tel.outbox.undelivered(1)[0][1])
    assert rec["seq"] == seq and rec["time"] == "2026-11-23T13:00:07.120Z", rec
    # no answer: asked again a minute later, not every loop
    hal2 = FlashHal(fresh(root, "i"), network=True)
    tel2 = Telemetry(hal2, {"kit": "k", "class": "c", "ntp": "ntp.school.lan"}, boot=1)
    for t in range(0, 59000, 1000):
        tel2.poll(t)
    assert hal2.ntp_asked == ["ntp.school.lan"] and tel2.epoch_ms is None
    tel2.poll(61000)
    assert len(hal2.ntp_asked) == 2
    hal3 = FlashHal(fresh(root, "j"), network=True)
    hal3.wall_ms = 1795438805120
    tel3 = Telemetry(hal3, {"kit": "k", "class": "c", "ntp": "off"}, boot=1)
    tel3.poll(1000)
    assert hal3.ntp_asked == [] and tel3.epoch_ms is None


def case_default_ring_holds_more_than_an_hour_in_bounded_flash(root):
    fs = fresh(root, "k")
    box = ob.FlashOutbox(fs)
    reading = json.dumps({"v": 1, "seq": 123456, "boot": 7, "uptime_ms": 35612000, "inc": "k3v9x2m7q1aa",
                          "time": "2026-11-23T22:53:37.120Z", "readings": {"temperature": 23.51, "humidity": 41.2},
                          "units": {"temperature": "\u00b0C", "humidity": "%"}}).encode()
    hour = 3600
    for seq in range(1, hour + 601):                   # 70 minutes at one reading a second
        box.make_room()
        box.append(seq, reading)
    held = 0
    for seg in box.segs:
        held += seg[3]
    used = 0
    for name in fs.listdir(ob.DIR):
        used += fs.size(ob.DIR + "/" + name)
    assert held >= 15 * ob.SEGMENT_RECORDS and held > hour, held
    assert used <= ob.SEGMENTS * ob.SEGMENT_BYTES, used
    assert box.dropped == hour + 600 - held and box.missing(1, hour + 600) == [[1, hour + 600 - held]]
    box = ob.FlashOutbox(fs)
    assert box.pending() == held


def case_ring_on_littlefs(root):
    """Only under MicroPython: the ring on a real littlefs2 filesystem (a RAM block device)."""
    class RamBlocks:
        def __init__(self, count, size=4096):
            self.size = size
            self.data = bytearray(count * size)
            self.count = count

        def readblocks(self, n, buf, off=0):
            start = n * self.size + off
            buf[:] = self.data[start:start + len(buf)]

        def writeblocks(self, n, buf, off=None):
            start = n * self.size + (off or 0)
            self.data[start:start + len(buf)] = buf

        def ioctl(self, op, arg):
            if op == 4:
                return self.count
            if op == 5:
                return self.size
            if op == 6:
                return 0
            return 0

    dev = RamBlocks(256)                    # 1 MiB
    os.VfsLfs2.mkfs(dev)
    os.mount(os.VfsLfs2(dev), "/lfs")
    try:
        fs = OsFlash("/lfs")
        box = ob.FlashOutbox(fs)
        for seq in range(1, 1201):
            box.append(seq, payload(seq))
        box = ob.FlashOutbox(OsFlash("/lfs"))
        assert box.pending() == 1200 and box.torn == 0
        assert drain(box) == list(range(1, 1201))
    finally:
        os.umount("/lfs")


CASES = [(name, fn) for name, fn in sorted(globals().items())
         if name.startswith("case_") and name != "case_ring_on_littlefs"]


def run_all(root):
    cases = list(CASES)
    if hasattr(os, "VfsLfs2"):
        cases.append(("case_ring_on_littlefs", case_ring_on_littlefs))
    failed = 0
    for name, fn in cases:
        try:
            fn(root)
            print("PASS", name)
        except Exception as exc:
            failed += 1
            print("FAIL", name, repr(exc))
            if hasattr(sys, "print_exception"):
                sys.print_exception(exc)
    print("DONE", len(cases), "FAILED", failed)


if __name__ == "__main__":
    run_all(sys.argv[1])
