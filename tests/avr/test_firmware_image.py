"""Firmware files are read and checked before the port is touched: bad HEX, too big, missing."""

from pathlib import Path

import pytest

from makerkit.catalog import load_board
from makerkit.errors import FirmwareImageError
from makerkit.firmware_images import image_path, packaged_images
from makerkit.flash import flash_board
from makerkit.flash.avr_image import load_avr_image
from makerkit.protocol.intel_hex import HexFormatError, parse_intel_hex, to_intel_hex

NO_SUCH_PORT = "/dev/makerkit-no-such-port"   # opening it would raise PortNotFoundError, not these


def test_round_trip_and_gaps():
    text = to_intel_hex(bytes(range(40)), start=0x100)
    image = parse_intel_hex(text)
    assert image.segments == ((0x100, bytes(range(40))),)
    assert image.end == 0x128 and image.size == 40
    flat = image.flat(0xF0, 0x130)
    assert flat[:16] == b"\xff" * 16 and flat[16:56] == bytes(range(40)) and flat[56:] == b"\xff" * 8


@pytest.mark.parametrize("content, words", [
    ("", "empty"),
    ("hello world\n", "does not start"),
    (b"\x7fELF\x00\x01", "binary"),
])
def test_not_hex(content, words):
    with pytest.raises(HexFormatError) as info:
        parse_intel_hex(content)
    assert words in str(info.value)


def test_truncated_and_corrupt():
    text = to_intel_hex(bytes(range(64)))
    with pytest.raises(HexFormatError, match="end-of-file record is missing"):
        parse_intel_hex(text.rsplit(":00000001FF", 1)[0])
    with pytest.raises(HexFormatError) as info:
        parse_intel_hex(text[:60])                      # cut in the middle of the second record
    assert info.value.line == 2
    lines = text.splitlines()
    lines[1] = lines[1][:-2] + ("00" if lines[1][-2:] != "00" else "01")   # wrong checksum
    with pytest.raises(HexFormatError) as info:
        parse_intel_hex("\n".join(lines))
    assert info.value.line == 2


def test_packaged_images_exist_and_fit():
    uno = load_board("uno")
    assert {"makerkit-uno.hex", "makerkit-nano.hex"} <= set(packaged_images())
    image = load_avr_image(uno, None)
    assert image.name == "makerkit-uno.hex"
    assert image.size % 128 == 0 and image.used <= image.size <= uno.app_flash_size
    assert image.data[:2] == b"\x0c\x94"                # reset vector: jmp
    with pytest.raises(FirmwareImageError):
        image_path("../boards/uno.toml")


def _raises_before_port(tmp_path: Path, content, match: str, exit_code: int = 6):
    path = tmp_path / "sketch.hex"
    path.write_bytes(content) if isinstance(content, bytes) else path.write_text(content)
    with pytest.raises(FirmwareImageError, match=match) as info:
        flash_board(board="uno", port=NO_SUCH_PORT, firmware=str(path))
    assert info.value.exit_code == exit_code
    assert info.value.message_zh != info.value.message_en and info.value.hint_zh
    return info.value


def test_too_big_is_refused_before_the_port(tmp_path):
    err = _raises_before_port(tmp_path, to_intel_hex(b"\x00" * 32257), "too big for the Arduino Uno")
    assert "32257" in str(err) and "32256" in str(err)
    # an image that reaches into the bootloader (a "with_bootloader" hex) is refused too
    _raises_before_port(tmp_path, to_intel_hex(b"\x00" * 16, start=0x7E00), "too big")


def test_bad_files_are_refused_before_the_port(tmp_path):
    good = to_intel_hex(bytes(range(200)))
    _raises_before_port(tmp_path, good[: len(good) // 2], "not a complete Intel HEX file")
    _raises_before_port(tmp_path, good.replace(":00000001FF", ""), "cut short")
    _raises_before_port(tmp_path, b"\x00\x01\x02binary", "not a complete Intel HEX file")
    lines = good.splitlines()
    lines[3] = lines[3][:-2] + ("00" if lines[3][-2:] != "00" else "01")     # one bad checksum
    err = _raises_before_port(tmp_path, "\n".join(lines), "line 4")
    assert "第 4 行" in err.message_zh
    with pytest.raises(FirmwareImageError, match="no firmware file called"):
        flash_board(board="uno", port=NO_SUCH_PORT, firmware=str(tmp_path / "missing.hex"))
