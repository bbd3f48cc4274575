"""`makerkit flash --board esp32 ...` as a user runs it: a subprocess against the emulated loader."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from support.rom_loader import RomLoader


def _flash(*args, timeout=120):
    return subprocess.run([sys.executable, "-m", "makerkit", "flash", *args], capture_output=True,
                          text=True, timeout=timeout, env={**os.environ, "MAKERKIT_LANG": "en"})


def test_cli_flashes_micropython_with_a_progress_bar(micropython_image, esp32_loader):
    run = _flash("--board", "esp32", "--port", esp32_loader.url, "--firmware", str(micropython_image))
    assert run.returncode == 0, run.stderr
    assert "OK" in run.stdout and "verified" in run.stdout
    assert "Hash of data verified" not in run.stdout + run.stderr     # esptool's prints stay inside
    assert "Stub flasher" not in run.stdout + run.stderr
    data = micropython_image.read_bytes()
    assert esp32_loader.read(0x1000, len(data)) == data


def test_cli_json_on_s3(s3_image, s3_loader):
    run = _flash("--board", "esp32s3", "--port", s3_loader.url, "--firmware", str(s3_image), "--json")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["verified"] and result["board"] == "esp32s3" and result["baud"] == 460800
    assert s3_loader.read(0, s3_image.stat().st_size) == s3_image.read_bytes()


def test_cli_exit_codes(s3_image, small_esp32_image, esp32_loader):
    wrong = _flash("--board", "esp32", "--port", esp32_loader.url, "--firmware", str(s3_image))
    assert wrong.returncode == 6 and "ESP32-S3" in wrong.stderr
    missing = _flash("--board", "esp32", "--port", esp32_loader.url)
    assert missing.returncode == 6 and "micropython.org/download" in missing.stderr
    assert esp32_loader.stats.connections == 0
    esp32_loader.corrupt_flash(0x1000 + 5000)
    bad = _flash("--board", "esp32", "--port", esp32_loader.url, "--firmware", str(small_esp32_image))
    assert bad.returncode == 8 and "MD5" in bad.stderr
    with RomLoader("esp32", app_mode=True) as app:
        silent = _flash("--board", "esp32", "--port", app.url, "--firmware", str(small_esp32_image))
    assert silent.returncode == 7 and "BOOT" in silent.stderr
    zh = subprocess.run([sys.executable, "-m", "makerkit", "--lang", "zh", "flash", "--board", "esp32",
                         "--port", esp32_loader.url, "--firmware", str(s3_image)],
                        capture_output=True, text=True, timeout=60)
    assert zh.returncode == 6 and "固件" in zh.stderr
