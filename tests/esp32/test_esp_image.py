"""Image header checks: what a firmware file is, where it goes, and what is refused before any port."""

from __future__ import annotations

import hashlib

import pytest
from support.images import app_image, bootloader_image, build_image, merged_image

from makerkit.catalog.boards import load_board
from makerkit.errors import FirmwareImageError
from makerkit.flash.esp_image import check_image_for_board, read_image


def test_genuine_micropython_image(micropython_image):
    image = read_image(micropython_image)
    assert image.chip == "esp32" and image.chip_name == "ESP32"
    assert image.kind == "merged" and image.offset == 0x1000
    assert image.sha256_appended and image.segments == 4 and image.flash_mode == "dio"
    assert image.header_flash_size == 4 << 20
    assert image.end == 0x1000 + 1_556_784
    check_image_for_board(image, load_board("esp32"))
    check_image_for_board(image, load_board("mpython"))


def test_built_s3_image_goes_at_zero():
    image = read_image(merged_image("esp32s3", 50_000))
    assert image.chip == "esp32s3" and image.kind == "merged" and image.offset == 0
    assert image.app_project == "micropython" and image.app_version == "v1.24.0"
    check_image_for_board(image, load_board("esp32s3"))


def test_app_image_goes_at_0x10000():
    image = read_image(app_image("esp32", 20_000))
    assert image.kind == "app" and image.offset == 0x10000


def test_bootloader_alone_and_explicit_offset():
    image = read_image(bootloader_image("esp32"))
    assert image.kind == "bootloader" and image.offset == 0x1000
    assert read_image(bootloader_image("esp32"), offset=0x2000).offset == 0x2000


def test_image_without_sha256():
    data = build_image("esp32", [(0x3FFB0000, b"\x01\x02\x03\x04" * 100)], hash_appended=False)
    image = read_image(data)
    assert not image.sha256_appended


@pytest.mark.parametrize("board, image_chip", [("esp32", "esp32s3"), ("mpython", "esp32s3"),
                                               ("esp32s3", "esp32"), ("esp32", "esp32c3")])
def test_wrong_chip_for_the_board(board, image_chip):
    image = read_image(merged_image(image_chip, 10_000))
    with pytest.raises(FirmwareImageError) as info:
        check_image_for_board(image, load_board(board))
    assert image.chip_name in info.value.message_en and image.chip_name in info.value.message_zh
    assert "--board" in info.value.hint_en


def test_too_big_for_the_board():
    image = read_image(merged_image("esp32", 4_200_000))
    with pytest.raises(FirmwareImageError, match="too big"):
        check_image_for_board(image, load_board("esp32"))
    check_image_for_board(image, load_board("mpython"))                    # 8 MB of flash


@pytest.mark.parametrize("data, words", [
    (b"", "empty"),
    (b":100000000C945D000C9485000C9485000C94850084\n", "Intel HEX"),
    (b"\x7fELF\x01\x01\x01" + b"\0" * 60, "ELF"),
    (b"UF2\nWQ]\x9e" + b"\0" * 500, "UF2"),
    (b"PK\x03\x04" + b"\0" * 100, "ZIP"),
    (b"hello, world" * 10, "0xE9"),
])
def test_files_that_are_not_images(data, words):
    with pytest.raises(FirmwareImageError, match=words) as info:
        read_image(data, name="x.bin")
    assert "x.bin" in info.value.message_en and info.value.exit_code == 6


def test_truncated_image(micropython_image):
    data = micropython_image.read_bytes()[:50_000]
    with pytest.raises(FirmwareImageError, match="unfinished download|checksum|SHA-256"):
        read_image(data)


def test_damaged_image_checksum_and_hash(micropython_image):
    data = bytearray(micropython_image.read_bytes())
    data[0x2000] ^= 0x40                                                   # a bit flipped in the bootloader
    with pytest.raises(FirmwareImageError, match="checksum|SHA-256"):
        read_image(bytes(data))
    good = build_image("esp32", [(0x3FFB0000, b"\x10" * 64)])
    bad_hash = good[:-1] + bytes([good[-1] ^ 1])
    with pytest.raises(FirmwareImageError, match="SHA-256"):
        read_image(bad_hash)


def test_damaged_app_inside_a_merged_image():
    data = bytearray(merged_image("esp32", 30_000))
    data[0xF000 + 200] ^= 0x01
    with pytest.raises(FirmwareImageError):
        read_image(bytes(data))


def test_missing_file(tmp_path):
    with pytest.raises(FirmwareImageError) as info:
        read_image(tmp_path / "nope.bin")
    assert "nope.bin" in info.value.message_en


def test_unknown_chip_id():
    data = bytearray(build_image("esp32", [(0x3FFB0000, b"\x10" * 64)], hash_appended=False))
    data[12] = 99                                                           # chip id field
    with pytest.raises(FirmwareImageError, match="chip id 99"):
        read_image(bytes(data))


def test_header_matches_esptool_reading(micropython_image):
    """Our parser agrees with esptool's own image loader on chip, entry and segments."""
    from esptool.bin_image import LoadFirmwareImage
    for data in (micropython_image.read_bytes(), merged_image("esp32s3", 40_000)):
        ours = read_image(data)
        theirs = LoadFirmwareImage(ours.chip_name, data)
        assert theirs.chip_id == ours.chip_id and theirs.entrypoint == ours.entry
        assert len(theirs.segments) == ours.segments
        assert theirs.checksum is not None
        if ours.sha256_appended:
            assert theirs.stored_digest == hashlib.sha256(data[:theirs.data_length]).digest()
