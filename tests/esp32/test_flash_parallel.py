"""``makerkit flash`` with several ``--port``: emulated ESP32 ROM loaders on sockets, flashed at once;
boards that fail (not in download mode, a port that vanishes mid-write) never stop the others, and the
retry command the table prints finishes them. Re-flashing an image already there writes nothing."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys

from support.rom_loader import FLASH_DEFL_DATA, RomLoader

from makerkit.errors import DisconnectedError, SyncError
from makerkit.flash.esp32 import COMPARE_BLOCK, flash_esp32
from makerkit.flash.parallel import flash_many


def _flashed(rom: RomLoader, path, offset: int = 0x1000) -> bool:
    data = path.read_bytes()
    return rom.read(offset, len(data)) == data


def _makerkit(*args, timeout=180):
    return subprocess.run([sys.executable, "-m", "makerkit", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "MAKERKIT_LANG": "en", "COLUMNS": "200"})


def test_four_boards_two_fail_the_others_finish_and_the_retry_command_finishes_them(small_esp32_image):
    good = [RomLoader("esp32"), RomLoader("esp32")]
    asleep = RomLoader("esp32", app_mode=True)                 # nobody held BOOT: no download mode
    pulled = RomLoader("esp32")
    pulled.vanish(FLASH_DEFL_DATA, after=2)                    # the cable comes out while writing
    loaders = [good[0], asleep, pulled, good[1]]
    try:
        events = []
        result = flash_many(board="esp32", ports=[r.url for r in loaders], firmware=str(small_esp32_image),
                            progress=lambda *e: events.append(e), connect_attempts=1)
        assert [o.ok for o in result.outcomes] == [True, False, False, True]
        assert all(_flashed(r, small_esp32_image) for r in good)
        assert isinstance(result.outcomes[1].error, SyncError)
        assert isinstance(result.outcomes[2].error, DisconnectedError)
        # one progress stream per board, each ending in its own way
        for rom in good:
            phases = [e[1] for e in events if e[0] == rom.url]
            assert phases[0] == "connect" and phases[-1] == "done" and "write" in phases
        assert not any(e[1] == "done" for e in events if e[0] in (asleep.url, pulled.url))
        retry = result.retry_command()
        assert retry == (f"makerkit flash --board esp32 --port {asleep.url} --port {pulled.url} "
                         f"--firmware {shlex.quote(str(small_esp32_image))}")

        asleep.app_mode = False                                # BOOT held this time
        pulled.plug_in()                                       # and the cable is back
        again = _makerkit(*shlex.split(retry)[1:])
        assert again.returncode == 0, again.stdout + again.stderr
        assert _flashed(asleep, small_esp32_image) and _flashed(pulled, small_esp32_image)
        assert "2 flashed, 0 failed" in again.stdout
        assert all(r.stats.connections == 1 for r in good)    # the retry left the finished boards alone
    finally:
        for rom in loaders:
            rom.close()


def test_cli_table_names_the_failed_board_with_its_retry_command(small_esp32_image):
    with RomLoader("esp32") as a, RomLoader("esp32") as b, RomLoader("esp32s3", flash_size=8 << 20) as wrong:
        run = _makerkit("flash", "--board", "esp32", "--port", a.url, "--port", wrong.url, "--port", b.url,
                        "--firmware", str(small_esp32_image))
        assert run.returncode == 6, run.stdout + run.stderr               # the wrong chip's exit code
        out = run.stdout
        rows = {line.split()[1]: line for line in out.splitlines() if "socket://" in line and "│" in line}
        assert "flashed" in rows[a.url] and "flashed" in rows[b.url]
        assert "failed" in rows[wrong.url] and "ESP32-S3" in out
        assert "2 flashed, 1 failed" in out
        assert f"makerkit flash --board esp32 --port {wrong.url} --firmware" in out
        assert "Hash of data verified" not in out + run.stderr                 # esptool's prints stay inside
        assert _flashed(a, small_esp32_image) and _flashed(b, small_esp32_image)
        assert wrong.read(0, 0x20000) == b"\xff" * 0x20000


def test_cli_json_for_several_boards(small_esp32_image):
    import json
    with RomLoader("esp32") as a, RomLoader("esp32", app_mode=True) as asleep:
        run = _makerkit("flash", "--board", "esp32", "--port", a.url, "--port", asleep.url,
                        "--firmware", str(small_esp32_image), "--json")
        assert run.returncode == 7, run.stdout + run.stderr
        doc = json.loads(run.stdout)
        assert [p["ok"] for p in doc["ports"]] == [True, False]
        assert doc["ports"][1]["exit_code"] == 7 and "download mode" in doc["ports"][1]["error"]
        assert doc["retry"].endswith(f"--port {asleep.url} --firmware {shlex.quote(str(small_esp32_image))}")


def test_a_port_given_twice_is_refused(small_esp32_image, esp32_loader):
    run = _makerkit("flash", "--board", "esp32", "--port", esp32_loader.url, "--port", esp32_loader.url,
                    "--firmware", str(small_esp32_image))
    assert run.returncode == 2 and "more than once" in run.stderr
    assert esp32_loader.stats.connections == 0


def test_a_bad_file_is_one_error_before_any_port(tmp_path):
    bad = tmp_path / "not-firmware.bin"
    bad.write_bytes(b"hello" * 100)
    with RomLoader("esp32") as a, RomLoader("esp32") as b:
        run = _makerkit("flash", "--board", "esp32", "--port", a.url, "--port", b.url, "--firmware", str(bad))
        assert run.returncode == 6 and run.stderr.count("Error:") == 1
        assert a.stats.connections == b.stats.connections == 0


def test_reflashing_the_same_image_writes_nothing(micropython_image, esp32_loader):
    first = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(micropython_image))
    size = micropython_image.stat().st_size
    assert first.details["regions"] == [(0x1000, size)] and first.details["skipped_bytes"] == 0
    before = len(esp32_loader.stats.commands)
    again = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(micropython_image))
    assert again.details["regions"] == [] and again.details["skipped_bytes"] == size
    assert again.verified and _flashed(esp32_loader, micropython_image)
    ops = [op for _, op in esp32_loader.stats.commands[before:]]
    assert FLASH_DEFL_DATA not in ops and esp32_loader.state == "app"


def test_reflashing_writes_only_the_blocks_that_changed(esp32_loader, tmp_path):
    from support.images import bootloader_image, merged_image
    old = tmp_path / "old.bin"
    old.write_bytes(merged_image("esp32", 600_000))
    flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(old))
    data = bytearray(old.read_bytes())
    boot = bootloader_image("esp32", seed=3)                  # a new bootloader, the same app
    data[0:len(boot)] = boot
    new = tmp_path / "new.bin"
    new.write_bytes(bytes(data))
    before = esp32_loader.stats.bytes_in
    result = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(new))
    assert result.details["regions"] == [(0x1000, COMPARE_BLOCK)]        # the first 64 KiB only
    assert result.details["skipped_bytes"] == len(data) - COMPARE_BLOCK
    assert _flashed(esp32_loader, new)
    partial = esp32_loader.stats.bytes_in - before
    full = flash_esp32(board="esp32", port=esp32_loader.url, firmware=str(old), skip_unchanged=False)
    assert full.details["regions"] == [(0x1000, len(data))]
    assert esp32_loader.stats.bytes_in - before - partial > 2 * partial     # a full write sends far more
