"""The cable pulled mid-lesson, end to end: a student's blocked call on a real Kit (makerkit.connect
over a pty) raises a clear DisconnectedError at once instead of hanging."""

from __future__ import annotations

import threading
import time

import pytest

import makerkit
from support.fake_board import FakeBoard
from makerkit.errors import DisconnectedError


def test_blocked_kit_sleep_raises_at_once_when_the_cable_is_pulled():
    with FakeBoard() as board:
        kit = makerkit.connect(board.port, timeout=3.0)
        try:
            assert kit.identity.kit_id == "kit-07"
            threading.Timer(0.3, board.unplug).start()
            start = time.monotonic()
            with pytest.raises(DisconnectedError) as info:
                kit.sleep(60.0)
            took = time.monotonic() - start
            assert 0.25 <= took < 10.0   # ended by the pull at 0.3 s, long before the 60 s sleep would
            assert board.port in info.value.message_en and "USB" in info.value.message_zh
            with pytest.raises(DisconnectedError):  # and every later call says the same at once
                kit.led("D13").on()
        finally:
            kit.close()
