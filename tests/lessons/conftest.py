"""Fixtures for the lesson tests: virtual kits, a fake stock-StandardFirmata board (the USB
boundary), and scripts written to a temporary folder."""

from __future__ import annotations

import textwrap

import pytest

from support.fake_firmata import FakeStandardFirmata


@pytest.fixture
def stock_board():
    """A fake Uno running stock StandardFirmata 2.4 on a loopback socket, and a Kit on it."""
    import makerkit
    board = FakeStandardFirmata()
    board.listen()
    kit = makerkit.connect(board.url, timeout=3)
    yield kit, board
    kit.close()
    board.close()


@pytest.fixture
def write_script(tmp_path):
    """``write_script(source, name="my.py")`` writes a student's script and returns its path."""
    def write(source: str, name: str = "my_script.py"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        return path
    return write


@pytest.fixture
def stock_board_url():
    """Only the URL of a fake stock-StandardFirmata Uno (for commands that open the kit themselves)."""
    board = FakeStandardFirmata()
    board.listen()
    yield board.url
    board.close()
