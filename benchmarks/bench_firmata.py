"""Host-side Firmata figures, makerkit next to pyfirmata2 on the same link in the same run.

Run on demand (not collected by pytest)::

    python3 benchmarks/bench_firmata.py            # all figures
    python3 benchmarks/bench_firmata.py --quick    # shorter runs

What it measures:

* command round trips per second (REPORT_VERSION -> version reply) and host CPU time per round trip;
* analog reports per second received with all six Uno channels reporting at the firmware's fastest
  sampling interval, and host CPU time per report;
* idle host CPU (connected, nothing happening);
* the raw decode rate on a recorded byte stream: the lead's decoder alone, the client's full
  ``feed`` (decode + state cache + wake-ups), and pyfirmata2's ``iterate``;
* connect time against the board's own answer time (target: answer time + 0.3 s at most).

The board is the virtual kit (the real makerkit firmware on a simulated Uno, real clock) served on
``socket://`` by a separate process (``python3 -m makerkit sim serve``), so the host's CPU time is
measured alone. pyfirmata2 opens the very same URL through pyserial's ``serial_for_url``.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from makerkit.device.client import FirmataClient  # noqa: E402
from makerkit.protocol import firmata as fm  # noqa: E402
from makerkit.transport.clock import WALL_CLOCK

# --- the board ------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The virtual kit served on loopback by a child process (restarted for each client)."""

    def __init__(self, board: str = "uno"):
        self.board = board
        self.proc = None
        self.url = None

    def start(self) -> str:
        port = free_port()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "makerkit", "sim", "serve", "--board", self.board,
             "--listen", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("the virtual kit server stopped: " + self.proc.stderr.read().decode())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise SystemExit("the virtual kit server did not start")
        self.url = f"socket://127.0.0.1:{port}"
        time.sleep(0.2)  # let the probe connection above go away
        return self.url

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.proc = None


# --- makerkit -------------------------------------------------------------------------------------

def makerkit_live(url: str, seconds: float, round_trips: int) -> dict:
    import makerkit
    out = {}
    start = time.monotonic()
    kit = makerkit.connect(url, board="uno", timeout=5)
    out["connect_s"] = time.monotonic() - start
    out["answer_s"] = kit.handshake.answered_after
    client = kit.client
    try:
        request = fm.report_version()
        client.request(request, expect=fm.ProtocolVersion, timeout=2)
        cpu, wall = time.process_time(), time.monotonic()
        for _ in range(round_trips):
            client.request(request, expect=fm.ProtocolVersion, timeout=2)
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        out["rt_per_s"] = round_trips / wall
        out["rt_cpu_us"] = cpu / round_trips * 1e6

        cpu, wall = time.process_time(), time.monotonic()
        time.sleep(seconds)
        out["idle_cpu_pct"] = (time.process_time() - cpu) / (time.monotonic() - wall) * 100

        count = [0]
        client.add_listener(fm.AnalogReport, lambda event: count.__setitem__(0, count[0] + 1))
        client.send(fm.sampling_interval(10))
        for channel in range(6):
            client.send(fm.report_analog(channel, True))
        time.sleep(0.3)
        first, cpu, wall = count[0], time.process_time(), time.monotonic()
        time.sleep(seconds)
        n = count[0] - first
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        out["analog_per_s"] = n / wall
        out["analog_cpu_us"] = cpu / max(1, n) * 1e6
        for channel in range(6):
            client.send(fm.report_analog(channel, False))
    finally:
        kit.close()
    return out


# --- pyfirmata2 -----------------------------------------------------------------------------------

def pyfirmata2_board(url: str):
    """A pyfirmata2 Board on ``url`` (its constructor only takes port names and waits 5 s; this
    does what the constructor does, over pyserial's ``serial_for_url``, without the wait)."""
    import pyfirmata2
    import serial
    from pyfirmata2.util import Iterator
    board = pyfirmata2.Board.__new__(pyfirmata2.Board)
    board._command_handlers = {}
    board.firmata_version = None
    board.firmware = None
    board.firmware_version = None
    board._layout = None
    board.samplerThread = Iterator(board)
    board.sp = serial.serial_for_url(url, 115200, timeout=None)
    board.name = url
    board.setup_layout(pyfirmata2.BOARDS["arduino"])
    return board


