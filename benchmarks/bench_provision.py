"""Provisioning figures (issue 9), on demand::

    python3 benchmarks/bench_provision.py              # 8 kits
    python3 benchmarks/bench_provision.py --kits 4

In one run, with virtual ESP32 kits (the real makerkit firmware under the MicroPython-compatible
simulator) each served by ``makerkit sim serve`` in its own process, as each board is its own chip:

1. ``class provision`` (check, deploy the firmware files and the kit's config with its own login,
   confirm, register) of one kit alone;
2. of eight kits at once (target: at most 1.5x the time of one);
3. the same command again over the eight, now all "already done" (nothing written).

Flashing figures (eight ROM loaders at once vs one, re-flashing an image already there) are
``benchmarks/bench_flash_parallel.py``. Prints ratios measured in this run; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port: int, timeout: float = 20.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"the virtual kit on port {port} did not start")


class Kits:
    """``n`` virtual ESP32 kits, one ``makerkit sim serve`` process each, stopped by PID."""

    def __init__(self, n: int, root: Path):
        self.procs, self.urls = [], []
        for i in range(n):
            port = _free_port()
            fs = root / f"fs{i}"
            fs.mkdir(parents=True)
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "makerkit", "sim", "serve", "--board", "esp32", "--listen",
                 f"127.0.0.1:{port}", "--fs-dir", str(fs)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            self.urls.append(f"socket://127.0.0.1:{port}")
            _wait(port)

    def close(self) -> None:
        for p in self.procs:
            p.terminate()
        for p in self.procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()


def _provision(db: str, urls: list[str]) -> tuple[float, list[str]]:
    from makerkit.classroom.provision import provision
    started = time.perf_counter()
    result = provision(db=db, class_id="7a", board="esp32", ports=urls, broker="mqtt://10.0.0.2:1883",
                       wifi_ssid="lab", wifi_password="bench-pass")
    seconds = time.perf_counter() - started
    if result.failed:
        raise SystemExit("provisioning failed: " + "; ".join(o.error.message_en for o in result.failed))
    return seconds, [o.state for o in result.outcomes]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kits", type=int, default=8)
    args = ap.parse_args()
    from makerkit.store import open_store
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        db = f"sqlite:///{root}/portfolio.db"
        with open_store(db) as store:
            store.add_class("7a")
        one = Kits(1, root / "one")
        many = Kits(args.kits, root / "many")
        try:
            t_one, _ = _provision(db, one.urls)
            t_many, states = _provision(db, many.urls)
            t_again, again = _provision(db, many.urls)
        finally:
            one.close()
            many.close()
    print(f"provision 1 kit:               {t_one:7.2f} s")
    print(f"provision {args.kits} kits at once:     {t_many:7.2f} s   ratio {t_many / t_one:.2f} (target <= 1.5)")
    print(f"again, all {sorted(set(again))[0]!r}: {t_again:7.2f} s   ratio {t_again / t_many:.2f} of a full run")
    print(f"(cores: {os.cpu_count()}; states of the first run: {sorted(set(states))})")


if __name__ == "__main__":
    main()
