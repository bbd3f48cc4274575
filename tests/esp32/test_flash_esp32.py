"""makerkit's ESP32 flashing through the real esptool code, against the emulated ROM loader."""

from __future__ import annotations

import pytest
from support.images import merged_image
from support.rom_loader import (CHANGE_BAUDRATE, FLASH_DEFL_DATA, MEM_DATA, SPI_FLASH_MD5, SPI_SET_PARAMS,
                        RomLoader)

from makerkit.errors import (DisconnectedError, FirmwareImageError, FlashError, PortNotFoundError,
                             SyncError, VerifyError)
from makerkit.flash import flash_board
from makerkit.flash.esp32 import flash_esp32


def _flashed(rom: RomLoader, path, offset: int) -> bool:
    data = path.read_bytes()
    return rom.read(offset, len(data)) == data


def test_micropython_image_is_flashed_byte_for_byte(micropython_image, esp32_loader):
    events = []
    result = flash_board(board="esp32", port=esp32_loader.url, firmware=str(micropython_image),
                         progress=lambda *a: events.append(a))
    assert _flashed(esp32_loader, micropython_image, 0x1000)
    assert esp32_loader.read(0, 0x1000) == b"\xff" * 0x1000          # nothing before the bootloader
    assert result.verified and result.method == "esptool" and result.baud == 460800
    assert result.bytes_written == micropython_image.stat().st_size
    assert result.details["chip"] == "esp32" and result.details["offset"] == 0x1000
    assert 0 < result.details["wire_bytes"] < result.bytes_written        # compressed
    assert esp32_loader.stats.bauds == [460800]
    assert esp32_loader.state == "app" and esp32_loader.stats.resets_into_app == 1
    # esptool's own output went into the result, not to the terminal; progress came through phases
    assert any("Hash of data verified" in line for line in result.details["log"])
    phases = [e[0] for e in events]
    assert phases[0] == "connect" and phases[-1] == "done" and "verify" in phases
    writes = [e for e in events if e[0] == "write"]
    assert writes[-1][1] == writes[-1][2] == result.details["wire_bytes"]
    assert all(a[1] <= b[1] for a, b in zip(writes, writes[1:]))


def test_micropython_image_uncompressed(micropython_image, esp32_loader):
    result = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(micropython_image),
                         compress=False)
    assert _flashed(esp32_loader, micropython_image, 0x1000)
    assert result.details["wire_bytes"] >= result.bytes_written


def test_s3_image_on_s3_board(s3_image, s3_loader, capsys):
    result = flash_board(board="esp32s3", port=s3_loader.url, firmware=str(s3_image))
    assert _flashed(s3_loader, s3_image, 0x0)
    assert result.details["chip"] == "esp32s3" and result.details["flash_size"] == 8 << 20
    assert result.details["flash_size_detected"]
    assert s3_loader.state == "app"
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""                                  # the library never prints


def test_s3_image_for_esp32_board_is_refused_before_the_port(s3_image, esp32_loader):
    with pytest.raises(FirmwareImageError) as info:
        flash_board(board="esp32", port=esp32_loader.url, firmware=str(s3_image))
    assert "ESP32-S3" in info.value.message_en and "esp32" in info.value.message_en
    assert "ESP32-S3" in info.value.message_zh
    assert info.value.exit_code == 6
    assert esp32_loader.stats.connections == 0


def test_esp32_image_on_a_board_that_turns_out_to_be_s3(micropython_image, s3_loader):
    with pytest.raises(FirmwareImageError) as info:
        flash_esp32(board="esp32", port=s3_loader.url, firmware=str(micropython_image))
    assert "ESP32-S3" in info.value.message_en and "board on" in info.value.message_en
    assert s3_loader.stats.connections == 1
    assert s3_loader.read(0, 0x20000) == b"\xff" * 0x20000                 # nothing written


def test_image_too_big_for_the_detected_flash(tmp_path):
    big = tmp_path / "big.bin"
    big.write_bytes(merged_image("esp32", 2_200_000))
    with RomLoader("esp32", flash_size=2 << 20) as rom:
        with pytest.raises(FirmwareImageError) as info:
            flash_esp32(board="esp32", port=rom.url, firmware=str(big))
        assert "too big" in info.value.message_en and "2,097,152" in info.value.message_en
        assert rom.read(0, 1 << 20) == b"\xff" * (1 << 20)


def test_image_too_big_for_the_profile_is_refused_before_the_port(tmp_path, esp32_loader):
    big = tmp_path / "huge.bin"
    big.write_bytes(merged_image("esp32", 4_300_000))
    with pytest.raises(FirmwareImageError, match="too big"):
        flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(big))
    assert esp32_loader.stats.connections == 0


def test_no_firmware_file_says_where_to_get_micropython(esp32_loader):
    with pytest.raises(FirmwareImageError) as info:
        flash_esp32(board="esp32", port=esp32_loader.url, firmware=None)
    assert "micropython.org/download" in info.value.hint_en
    assert "micropython.org/download" in info.value.hint_zh


def test_board_not_in_download_mode(small_esp32_image):
    with RomLoader("esp32", app_mode=True) as rom:
        with pytest.raises(SyncError) as info:
            flash_esp32(board="esp32", port=rom.url, firmware=str(small_esp32_image), connect_attempts=1)
    assert "BOOT" in info.value.hint_en and "EN" in info.value.hint_en
    assert "BOOT" in info.value.hint_zh
    assert info.value.exit_code == 7


