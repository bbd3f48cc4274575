"""Check an ESP32-family firmware file (``.bin``) before anything touches a port.

An Espressif image starts with the magic byte 0xE9, a segment count, the SPI flash mode and size,
the entry point and an extended header that names the chip (``chip_id``: 0 ESP32, 9 ESP32-S3,
5 ESP32-C3...). Its segments are followed by an XOR checksum and, usually, a SHA-256 of it all.
MicroPython's downloads are *merged* images: the second-stage bootloader first (written at 0x1000
on an ESP32, 0x0 on the S3/C3), the partition table 0x7000 bytes later, the app at 0x10000.

:func:`read_image` parses and verifies a file, works out where it belongs in flash and raises
:class:`~makerkit.errors.FirmwareImageError` for anything that is not a whole image;
:func:`check_image_for_board` refuses an image for another chip or one too big for the board.
Pure Python: no esptool here (that is :mod:`makerkit.flash.esp32`'s job).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from pathlib import Path

from ..errors import FirmwareImageError

IMAGE_MAGIC = 0xE9
CHECKSUM_SEED = 0xEF
APP_DESC_MAGIC = 0xABCD5432
PARTITION_TABLE_OFFSET = 0x8000
APP_OFFSET = 0x10000

#: extended-header chip id -> chip name as used in board profiles
CHIP_IDS = {0: "esp32", 2: "esp32s2", 5: "esp32c3", 9: "esp32s3", 12: "esp32c2", 13: "esp32c6",
            16: "esp32h2", 18: "esp32p4", 23: "esp32c5", 20: "esp32c61"}
CHIP_NAMES = {"esp32": "ESP32", "esp32s2": "ESP32-S2", "esp32s3": "ESP32-S3", "esp32c2": "ESP32-C2",
              "esp32c3": "ESP32-C3", "esp32c5": "ESP32-C5", "esp32c6": "ESP32-C6",
              "esp32c61": "ESP32-C61", "esp32h2": "ESP32-H2", "esp32p4": "ESP32-P4"}
#: where the second-stage bootloader lives in flash
BOOTLOADER_OFFSETS = {"esp32": 0x1000, "esp32s2": 0x1000, "esp32p4": 0x2000}
_FLASH_SIZES = {0: 1 << 20, 1: 2 << 20, 2: 4 << 20, 3: 8 << 20, 4: 16 << 20, 5: 32 << 20,
                6: 64 << 20, 7: 128 << 20}
_FLASH_MODES = {0: "qio", 1: "qout", 2: "dio", 3: "dout"}


def chip_name(chip: str) -> str:
    """``"esp32s3"`` -> ``"ESP32-S3"``."""
    return CHIP_NAMES.get(chip, chip.upper())


@dataclass(frozen=True)
class EspImage:
    """A verified firmware file and where it goes."""
    name: str
    data: bytes
    chip: str                  # "esp32", "esp32s3", ...
    chip_id: int
    kind: str                  # "merged" (bootloader + partitions + app), "bootloader" or "app"
    offset: int                # flash address the file is written at
    entry: int
    segments: int
    flash_mode: str
    header_flash_size: int     # bytes, as the image header says
    min_rev_full: int
    max_rev_full: int
    sha256_appended: bool
    app_version: str = ""
    app_project: str = ""

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def end(self) -> int:
        return self.offset + len(self.data)

    @property
    def chip_name(self) -> str:
        return chip_name(self.chip)


@dataclass(frozen=True)
class _Header:
    chip_id: int
    entry: int
    segments: int
    flash_mode: str
    flash_size: int
    min_rev_full: int
    max_rev_full: int
    hash_appended: bool
    length: int                # bytes from the header to the end of the checksum / hash
    first_segment: bytes


def _bad(name: str, en: str, zh: str, **details) -> FirmwareImageError:
    return FirmwareImageError(en=f"{name}: {en}", zh=f"{name}：{zh}", file=name, **details)


def _parse_header(data: bytes, at: int, name: str) -> _Header:
    if len(data) - at < 24 or data[at] != IMAGE_MAGIC:
        raise _bad(name, f"there is no ESP32 image header at byte {at:#x}.",
                   f"在第 {at:#x} 字节处没有 ESP32 固件头。")
    _, segments, mode, size_freq, entry = struct.unpack_from("<BBBBI", data, at)
    (_wp, _d1, _d2, _d3, chip_id, _min_rev, min_full, max_full, *_reserved, hash_appended) = \
        struct.unpack_from("<BBBBHBHH" + "B" * 4 + "B", data, at + 8)
    if not 1 <= segments <= 16:
        raise _bad(name, f"the image header says it has {segments} segments; the file is damaged.",
                   f"固件头说它有 {segments} 个段，文件已经损坏。")
    pos = at + 24
    checksum = CHECKSUM_SEED
    first = b""
    for index in range(segments):
        if pos + 8 > len(data):
            raise _bad(name, "the file ends in the middle of the image (an unfinished download?).",
                       "文件在固件中间就结束了（可能没有下载完整）。")
        _load, length = struct.unpack_from("<II", data, pos)
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            raise _bad(name, "the file ends in the middle of the image (an unfinished download?).",
                       "文件在固件中间就结束了（可能没有下载完整）。")
        if index == 0:
            first = bytes(body[:256])
        for b in body:
            checksum ^= b
        pos += 8 + length
    pos += 15 - ((pos - at) % 16)      # pad so the checksum byte ends a 16-byte line
    if pos >= len(data) or data[pos] != checksum:
        raise _bad(name, "the image checksum is wrong: the file is damaged. Download it again.",
                   "固件校验和不对：文件已损坏，请重新下载。")
    pos += 1
    if hash_appended == 1:
        digest = data[pos:pos + 32]
        if hashlib.sha256(data[at:pos]).digest() != digest:
            raise _bad(name, "the image's SHA-256 does not match: the file is damaged. Download it again.",
                       "固件的 SHA-256 不匹配：文件已损坏，请重新下载。")
        pos += 32
    return _Header(chip_id=chip_id, entry=entry, segments=segments,
                   flash_mode=_FLASH_MODES.get(mode, f"mode{mode}"),
                   flash_size=_FLASH_SIZES.get(size_freq >> 4, 0), min_rev_full=min_full,
                   max_rev_full=max_full, hash_appended=hash_appended == 1,
                   length=pos - at, first_segment=first)


def _app_desc(segment: bytes) -> tuple[str, str] | None:
    if len(segment) < 80 or struct.unpack_from("<I", segment, 0)[0] != APP_DESC_MAGIC:
        return None

    def text(raw: bytes) -> str:
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace")
    return text(segment[16:48]), text(segment[48:80])


def _not_an_image(name: str, data: bytes) -> FirmwareImageError:
    if not data:
        return _bad(name, "the file is empty.", "文件是空的。")
    if data[:1] == b":":
        return _bad(name, "this is an Intel HEX file for an Arduino, not an ESP32 .bin image.",
                    "这是给 Arduino 用的 Intel HEX 文件，不是 ESP32 的 .bin 固件。")
    if data[:4] == b"\x7fELF":
        return _bad(name, "this is an ELF file; flash the .bin file that was built beside it.",
                    "这是 ELF 文件；请烧录和它一起生成的 .bin 文件。")
    if data[:4] == b"UF2\n":
        return _bad(name, "this is a UF2 file (for drag-and-drop boards), not an ESP32 .bin image.",
                    "这是 UF2 文件（拖放式烧录用），不是 ESP32 的 .bin 固件。")
    if data[:2] == b"PK":
        return _bad(name, "this is a ZIP archive; unpack it and choose the .bin file inside.",
                    "这是 ZIP 压缩包；请先解压，再选择里面的 .bin 文件。")
    return _bad(name, "this is not an ESP32 firmware image (it does not start with the byte 0xE9).",
                "这不是 ESP32 固件（文件开头不是 0xE9）。")


def read_image(source: str | Path | bytes, *, name: str | None = None,
               offset: int | None = None) -> EspImage:
    """Read and verify a firmware file; ``offset`` overrides where it is written."""
    if isinstance(source, (bytes, bytearray)):
        data, name = bytes(source), name or "firmware.bin"
    else:
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise FirmwareImageError(
                en=f"There is no firmware file {path}.", zh=f"找不到固件文件 {path}。",
                hint_en="Check the file name; download MicroPython for your board first (see `makerkit flash --help`).",
                hint_zh="请检查文件名；先下载适合你开发板的 MicroPython 固件（见 `makerkit flash --help`）。",
                file=str(path)) from None
        except OSError as exc:
            raise FirmwareImageError(en=f"Cannot read {path}: {exc.strerror}.",
                                     zh=f"无法读取 {path}：{exc.strerror}。", file=str(path)) from None
    if not data or data[0] != IMAGE_MAGIC:
        raise _not_an_image(name, data)
    header = _parse_header(data, 0, name)
    chip = CHIP_IDS.get(header.chip_id)
    if chip is None:
        raise _bad(name, f"the image is for a chip makerkit does not know (chip id {header.chip_id}).",
                   f"这个固件对应的芯片 makerkit 不认识（芯片编号 {header.chip_id}）。")
    version = project = ""
    desc = _app_desc(header.first_segment)
    if desc is not None:                       # an app image on its own
        kind, where = "app", APP_OFFSET
        version, project = desc
    else:
        where = BOOTLOADER_OFFSETS.get(chip, 0)
        table = PARTITION_TABLE_OFFSET - where
        app = APP_OFFSET - where
        if len(data) > table and data[table:table + 2] == b"\xaa\x50":
            kind = "merged"
            if len(data) <= app:
                raise _bad(name, "the file stops after the partition table, before the app "
                                 "(an unfinished download?).",
                           "文件在分区表之后就结束了，缺少应用程序（可能没有下载完整）。")
            app_header = _parse_header(data, app, name)
            if app_header.chip_id != header.chip_id:
                raise _bad(name, "its bootloader and app are for different chips.",
                           "它的引导程序和应用程序对应的芯片不一样。")
            desc = _app_desc(app_header.first_segment)
            if desc:
                version, project = desc
        else:
            kind = "bootloader"
    return EspImage(name=name, data=data, chip=chip, chip_id=header.chip_id, kind=kind,
                    offset=where if offset is None else offset, entry=header.entry,
                    segments=header.segments, flash_mode=header.flash_mode,
                    header_flash_size=header.flash_size, min_rev_full=header.min_rev_full,
                    max_rev_full=header.max_rev_full, sha256_appended=header.hash_appended,
                    app_version=version, app_project=project)


def check_chip(image: EspImage, chip: str, *, where_en: str, where_zh: str) -> None:
    """Refuse an image for another chip; ``where_*`` names the board or port that has ``chip``."""
    if image.chip != chip:
        raise FirmwareImageError(
            en=f"{image.name} is firmware for an {image.chip_name}, but {where_en} has an "
               f"{chip_name(chip)}.",
            zh=f"{image.name} 是给 {image.chip_name} 用的固件，但{where_zh}是 {chip_name(chip)}。",
            hint_en=f"Use the {chip_name(chip)} build of the firmware, or choose the right --board.",
            hint_zh=f"请使用 {chip_name(chip)} 版本的固件，或者选择正确的 --board。",
            file=image.name, image_chip=image.chip, chip=chip)


def check_fits(image: EspImage, flash_size: int, *, where_en: str, where_zh: str) -> None:
    """Refuse an image that does not fit in ``flash_size`` bytes of flash."""
    if image.end > flash_size:
        raise FirmwareImageError(
            en=f"{image.name} is too big: it needs {image.end:,} bytes of flash (from {image.offset:#x}), "
               f"but {where_en} has {flash_size:,}.",
            zh=f"{image.name} 太大了：它需要 {image.end:,} 字节的闪存（从 {image.offset:#x} 开始），"
               f"但{where_zh}只有 {flash_size:,} 字节。",
            hint_en="Choose a firmware build for a board with this much flash (4 MB boards need the "
                    "plain ESP32 build, not the SPIRAM/8 MB one).",
            hint_zh="请选择适合这个闪存大小的固件（4 MB 的开发板要用普通 ESP32 版本，而不是 8 MB/SPIRAM 版本）。",
            file=image.name, needed=image.end, available=flash_size)


def check_image_for_board(image: EspImage, board) -> None:
    """Check an image against a board profile (chip and flash size) before touching any port."""
    where_en, where_zh = f"the {board.id} board ({board.name})", f" {board.id} 开发板（{board.name_zh}）"
    check_chip(image, board.chip, where_en=where_en, where_zh=where_zh)
    check_fits(image, board.flash_size, where_en=where_en, where_zh=where_zh)
