"""Outages on the kit side (issue "telemetry that survives a real classroom", point 7): a virtual
ESP32 running the real firmware on the virtual clock, a real mosquitto, the collector.

* its WiFi drops for ten simulated minutes at one reading a second: after it reconnects every
  reading arrives, each stored exactly once;
* it is unplugged (its process killed) with a full unsent outbox, then powered again on the same
  flash: every reading arrives, also when the power went in the middle of writing a record.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest

import makerkit
from makerkit.collector import Collector

from .conftest import seqs_of, wait_until

OUTAGE_S = 600          # ten simulated minutes
RATE_S = 1.0            # one reading a second


def _readings(kit, count, start=0):
    seqs = []
    for i in range(start, start + count):
        seqs.append(kit.publish("light", float(i % 100))["seq"])
        kit.sleep(RATE_S)
    return seqs


def _drain(kit, col, kit_id, count, timeout):
    """Run the kit's firmware (simulated time) until the collector holds ``count`` rows."""
    def done():
        kit.sleep(0.05)
        return col.store.count(kit_id) >= count
    wait_until(done, timeout, interval=0.01, what=f"{count} readings of {kit_id} stored")


def test_ten_minutes_without_wifi_lose_no_reading(broker, db_url):
    col = Collector(broker.url, db_url, collector_id="outage").start()
    try:
        with makerkit.connect("sim://esp32", clock="virtual") as kit:
            kit.configure(kit="kit-wifi", class_="7a", wifi_ssid="lab", broker=broker.url)
            firmware = kit.sim.device.app.telemetry
            seqs = _readings(kit, 20)
            _drain(kit, col, "kit-wifi", 20, 20)
            kit.sim.hal.network_up = False                 # the classroom's access point goes away
            seqs += _readings(kit, int(OUTAGE_S / RATE_S), 20)
            assert not firmware.connected and firmware.pending() >= OUTAGE_S
            assert col.store.count("kit-wifi") == 20
            kit.sim.hal.network_up = True
            seqs += _readings(kit, 20, 20 + OUTAGE_S)
            _drain(kit, col, "kit-wifi", len(seqs), 60)
            assert firmware.pending() == 0 and firmware.dropped == 0
        stored = seqs_of(col.store, "kit-wifi")
        assert stored == sorted(seqs) and len(stored) == 640    # every reading, exactly once
    finally:
        col.stop()


_UNPLUGGED_KIT = r"""
import json, sys
import makerkit
kit = makerkit.connect("sim://esp32", clock="virtual", fs_dir=sys.argv[1])
kit.configure(kit="kit-plug", class_="7a", wifi_ssid="lab", broker=sys.argv[2])
kit.sim.hal.network_up = False            # no WiFi all lesson: nothing is ever sent
seqs = []
for i in range(int(sys.argv[3])):
    seqs.append(kit.publish("light", float(i))["seq"])
    kit.sleep(1.0)
print(json.dumps(seqs), flush=True)
sys.stdin.read()                          # stays on until the plug is pulled
"""


@pytest.mark.parametrize("torn", [False, True], ids=["idle", "mid-write"])
def test_unplugged_kit_with_a_full_outbox_delivers_everything_when_powered_again(broker, db_url, tmp_path, torn):
    flash = tmp_path / "kit-flash"
    count = 700                                        # more than the old RAM buffer (500) held
    proc = subprocess.Popen([sys.executable, "-c", _UNPLUGGED_KIT, str(flash), broker.url, str(count)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line, proc.stderr.read()
        seqs = json.loads(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)              # pulled out: no shutdown, no goodbye
        proc.wait(timeout=10)
    assert len(seqs) == count
    segments = sorted(p for p in (flash / "mkfw_outbox").iterdir() if p.name.isdigit())
    assert segments, "the outbox is on the kit's flash"
    if torn:   # the power went while the next record was being written: half a line at the end
        with open(segments[-1], "ab") as fh:
            fh.write(b'%d 0badf00d {"v": 1, "seq": %d, "bo' % (seqs[-1] + 1, seqs[-1] + 1))
    col = Collector(broker.url, db_url, collector_id="plug").start()
    try:
        with makerkit.connect("sim://esp32", clock="virtual", fs_dir=str(flash)) as kit:    # powered again, WiFi back
            firmware = kit.sim.device.app.telemetry
            # it boots from the flash and starts sending at once (while connect() is still talking to it)
            assert firmware.boot == 2 and firmware.dropped == 0
            assert firmware.pending() + firmware.delivered_upto == count
            assert firmware.outbox.torn == (1 if torn else 0)
            _drain(kit, col, "kit-plug", count, 60)
            later = kit.publish("light", 1.0)["seq"]
            _drain(kit, col, "kit-plug", count + 1, 20)
        assert seqs_of(col.store, "kit-plug") == sorted(seqs) + [later]
    finally:
        col.stop()
