"""A virtual MicroPython board says which board it is as the real one does (``os.uname().machine``),
so ``makerkit deploy`` without ``--board`` tells an mPython board or an ESP32-S3 from a plain ESP32."""

from __future__ import annotations

import pytest

from makerkit.catalog import load_board
from makerkit.flash.deploy import deploy
from makerkit.sim import serve
from makerkit.sim.pyexec import Executor, board_uname
from makerkit.sim.fs import SimFs


@pytest.mark.parametrize("board, machine", [("esp32", "ESP32 module with ESP32"),
                                            ("esp32s3", "ESP32S3 module with ESP32S3"),
                                            ("mpython", "MPYTHON module with ESP32")])
def test_the_repl_names_the_board(board, machine):
    ex = Executor(SimFs(), clock_ms=lambda: 0, uname=board_uname(load_board(board)))
    ex.namespace["os"] = ex.modules["os"]
    exec("m = os.uname().machine", ex.namespace)
    assert ex.namespace["m"] == machine and ex.modules["sys"].platform == "esp32"


@pytest.mark.parametrize("board", ["esp32s3", "mpython"])
def test_deploy_without_board_recognises_the_virtual_board(board, tmp_path):
    with serve(board, listen="127.0.0.1:0", fs_dir=tmp_path / "fs") as server:
        result = deploy(port=server.url, kit_id="kit-01", class_id="7a", timeout=15)
    assert result.board == board and result.confirmed


@pytest.mark.parametrize("board", ["esp32", "mpython"])
def test_a_fresh_virtual_kit_runs_this_makerkits_firmware_build(board, tmp_path):
    """No deploy has configured it, so it runs the firmware files makerkit ships: it says their build
    and is judged current (a lesson on it offers no firmware update)."""
    import makerkit
    from makerkit.flash.current import CURRENT, identity_firmware, judge, wanted_firmware
    with serve(board, listen="127.0.0.1:0", fs_dir=tmp_path / "fs") as server:
        with makerkit.connect(server.url, timeout=15) as kit:
            running = identity_firmware(kit.identity.info)
    assert running == wanted_firmware(board) and judge(board, running).state == CURRENT
