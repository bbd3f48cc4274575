"""AVR figures on the emulated Uno (real machine code on simavr, throttled to real time).

Run on demand (not collected by pytest)::

    python3 benchmarks/bench_avr.py              # uploads x3, round trips for 3 s each
    python3 benchmarks/bench_avr.py --quick      # uploads x1, round trips for 1 s each

What it measures, in one run on the same emulator build:

* upload time of the same image (makerkit's packaged ``makerkit-uno.hex``) through makerkit's
  pure-Python Optiboot uploader and through Debian's ``avrdude -c arduino``, both with read-back
  verify, on a fresh emulated Uno holding only Optiboot; and the ratio;
* host <-> firmware command round trips per second on the emulated 115200-baud link (one request
  in flight), for a short, a medium and a long reply, raw (transport + codec) and through the host
  client (``FirmataClient.request``), with the wire-speed ceiling for the same bytes beside them:
  115200 baud 8N1 carries 11,520 bytes/s. The emulated link is a little different: the firmware's
  UBRR gives 117,647 baud, host->board bytes take 10 bits (the harness paces them) and board->host
  bytes 11 (simavr's UART), so the "emulated ceiling" column uses those.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

from support.avr_emulator import EmulatedUno, build_firmware, build_harness  # noqa: E402
from makerkit.device.client import FirmataClient  # noqa: E402
from makerkit.flash import flash_board  # noqa: E402
from makerkit.protocol import firmata as fm  # noqa: E402
from makerkit.transport import open_transport  # noqa: E402

BAUD = 115200
WIRE_BYTES_PER_S = BAUD / 10
AVR_BAUD = 16_000_000 / (8 * 17)        # U2X0 = 1, UBRR0 = 16


def emulated_ceiling(out_bytes: int, in_bytes: int) -> float:
    return 1.0 / (out_bytes * 10 / AVR_BAUD + in_bytes * 11 / AVR_BAUD)


def upload_times(optiboot, image, repeat: int) -> tuple[list[float], list[float]]:
    ours, theirs = [], []
    for _ in range(repeat):
        with EmulatedUno(boot=optiboot) as uno:
            started = time.monotonic()
            flash_board(board="uno", port=uno.port, firmware=str(image))
            ours.append(time.monotonic() - started)
        if shutil.which("avrdude"):
            with EmulatedUno(boot=optiboot) as uno:
                started = time.monotonic()
                subprocess.run(["avrdude", "-q", "-q", "-p", "m328p", "-c", "arduino", "-P", uno.port, "-b", str(BAUD),
                                "-U", f"flash:w:{image}:i"], check=True, capture_output=True, timeout=120)
                theirs.append(time.monotonic() - started)
    return ours, theirs


def raw_round_trips(port: str, frame: bytes, kind, seconds: float) -> tuple[float, int]:
    """Round trips per second with the transport and the codec alone; returns (rate, reply bytes)."""
    transport = open_transport(port, baud=BAUD)
    decoder = fm.FirmataDecoder()
    try:
        deadline = time.monotonic() + 5
        while not any(isinstance(e, fm.FirmwareReport) for e in decoder.feed(transport.read(4096, 0.1))):
            if time.monotonic() > deadline:
                raise RuntimeError("the firmware did not boot")
        reply_bytes, count = 0, 0
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            transport.write(frame)
            got, raw = False, 0
            while not got:
                data = transport.read(4096, timeout=1.0)
                if not data:
                    raise RuntimeError("no reply")
                raw += len(data)
                got = any(isinstance(e, kind) for e in decoder.feed(data))
            reply_bytes = raw
            count += 1
        return count / seconds, reply_bytes
    finally:
        transport.close()


def client_round_trips(port: str, frame: bytes, kind, seconds: float) -> float:
    transport = open_transport(port, baud=BAUD)
    client = FirmataClient(transport)
    client.start()
    try:
        client.request(fm.report_version(), expect=fm.ProtocolVersion, timeout=5)
        count, end = 0, time.monotonic() + seconds
        while time.monotonic() < end:
            client.request(frame, expect=kind, timeout=1.0)
            count += 1
        return count / seconds
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    repeat, seconds = (1, 1.0) if args.quick else (3, 3.0)
    _, optiboot = build_harness()
    image = build_firmware() / "makerkit-uno.hex"

    ours, theirs = upload_times(optiboot, image, repeat)
    print(f"upload of {image.name} ({os.path.getsize(image)} bytes of HEX text), write + verify, median of {repeat}:")
    print(f"  makerkit (pure Python) {statistics.median(ours):6.2f} s   runs: {', '.join(f'{t:.2f}' for t in ours)}")
    if theirs:
        print(f"  avrdude -c arduino     {statistics.median(theirs):6.2f} s   runs: {', '.join(f'{t:.2f}' for t in theirs)}")
        print(f"  ratio makerkit/avrdude {statistics.median(ours) / statistics.median(theirs):6.2f}")
    else:
        print("  avrdude not installed: no comparison")

    cases = [("REPORT_VERSION", fm.report_version(), fm.ProtocolVersion),
             ("PIN_STATE_QUERY D13", fm.pin_state_query(13), fm.PinState),
             ("MK_IDENTITY", fm.mk_identity_query(), fm.MkIdentity)]
    print(f"\nround trips on the emulated {BAUD}-baud link (one in flight, {seconds:.0f} s each):")
    print(f"  {'message':22} {'bytes out+in':>12} {'raw/s':>8} {'client/s':>9} {'ceiling/s':>10} {'emulated ceiling/s':>19}")
    with EmulatedUno(app=image) as uno:
        for name, frame, kind in cases:
            rate, reply = raw_round_trips(uno.port, frame, kind, seconds)
            client_rate = client_round_trips(uno.port, frame, kind, seconds)
            total = len(frame) + reply
            print(f"  {name:22} {total:12d} {rate:8.0f} {client_rate:9.0f} {WIRE_BYTES_PER_S / total:10.0f} "
                  f"{emulated_ceiling(len(frame), reply):19.0f}")
        print(f"  emulator lag behind the wall clock at the end: {uno.lag_ms():.1f} ms")


if __name__ == "__main__":
    main()
