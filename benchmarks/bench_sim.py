"""Virtual kit and firmware figures on this machine (run on demand, not collected by pytest)::

    python3 benchmarks/bench_sim.py            # all figures
    python3 benchmarks/bench_sim.py --quick    # shorter runs

What it measures, with the target each should meet:

* virtual clock speed: simulated seconds per wall second, an idle Uno and a busy one (6 analog
  channels reporting every 19 ms, a digital port, a DHT22 and an HC-SR04) with a reader draining it
  (target: busy kit at least 10x faster than real time, so lesson checks are quick);
* ``makerkit.connect("sim://uno", clock="virtual")`` until the kit is ready (target: under 100 ms);
* one firmware loop pass (``FirmataServer.poll``) with 6 analog channels reporting, under CPython and
  under the MicroPython unix port (target: well under 1 ms, the ESP32 loop period);
* a served kit (real clock) over ``socket://``: REPORT_VERSION round trip with pyserial
  (target: median under 5 ms) and the idle CPU of the served kit's firmware loop (target: under 10%
  of a core);
* ``mpremote``'s ``fs_writefile`` of 8 KB into a served virtual ESP32 (bytes per second).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "firmware", "micropython"))

import makerkit  # noqa: E402
from makerkit.protocol import firmata as fm  # noqa: E402
from makerkit.sim import VirtualKit, serve  # noqa: E402


def virtual_speed(busy: bool, seconds: float) -> float:
    kit = VirtualKit("uno")
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            kit.transport.read(65536, timeout=0.05)

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    if busy:
        cmds = b"".join(fm.report_analog(ch, True) for ch in range(6))
        cmds += fm.set_pin_mode(2, fm.PinMode.PULLUP) + fm.report_digital(0, True)
        cmds += fm.dht_attach(4, 22, 2000) + fm.sonar_config(7, 8)
        kit.transport.write(cmds)
    start = time.perf_counter()
    kit.clock.sleep(seconds)
    wall = time.perf_counter() - start
    stop.set()
    thread.join()
    kit.close()
    return seconds / wall


def connect_time(n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        kit = makerkit.connect("sim://uno", clock="virtual")
        out.append(time.perf_counter() - start)
        kit.close()
    return out


MP_POLL = r"""
import time
from mkfw.app import App
from mkfw.profile import Profile
import json
class Hal:
    has_repl = False
    has_network = False
    def configure(self, p, m): pass
    def digital_read(self, p): return 1
    def digital_write(self, p, v): pass
    def analog_read(self, p): return 512
    def load_config(self): return {}
    def save_config(self, c): pass
    def load_state(self): return {}
    def save_state(self, s): pass
    def network_ready(self): return False
profile = json.loads(PROFILE)
app = App(Hal(), profile, 0, boot_window=False)
app.feed(b"".join(bytes((0xC0 | ch, 1)) for ch in range(6)))
app.feed(bytes((0xD0, 1)))
N = 20000
t0 = time.ticks_us() if hasattr(time, "ticks_us") else int(time.perf_counter() * 1e6)
for i in range(N):
    app.poll(i)
t1 = time.ticks_us() if hasattr(time, "ticks_us") else int(time.perf_counter() * 1e6)
print((t1 - t0) / N)
"""


def poll_cost(interpreter: list[str]) -> float:
    import json
    from makerkit.catalog import load_board
    from mkfw.profile import from_board
    code = "PROFILE = %r\n" % json.dumps(from_board(load_board("uno"))) + MP_POLL
    env = dict(os.environ, MICROPYPATH=os.path.join(ROOT, "firmware", "micropython"),
               PYTHONPATH=os.path.join(ROOT, "firmware", "micropython"))
    proc = subprocess.run(interpreter + ["-c", code], capture_output=True, text=True, env=env, timeout=120)
    return float(proc.stdout.strip().splitlines()[-1])


def served_round_trip(n: int) -> tuple[list[float], float]:
    import serial
    server = serve("uno", listen="127.0.0.1:0")
    try:
        port = serial.serial_for_url(server.url, baudrate=115200, timeout=1.0)
        times = []
        for _ in range(n):
            start = time.perf_counter()
            port.write(fm.report_version())
            got = b""
            while len(got) < 3:
                got += port.read(3 - len(got))
            times.append(time.perf_counter() - start)
        port.close()
        # idle CPU of the kit's 1 kHz firmware loop: this process does nothing else meanwhile
        before = resource.getrusage(resource.RUSAGE_SELF)
        t0 = time.perf_counter()
        time.sleep(3.0)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / (time.perf_counter() - t0)
        return times, cpu
    finally:
        server.close()


def mpremote_write(size: int) -> float:
    import serial
    from mpremote.transport_serial import SerialTransport
    server = serve("esp32", listen="127.0.0.1:0")
    try:
        port = serial.serial_for_url(server.url, timeout=0.1)
        port.write(fm.mk_repl())
        data = b""
        end = time.monotonic() + 5
        while not data.endswith(b">>> ") and time.monotonic() < end:
            data += port.read(256)
        port.close()
        while server.client_connected:
            time.sleep(0.01)
        t = SerialTransport(server.url, baudrate=115200)
        t.enter_raw_repl(soft_reset=False)
        payload = os.urandom(size)
        start = time.perf_counter()
        t.fs_writefile("/blob.bin", payload)
        elapsed = time.perf_counter() - start
        assert server.kit.fs.read("/blob.bin") == payload
        t.close()
        return size / elapsed
    finally:
        server.close()


def ms(values):
    values = sorted(values)
    return "median %.2f ms, p99 %.2f ms" % (statistics.median(values) * 1000, values[int(len(values) * 0.99) - 1] * 1000)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    sim_s = 5.0 if args.quick else 30.0
    print(f"virtual clock, idle Uno: {virtual_speed(False, sim_s):.0f}x real time")
    print(f"virtual clock, busy Uno: {virtual_speed(True, sim_s):.1f}x real time")
    print(f"connect sim://uno: {ms(connect_time(5 if args.quick else 20))}")
    print(f"firmware poll, CPython: {poll_cost([sys.executable]):.1f} us per loop pass")
    if shutil.which("micropython"):
        print(f"firmware poll, MicroPython unix port: {poll_cost(['micropython']):.1f} us per loop pass")
    times, cpu = served_round_trip(100 if args.quick else 500)
    print(f"served kit REPORT_VERSION round trip over socket://: {ms(times)}")
    print(f"served kit idle CPU (1 kHz firmware loop): {cpu * 100:.1f}% of a core")
    print(f"mpremote fs_writefile into a served ESP32: {mpremote_write(8192) / 1024:.1f} KiB/s")


if __name__ == "__main__":
    main()