def test_port_that_does_not_exist(small_esp32_image):
    rom = RomLoader("esp32")
    url = rom.url
    rom.close()
    with pytest.raises(PortNotFoundError):
        flash_esp32(board="esp32", port=url, firmware=str(small_esp32_image))


def test_noisy_link_falls_back_to_a_slower_baud(small_esp32_image, esp32_loader):
    esp32_loader.garble_above(230400)
    result = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image))
    assert result.baud == 230400 and result.details["attempts"] == 2
    assert esp32_loader.stats.bauds == [460800, 230400]
    assert _flashed(esp32_loader, small_esp32_image, 0x1000)


def test_link_that_fails_at_every_rate(small_esp32_image, esp32_loader):
    esp32_loader.bad_checksum(MEM_DATA, times=10)                         # the stub never arrives whole
    with pytest.raises(FlashError) as info:
        flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image),
                    baud=230400)
    assert "115200" in info.value.message_en and "nothing was written" in info.value.message_en
    assert type(info.value) is FlashError and info.value.exit_code == 5
    assert esp32_loader.stats.connections == 2                            # 230400, then 115200


def test_dropped_reply_then_retry_at_a_slower_rate(small_esp32_image, esp32_loader):
    esp32_loader.drop_reply(SPI_SET_PARAMS)
    result = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image))
    assert result.details["attempts"] == 2 and result.baud == 230400
    assert _flashed(esp32_loader, small_esp32_image, 0x1000)


def test_bad_checksum_on_a_block_is_retried_by_esptool(small_esp32_image, esp32_loader):
    esp32_loader.bad_checksum(FLASH_DEFL_DATA, after=2)
    result = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image))
    assert result.details["attempts"] == 1
    assert _flashed(esp32_loader, small_esp32_image, 0x1000)
    sent = [op for _, op in esp32_loader.stats.commands if op == FLASH_DEFL_DATA]
    assert len(sent) == -(-result.details["wire_bytes"] // 0x4000) + 1      # one block sent twice


def test_failing_flash_cell_is_caught_by_verification(small_esp32_image, esp32_loader):
    esp32_loader.corrupt_flash(0x1000 + 70_000)
    with pytest.raises(VerifyError) as info:
        flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image))
    assert info.value.exit_code == 8
    assert SPI_FLASH_MD5 in [op for _, op in esp32_loader.stats.commands]


def test_port_lost_mid_write_and_back_is_rewritten(small_esp32_image, esp32_loader):
    esp32_loader.vanish(FLASH_DEFL_DATA, after=3, reconnect=True)
    result = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image))
    assert _flashed(esp32_loader, small_esp32_image, 0x1000)
    assert esp32_loader.stats.connections == 2
    assert any("Lost connection" in line for line in result.details["log"])


@pytest.mark.slow
def test_port_lost_for_good_mid_write(small_esp32_image, esp32_loader):
    esp32_loader.vanish(FLASH_DEFL_DATA, after=3, reconnect=False)
    with pytest.raises(DisconnectedError) as info:
        flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image))
    err = info.value
    assert "re-flashing" in err.message_en and "nothing else was touched" in err.message_en
    assert "重新烧录" in err.message_zh and err.exit_code == 3
    assert esp32_loader.read(0, 0x1000) == b"\xff" * 0x1000


def test_baud_option_overrides_the_profile(small_esp32_image, esp32_loader):
    result = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(small_esp32_image),
                         baud=921600)
    assert result.baud == 921600 and esp32_loader.stats.bauds == [921600]
    assert CHANGE_BAUDRATE in [op for _, op in esp32_loader.stats.commands]


def test_two_boards_in_parallel_keep_their_own_progress(small_esp32_image, s3_image, esp32_loader, s3_loader):
    import threading
    jobs = {"esp32": (esp32_loader, small_esp32_image, 0x1000), "esp32s3": (s3_loader, s3_image, 0x0)}
    events = {board: [] for board in jobs}
    results, errors = {}, []

    def run(board):
        rom, image, _ = jobs[board]
        try:
            results[board] = flash_esp32(board=board, port=rom.url, firmware=str(image),
                                         progress=lambda *a: events[board].append(a))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(board,)) for board in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors and set(results) == set(jobs)
    for board, (rom, image, offset) in jobs.items():
        assert _flashed(rom, image, offset)
        writes = [e for e in events[board] if e[0] == "write"]
        assert {e[2] for e in writes} == {results[board].details["wire_bytes"]}
        detected = [line for line in results[board].details["log"] if "Detecting chip type" in line]
        assert detected and detected[0].split("...")[-1].strip() == {"esp32": "ESP32",
                                                                     "esp32s3": "ESP32-S3"}[board]


def test_esp32_image_for_s3_board_is_refused_before_the_port(micropython_image, s3_loader):
    with pytest.raises(FirmwareImageError) as info:
        flash_board(board="esp32s3", port=s3_loader.url, firmware=str(micropython_image))
    assert "ESP32-S3" in info.value.message_en and info.value.details["image_chip"] == "esp32"
    assert s3_loader.stats.connections == 0
