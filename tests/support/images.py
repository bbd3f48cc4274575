"""Build valid Espressif firmware images for tests (esptool's image format, written out by hand).

No ESP32-S3 MicroPython build is on PyPI, so the S3 tests flash an image made here: a header with
magic 0xE9, segments, the chip id in the extended header, the XOR checksum and an appended SHA-256
(the same bytes ESP-IDF's ``esptool elf2image`` writes). ``merged_image`` lays out bootloader,
partition table and app the way MicroPython's downloads do.
"""

from __future__ import annotations

import hashlib
import random
import struct

CHIP_IDS = {"esp32": 0, "esp32s3": 9, "esp32c3": 5}
BOOTLOADER_OFFSETS = {"esp32": 0x1000, "esp32s3": 0x0, "esp32c3": 0x0}
APP_DESC_MAGIC = 0xABCD5432


def build_image(chip: str, segments: list[tuple[int, bytes]], *, entry: int = 0x40080000,
                flash_size_code: int = 2, hash_appended: bool = True) -> bytes:
    """One image: header, extended header, segments, checksum, optional SHA-256."""
    header = struct.pack("<BBBBI", 0xE9, len(segments), 2, flash_size_code << 4, entry)
    extended = struct.pack("<BBBBHBHH" + "B" * 4 + "B", 0xEE, 0, 0, 0, CHIP_IDS[chip], 0, 0, 0xFFFF,
                           0, 0, 0, 0, 1 if hash_appended else 0)
    body = bytearray(header + extended)
    checksum = 0xEF
    for load_addr, data in segments:
        data = data + b"\0" * (-len(data) % 4)
        body += struct.pack("<II", load_addr, len(data)) + data
        for b in data:
            checksum ^= b
    body += b"\0" * (15 - len(body) % 16)
    body.append(checksum)
    if hash_appended:
        body += hashlib.sha256(bytes(body)).digest()
    return bytes(body)


def app_descriptor(version: str, project: str) -> bytes:
    desc = struct.pack("<II8x", APP_DESC_MAGIC, 0)
    desc += version.encode().ljust(32, b"\0") + project.encode().ljust(32, b"\0")
    return desc + b"\0" * (256 - len(desc))


def _payload(rng: random.Random, size: int) -> bytes:
    """Code-like bytes: some repetition (compresses like firmware does), some noise."""
    words = [rng.randbytes(4) for _ in range(64)]
    out = bytearray()
    while len(out) < size:
        out += rng.choice(words) if rng.random() < 0.7 else rng.randbytes(4)
    return bytes(out[:size])


def app_image(chip: str, size: int, *, seed: int = 1, version: str = "v1.24.0",
              project: str = "micropython") -> bytes:
    rng = random.Random(seed)
    drom = app_descriptor(version, project) + _payload(rng, size // 2)
    irom = _payload(rng, size - size // 2)
    return build_image(chip, [(0x3F400020, drom), (0x400D0020, irom)], entry=0x40081000)


def bootloader_image(chip: str, *, seed: int = 2) -> bytes:
    rng = random.Random(seed)
    return build_image(chip, [(0x3FFF0000, _payload(rng, 4096)), (0x40078000, _payload(rng, 12000))],
                       entry=0x40080400)


def partition_table() -> bytes:
    entries = [(0, 2, 0x9000, 0x6000, b"nvs"), (0, 1, 0xF000, 0x1000, b"phy_init"),
               (0, 0, 0x10000, 0x1F0000, b"factory"), (1, 0x81, 0x200000, 0x200000, b"vfs")]
    table = b"".join(struct.pack("<2sBBII16sI", b"\xaa\x50", t, s, off, size, name.ljust(16, b"\0"), 0)
                     for t, s, off, size, name in entries)
    return table + b"\xff" * (0xC00 - len(table))


def merged_image(chip: str, app_size: int, *, seed: int = 1) -> bytes:
    """Bootloader + partition table + app, padded with 0xFF, to be written at the bootloader offset."""
    base = BOOTLOADER_OFFSETS[chip]
    out = bytearray(b"\xff" * (0x10000 - base))
    boot = bootloader_image(chip)
    out[0:len(boot)] = boot
    table = partition_table()
    out[0x8000 - base:0x8000 - base + len(table)] = table
    return bytes(out) + app_image(chip, app_size, seed=seed)
