"""The shipped images are what `make -C firmware/arduino` builds, and they fit with headroom."""

import re
import subprocess

import pytest

from support.avr_emulator import FIRMWARE_DIR
from makerkit.catalog import load_board
from makerkit.firmware_images import image_path

BOARDS = ("uno", "nano")


@pytest.mark.parametrize("board", BOARDS)
def test_packaged_image_matches_the_build(firmware_build, board):
    built = (firmware_build / f"makerkit-{board}.hex").read_bytes()
    shipped = image_path(load_board(board).firmware).read_bytes()
    assert shipped == built, (f"makerkit/firmware_images/makerkit-{board}.hex is stale: run "
                              "`make -C firmware/arduino install-images` and commit it")


def test_clean_build_is_reproducible(toolchain, firmware_build, tmp_path):
    out = tmp_path / "build"
    subprocess.run(["make", "-s", "-C", str(FIRMWARE_DIR), f"BUILD={out}", "-j2"], check=True,
                   capture_output=True, timeout=300)
    for board in BOARDS:
        assert (out / f"makerkit-{board}.hex").read_bytes() == (firmware_build / f"makerkit-{board}.hex").read_bytes()


@pytest.mark.parametrize("board", BOARDS)
def test_fits_with_headroom(firmware_build, board):
    profile = load_board(board)
    report = subprocess.run(["avr-size", "-A", str(firmware_build / f"makerkit-{board}.elf")],
                            capture_output=True, text=True, check=True).stdout
    sizes = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\.(\w+)\s+(\d+)", report, re.M)}
    program = sizes["text"] + sizes.get("data", 0)
    ram = sizes.get("data", 0) + sizes.get("bss", 0)
    assert program <= profile.app_flash_size * 0.85, program          # room for fixes
    assert ram <= profile.ram_size * 0.80, ram                         # at least 20% RAM free for the stack
