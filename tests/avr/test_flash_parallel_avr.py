"""``makerkit flash --board uno`` with two ``--port``s at once on emulated Unos: one with Optiboot is
flashed and runs makerkit, one without a bootloader fails on its own; the table's retry command names
only that one."""

from __future__ import annotations

import os
import subprocess
import sys

from support.avr_emulator import BOOT, expected_flash

from makerkit.flash.parallel import flash_many


def test_two_unos_at_once_one_without_bootloader(uno_factory, optiboot, makerkit_hex):
    good = uno_factory(boot=optiboot)
    bare = uno_factory(app=makerkit_hex)                 # no bootloader: it never answers STK500
    events = []
    result = flash_many(board="uno", ports=[good.port, bare.port], progress=lambda *e: events.append(e))
    assert [o.ok for o in result.outcomes] == [True, False]
    assert result.outcomes[0].result.verified
    assert good.flash() == expected_flash(makerkit_hex, optiboot)
    assert result.outcomes[1].error.exit_code == 7
    assert bare.flash(0, 2) == b"\x0c\x94"               # untouched
    assert result.retry_command() == f"makerkit flash --board uno --port {bare.port}"
    assert {e[0] for e in events if e[1] == "write"} == {good.port}


def test_cli_two_unos(uno_factory, optiboot, makerkit_hex):
    good = uno_factory(boot=optiboot)
    bare = uno_factory(app=makerkit_hex)
    run = subprocess.run([sys.executable, "-m", "makerkit", "--lang", "en", "flash", "--board", "uno",
                          "--port", good.port, "--port", bare.port], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "COLUMNS": "200"})
    assert run.returncode == 7, run.stdout + run.stderr
    assert "1 flashed, 1 failed" in run.stdout
    assert f"makerkit flash --board uno --port {bare.port}" in run.stdout
    assert good.flash()[:BOOT] != b"\xff" * BOOT
