"""The same flows on a real ESP32-family board: ``pytest tests/esp32 --port=/dev/ttyUSB0 --board=esp32``.

Flashing also needs ``MAKERKIT_MICROPYTHON_BIN`` (a MicroPython .bin for the board's chip) and
rewrites the board. Skipped without ``--port`` (see tests/conftest.py).
"""

from __future__ import annotations

import os

import pytest

from makerkit.catalog.boards import load_board
from makerkit.flash import flash_board
from makerkit.flash.deploy import deploy

pytestmark = pytest.mark.hardware


@pytest.fixture
def esp_board(request):
    board = load_board(request.config.getoption("--board"))
    if board.flash_method != "esptool":
        pytest.skip(f"--board {board.id} is not an ESP32-family board")
    return board, request.config.getoption("--port")


def test_flash_micropython_on_a_real_board(esp_board):
    board, port = esp_board
    firmware = os.environ.get("MAKERKIT_MICROPYTHON_BIN")
    if not firmware:
        pytest.skip("set MAKERKIT_MICROPYTHON_BIN to a MicroPython .bin for this chip")
    result = flash_board(board=board, port=port, firmware=firmware)
    assert result.verified and result.details["chip"] == board.chip


def test_deploy_and_confirm_on_a_real_board(esp_board):
    board, port = esp_board
    result = deploy(port=port, kit_id="kit-test", class_id="lab", board=board, timeout=15)
    assert result.confirmed and result.identity["kit"] == "kit-test"
    again = deploy(port=port, kit_id="kit-test", class_id="lab", board=board, timeout=15)
    assert again.copied == () and again.confirmed