def pyfirmata2_live(url: str, seconds: float, round_trips: int) -> dict:
    out = {}
    board = pyfirmata2_board(url)
    try:
        board.samplingOn(10)   # starts pyfirmata2's iterator thread (it polls every 1 ms)
        time.sleep(0.2)

        def round_trip():
            board.firmata_version = None
            board.sp.write(bytes([fm.REPORT_VERSION]))
            deadline = time.monotonic() + 2
            while board.firmata_version is None:   # pyfirmata2 has no request API: poll, as its users do
                if time.monotonic() > deadline:
                    raise TimeoutError("pyfirmata2 saw no version reply")
                time.sleep(0)

        round_trip()
        cpu, wall = time.process_time(), time.monotonic()
        for _ in range(round_trips):
            round_trip()
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        out["rt_per_s"] = round_trips / wall
        out["rt_cpu_us"] = cpu / round_trips * 1e6

        cpu, wall = time.process_time(), time.monotonic()
        time.sleep(seconds)
        out["idle_cpu_pct"] = (time.process_time() - cpu) / (time.monotonic() - wall) * 100

        count = [0]
        lock = threading.Lock()

        def counter(value):
            with lock:
                count[0] += 1
        for pin in board.analog:
            pin.register_callback(counter)
            pin.enable_reporting()
        time.sleep(0.3)
        first, cpu, wall = count[0], time.process_time(), time.monotonic()
        time.sleep(seconds)
        n = count[0] - first
        wall, cpu = time.monotonic() - wall, time.process_time() - cpu
        out["analog_per_s"] = n / wall
        out["analog_cpu_us"] = cpu / max(1, n) * 1e6
    finally:
        board.exit()
    return out


# --- raw decoding ---------------------------------------------------------------------------------

def recorded_stream(messages: int) -> bytes:
    """What a busy kit sends: analog reports on 6 channels, port changes, now and then a sonar,
    DHT or I2C reply."""
    parts = []
    for i in range(messages):
        r = i % 20
        if r < 15:
            parts.append(fm.analog_report(i % 6, (i * 37) % 1024))
        elif r < 18:
            parts.append(fm.digital_port(i % 3, (i * 13) & 0xFF))
        elif r == 18:
            parts.append(fm.sonar_report(7, i % 400))
        else:
            parts.append(fm.i2c_reply(0x38, 0, bytes([0x1C, i & 0xFF, 0, 0x5A, 0xB0, 0x00])))
    return b"".join(parts)


class _NullTransport:
    url = "recording"
    clock = WALL_CLOCK


def decode_rates(messages: int) -> dict:
    data = recorded_stream(messages)
    chunks = [data[i:i + 64] for i in range(0, len(data), 64)]   # as a serial port hands them over
    out = {}

    start = time.perf_counter()
    decoder = fm.FirmataDecoder()
    n = sum(len(decoder.feed(chunk)) for chunk in chunks)
    out["decoder"] = n / (time.perf_counter() - start)

    client = FirmataClient(_NullTransport())
    start = time.perf_counter()
    for chunk in chunks:
        client.feed(chunk)
    out["client_feed"] = client.events_received / (time.perf_counter() - start)

    import pyfirmata2

    class Recorded:
        def __init__(self, payload):
            self._data, self._pos = payload, 0

        def read(self, size=1):
            b = self._data[self._pos:self._pos + size]
            self._pos += size
            return b

        def inWaiting(self):
            return len(self._data) - self._pos

        def write(self, data):
            pass

        def close(self):
            pass

    board = pyfirmata2.Board.__new__(pyfirmata2.Board)
    board._command_handlers = {}
    board.samplerThread = None
    board.sp = Recorded(data)
    board.name = "recording"
    board.setup_layout(pyfirmata2.BOARDS["arduino"])
    for pin in board.analog:
        pin.reporting = True
    start = time.perf_counter()
    while board.sp.inWaiting():
        board.iterate()
    out["pyfirmata2"] = messages / (time.perf_counter() - start)
    return out


# --- connect to real firmware on the emulated Uno ---------------------------------------------------

