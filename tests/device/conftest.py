"""Fixtures for the device tests: a fake stock StandardFirmata board on a socket or a pty."""

from __future__ import annotations

import pytest

from support.fake_firmata import FakeStandardFirmata


@pytest.fixture
def fake_board():
    """Factory: ``fake_board(**options)`` starts a fake StandardFirmata on loopback; returns it."""
    boards = []

    def make(transport="socket", **options):
        board = FakeStandardFirmata(**options)
        board.listen() if transport == "socket" else board.open_pty()
        boards.append(board)
        return board

    yield make
    for board in boards:
        board.close()


@pytest.fixture
def stock_kit(fake_board):
    """A Kit connected to a fake stock StandardFirmata 2.4 Uno over socket://."""
    import makerkit
    board = fake_board()
    kit = makerkit.connect(board.url, timeout=30)     # ends when the board answers, at once
    yield kit, board
    kit.close()
