"""Dashboard figures on this machine (run on demand, not collected by pytest)::

    python3 benchmarks/bench_dashboard.py                 # the issue's run: 40 kits x 20 readings/s, 5 minutes
    python3 benchmarks/bench_dashboard.py --minutes 1     # a short run (the heap is compared at 20 s and the end)

A 45-minute lesson compressed: a real mosquitto on a free loopback port, ``makerkit dashboard`` in a
child process (so its memory and CPU are its own), ``--kits`` plain MQTT publishers (QoS 1, one
reading of two values every 1/``--rate`` s each, as kits publish them), and the class view open in
Debian's headless chromium (playwright). Every reading carries its publish time (``sent_ms``, wall
clock; all on one machine); the page's ``afterUpdate`` hook waits for the next animation frame and
records ``now - sent_ms`` for the value each tile shows. Reported:

* publish-to-screen latency p50/p99/max (target p99 < 250 ms);
* the server's RSS at minute 1 and at the end (target: growth < 20 MB), and from its start;
* the page's JS heap after a forced garbage collection (CDP ``HeapProfiler.collectGarbage``) at
  minute 1 and at the end (target: flat);
* CPU of the server per kit (% of one core), and of the whole run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import paho.mqtt.client as paho  # noqa: E402

from makerkit.store import open_store  # noqa: E402
from tests.support.brokers import Mosquitto, free_port, wait_port  # noqa: E402

CLASS = "bench"
HOOK = """() => {
window.__lat = [];
window.makerkitDashboard.afterUpdate = function (changes) {
  var sent = [];
  for (var i = 0; i < changes.length; i++) {
    var r = changes[i].readings;
    if (r && r.sent_ms) sent.push(r.sent_ms);
  }
  if (sent.length) requestAnimationFrame(function () {
    var now = Date.now();
    for (var j = 0; j < sent.length; j++) window.__lat.push(now - sent[j]);
  });
};
}"""


def _proc_stat(pid: int) -> tuple[float, float]:
    """(CPU seconds, RSS MB) of a process, from /proc."""
    with open(f"/proc/{pid}/stat") as fh:
        fields = fh.read().rsplit(")", 1)[1].split()
    cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    with open(f"/proc/{pid}/status") as fh:
        rss = next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:")) / 1024
    return cpu, rss


class Kits:
    """``n`` publishers, each its own MQTT client, paced by one thread."""

    def __init__(self, port: int, n: int, rate: float):
        self.clients = []
        for i in range(n):
            c = paho.Client(callback_api_version=paho.CallbackAPIVersion.VERSION2, client_id=f"bench-kit-{i:02d}")
            c.max_inflight_messages_set(100)
            c.connect("127.0.0.1", port)
            c.loop_start()
            c.publish(f"makerkit/v1/{CLASS}/kit-{i + 1:02d}/status", json.dumps({"v": 1, "state": "online"}),
                      qos=1, retain=True)
            self.clients.append(c)
        self.rate = rate
        self.sent = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        start = time.monotonic()
        seq = 0
        while not self.stop.is_set():
            seq += 1
            for i, c in enumerate(self.clients):
                doc = {"v": 1, "seq": seq, "boot": 1, "uptime_ms": seq * 50,
                       "readings": {"temperature": round(20 + (seq % 100) / 10 + i / 100, 2),
                                    "sent_ms": round(time.time() * 1000, 1)},
                       "units": {"temperature": "°C", "sent_ms": "ms"}}
                c.publish(f"makerkit/v1/{CLASS}/kit-{i + 1:02d}/telemetry", json.dumps(doc), qos=1)
                self.sent += 1
            self.stop.wait(max(0.0, start + seq / self.rate - time.monotonic()))

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        for c in self.clients:
            c.disconnect()
            c.loop_stop()


def _heap_after_gc(cdp) -> float:
    cdp.send("HeapProfiler.collectGarbage")
    return cdp.send("Runtime.getHeapUsage")["usedSize"] / 1e6


def _start_dashboard(broker, db, port, workdir):
    log = open(os.path.join(workdir, "dashboard.log"), "wb")
    proc = subprocess.Popen([sys.executable, "-m", "makerkit", "dashboard", "--broker", broker.url, "--db", db,
                             "--listen", f"127.0.0.1:{port}", "--class", CLASS], stdout=log, stderr=log, cwd=ROOT)
    wait_port(port, timeout=30)
    return proc, log


def _report(args, lat, rss, heap, cpu_s, wall, sent, last_minute):
    last_minute = sorted(last_minute)
    lat.sort()

    def q(p):
        return lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    print(f"\n{args.kits} kits x {args.rate:g} readings/s for {wall:.0f} s: {sent} published, "
          f"{len(lat)} tile updates measured")
    print(f"publish-to-screen latency: p50 {q(0.5):.0f} ms  p99 {q(0.99):.0f} ms  max {lat[-1] if lat else 0:.0f} ms"
          f"  (target p99 < 250 ms)")
    print(f"server RSS: start {rss['start']:.1f} MB, minute 1 {rss['m1']:.1f} MB, end {rss['end']:.1f} MB  "
          f"-> growth from minute 1 {rss['end'] - rss['m1']:+.1f} MB (target < 20 MB), from start "
          f"{rss['end'] - rss['start']:+.1f} MB")
    print(f"page JS heap after GC: minute 1 {heap['m1']:.2f} MB, end {heap['end']:.2f} MB "
          f"({heap['end'] - heap['m1']:+.2f} MB)")
    print(f"server CPU: {cpu_s:.1f} s in {wall:.0f} s = {100 * cpu_s / wall:.1f} % of a core, "
          f"{100 * cpu_s / wall / args.kits:.2f} % per kit")
    print(f"latency median of the last minute: {statistics.median(last_minute) if last_minute else 0:.0f} ms "
          f"({len(last_minute)} updates)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=5.0)
    ap.add_argument("--kits", type=int, default=40)
    ap.add_argument("--rate", type=float, default=20.0, help="readings a second per kit")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    work = tempfile.mkdtemp(prefix="mk-bench-dashboard-")
    db = f"sqlite:///{work}/portfolio.db"
    with open_store(db) as store:
        store.add_class(CLASS)
    broker = Mosquitto(os.path.join(work, "mosquitto"), persistence=False).start()
    port = free_port()
    proc, log = _start_dashboard(broker, db, port, work)
    kits = None
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
            cdp = page.context.new_cdp_session(page)
            page.goto(f"http://127.0.0.1:{port}/?lang=en")
            page.evaluate(HOOK)
            kits = Kits(broker.port, args.kits, args.rate)
            cpu0, rss0 = _proc_stat(proc.pid)
            started = time.monotonic()
            kits.thread.start()
            total = args.minutes * 60
            first_mark = min(60.0, total / 3)
            lat: list[float] = []
            rss, heap = {"start": rss0}, {}
            tail_from = None                            # where in lat the last minute begins
            while time.monotonic() - started < total:
                page.wait_for_timeout(5000)
                lat += page.evaluate("() => window.__lat.splice(0)")
                if "m1" not in rss and time.monotonic() - started >= first_mark:
                    rss["m1"] = _proc_stat(proc.pid)[1]
                    heap["m1"] = _heap_after_gc(cdp)
                    lat = []                            # minute 1 on: the steady state
                    tail_from = None
                if tail_from is None and time.monotonic() - started >= total - 60:
                    tail_from = len(lat)
                print(f"  {time.monotonic() - started:5.0f} s  sent {kits.sent}  updates {len(lat)}", flush=True)
            cpu1, rss["end"] = _proc_stat(proc.pid)
            wall = time.monotonic() - started
            heap["end"] = _heap_after_gc(cdp)
            lat += page.evaluate("() => window.__lat.splice(0)")
            last_minute = lat[tail_from or 0:]
            page.screenshot(path=os.path.join(work, "bench-class-view.png"))
            browser.close()
        _report(args, lat, rss, heap, cpu1 - cpu0, wall, kits.sent, last_minute)
        print(f"screenshot and logs: {work}")
    finally:
        if kits is not None:
            kits.close()
        proc.terminate()
        proc.wait(15)
        log.close()
        broker.close()


if __name__ == "__main__":
    main()