def avr_connect_times(runs: int) -> dict | None:
    """Connect times to stock StandardFirmata and makerkit's AVR firmware on the emulated Uno
    (simavr, real-time, UART on a pty); None when the AVR toolchain is missing."""
    sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests"))
    try:
        try:
            from support import avr_emulator as emulator
        except ImportError:
            import emulator
        if emulator.missing_tools():
            return None
        avrsim = emulator.build_harness()[0]
        apps = {"StandardFirmata 2.4": emulator.standard_firmata_hex(),
                "makerkit AVR": emulator.build_firmware() / "makerkit-uno.hex"}
    except Exception:  # noqa: BLE001 - no toolchain, no network for the hex: skip this figure
        return None
    import makerkit
    out = {}
    for name, app in apps.items():
        totals, answers = [], []
        for _ in range(runs):
            board = emulator.EmulatedUno(avrsim=avrsim, app=app)
            try:
                start = time.monotonic()
                kit = makerkit.connect(board.port, board="uno", timeout=6)
                totals.append(time.monotonic() - start)
                answers.append(kit.handshake.answered_after)
                kit.close()
            finally:
                board.close()
        out[name] = (sorted(totals)[len(totals) // 2], sorted(answers)[len(answers) // 2],
                     max(t - a for t, a in zip(totals, answers)))
    return out


# --- report ---------------------------------------------------------------------------------------

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    parser.add_argument("--url", help="use a board already served at this URL instead of starting the virtual kit")
    args = parser.parse_args(argv)
    seconds = 1.0 if args.quick else 3.0
    trips = 200 if args.quick else 1000
    messages = 100_000 if args.quick else 400_000

    rates = decode_rates(messages)
    avr = avr_connect_times(1 if args.quick else 3)
    server = Server()
    try:
        url = args.url or server.start()
        ours = makerkit_live(url, seconds, trips)
        if not args.url:
            server.stop()
            url = server.start()
        theirs = pyfirmata2_live(url, seconds, trips)
    finally:
        server.stop()

    def row(name, a, b, unit, better="higher"):
        ratio = (a / b if better == "higher" else b / a) if a and b else float("nan")
        print(f"| {name:<34} | {a:>14,.1f} | {b:>14,.1f} | {unit:<10} | {ratio:>6.2f}x |")

    print(f"\nmakerkit vs pyfirmata2, virtual Uno (real clock) on socket:// in another process; "
          f"{trips} round trips, {seconds:g} s windows, {messages:,} recorded messages\n")
    print(f"| {'figure':<34} | {'makerkit':>14} | {'pyfirmata2':>14} | {'unit':<10} | {'ratio':>7} |")
    print(f"|{'-' * 36}|{'-' * 16}|{'-' * 16}|{'-' * 12}|{'-' * 9}|")
    row("command round trips", ours["rt_per_s"], theirs["rt_per_s"], "per s")
    row("host CPU per round trip", ours["rt_cpu_us"], theirs["rt_cpu_us"], "µs", "lower")
    row("analog reports received", ours["analog_per_s"], theirs["analog_per_s"], "per s")
    row("host CPU per analog report", ours["analog_cpu_us"], theirs["analog_cpu_us"], "µs", "lower")
    row("idle host CPU", ours["idle_cpu_pct"], theirs["idle_cpu_pct"], "% of a core", "lower")
    row("decode, recorded stream", rates["client_feed"], rates["pyfirmata2"], "msg/s")
    print(f"\n  decoder alone (FirmataDecoder.feed, 64-byte chunks): {rates['decoder']:,.0f} messages/s "
          f"(lead's target 670,000)")
    print(f"  client.feed (decode + cache + wake-ups):            {rates['client_feed']:,.0f} messages/s")
    for name, (total, answer, worst) in (avr or {}).items():
        print(f"  connect to {name} on the emulated Uno: {total * 1000:.0f} ms (median), board answered after "
              f"{answer * 1000:.0f} ms, handshake after the answer at most {worst * 1000:.0f} ms")
    over = ours["connect_s"] - ours["answer_s"]
    print(f"  connect: {ours['connect_s'] * 1000:.0f} ms in all, board answered after "
          f"{ours['answer_s'] * 1000:.0f} ms, handshake after the answer {over * 1000:.0f} ms "
          f"(target <= 300 ms: {'met' if over <= 0.3 else 'MISSED'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
