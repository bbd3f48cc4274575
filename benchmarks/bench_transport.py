"""Transport, discovery and probe figures on this machine (run on demand, not collected by pytest)::

    python3 benchmarks/bench_transport.py            # all figures
    python3 benchmarks/bench_transport.py --quick    # shorter runs

What it measures, with the target each should meet:

* pty read latency: a byte written by the "board" (pty master) until ``read()`` returns it
  (median and p99; target: median under 1 ms);
* pty throughput with ``read(4096)`` (target: far above 115200 baud, i.e. over 1 MB/s);
* socket:// round trip through a loopback echo server (target: median under 1 ms);
* idle CPU of a reader blocked in ``read(timeout=0.1)`` in a loop (target: under 1% of a core:
  it waits in ``select()``, it does not poll);
* cable pulled: pty master closed while a read blocks, until ``DisconnectedError`` (target: under
  1 s; it is immediate);
* ``probe()`` handshake with a ready makerkit board on an open pty (target: under 100 ms);
* ``holders.scan()`` over all of ``/proc`` and ``list_ports()`` (target: under 100 ms each).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))

from support.fake_board import FakeBoard  # noqa: E402
from makerkit.device.probe import probe  # noqa: E402
from makerkit.errors import DisconnectedError  # noqa: E402
from makerkit.transport import holders, open_transport  # noqa: E402
from makerkit.transport.ports import list_ports  # noqa: E402


def pty():
    master, slave = os.openpty()
    name = os.ttyname(slave)
    os.close(slave)
    return master, name


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def bench_read_latency(n):
    master, name = pty()
    samples = []
    with open_transport(name) as t:
        for _ in range(n):
            start = time.perf_counter()
            os.write(master, b"x")
            assert t.read(timeout=1.0) == b"x"
            samples.append(time.perf_counter() - start)
    os.close(master)
    return f"pty read latency: median {statistics.median(samples) * 1e6:.0f} us, p99 {percentile(samples, 0.99) * 1e6:.0f} us ({n} bytes)"


def bench_throughput(megabytes):
    master, name = pty()
    total = megabytes * 1024 * 1024
    chunk = bytes(range(256)) * 16
    received = 0
    with open_transport(name) as t:
        writer = threading.Thread(target=lambda: [os.write(master, chunk) for _ in range(total // len(chunk))])
        start = time.perf_counter()
        writer.start()
        while received < total:
            received += len(t.read(4096, timeout=1.0))
        took = time.perf_counter() - start
        writer.join()
    os.close(master)
    return f"pty throughput: {total / took / 1e6:.1f} MB/s ({megabytes} MiB in {took:.2f} s)"


def bench_socket_round_trip(n):
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def echo():
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(4096):
                conn.sendall(data)

    threading.Thread(target=echo, daemon=True).start()
    samples = []
    with open_transport(f"socket://127.0.0.1:{port}") as t:
        for _ in range(n):
            start = time.perf_counter()
            t.write(b"\xf9")
            assert t.read(timeout=1.0) == b"\xf9"
            samples.append(time.perf_counter() - start)
    server.close()
    return f"socket:// round trip: median {statistics.median(samples) * 1e6:.0f} us, p99 {percentile(samples, 0.99) * 1e6:.0f} us ({n})"


def bench_idle_cpu(seconds):
    master, name = pty()
    stop = threading.Event()
    with open_transport(name) as t:
        def reader():
            while not stop.is_set():
                t.read(timeout=0.1)
        thread = threading.Thread(target=reader)
        cpu0, wall0 = time.process_time(), time.perf_counter()
        thread.start()
        time.sleep(seconds)
        stop.set()
        thread.join()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    os.close(master)
    return f"idle reader CPU: {cpu / wall * 100:.2f}% of one core over {wall:.1f} s"


def bench_disconnect(n):
    samples = []
    for _ in range(n):
        board = FakeBoard().__enter__()
        t = open_transport(board.port)
        result = {}

        def reader():
            try:
                t.read(timeout=10.0)
            except DisconnectedError:
                result["at"] = time.perf_counter()

        thread = threading.Thread(target=reader)
        thread.start()
        time.sleep(0.05)
        start = time.perf_counter()
        board.unplug()
        thread.join(timeout=5)
        samples.append(result["at"] - start)
        t.close()
        board.close()
    return f"cable pulled -> DisconnectedError: median {statistics.median(samples) * 1e3:.2f} ms, max {max(samples) * 1e3:.2f} ms ({n})"


def bench_probe(n):
    """The handshake itself, on an open port (the fake board notices a fresh open only by polling
    every 20 ms, which would swamp the figure)."""
    samples = []
    with FakeBoard() as board, open_transport(board.port) as t:
        for _ in range(n):
            start = time.perf_counter()
            probe(t)
            samples.append(time.perf_counter() - start)
    return f"probe() handshake with a ready makerkit board: median {statistics.median(samples) * 1e3:.2f} ms, max {max(samples) * 1e3:.2f} ms ({n})"


def bench_discovery(n):
    scan, listing = [], []
    for _ in range(n):
        start = time.perf_counter()
        holders.scan(["/dev/ttyUSB0", "/dev/ttyACM0"])
        scan.append(time.perf_counter() - start)
        start = time.perf_counter()
        list_ports()
        listing.append(time.perf_counter() - start)
    procs = sum(1 for e in os.listdir("/proc") if e.isdigit())
    return (f"holders.scan over /proc ({procs} processes): median {statistics.median(scan) * 1e3:.1f} ms; "
            f"list_ports(): median {statistics.median(listing) * 1e3:.1f} ms")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    quick = parser.parse_args().quick
    print(bench_read_latency(500 if quick else 5000))
    print(bench_throughput(4 if quick else 32))
    print(bench_socket_round_trip(500 if quick else 5000))
    print(bench_idle_cpu(1.0 if quick else 5.0))
    print(bench_disconnect(5 if quick else 20))
    print(bench_probe(10 if quick else 50))
    print(bench_discovery(5 if quick else 20))


if __name__ == "__main__":
    main()
