"""The firmware's main loop on a board: USB serial <-> App (boot window, Firmata, REPL hand-back).

``/main.py`` on the board is ``import mkfw.main; mkfw.main.run()``. Returning from :func:`run`
leaves the board at the MicroPython REPL (after MK_REPL or Ctrl-C Ctrl-C in the boot window).
"""

import json
import select
import sys
import time

import micropython

from .app import App
from .hal_esp32 import Esp32Hal

BOARD_FILE = "mkfw_board.json"


def load_profile(root="/"):
    with open(root + BOARD_FILE) as f:
        return json.load(f)


def run(root="/"):
    """Run the firmware until the port is handed back to the REPL. ``root`` is the folder holding
    ``mkfw_board.json``, ``makerkit.json`` and the counters (``/`` on a board)."""
    if not root.endswith("/"):
        root += "/"
    profile = load_profile(root)
    hal = Esp32Hal(profile.get("adc_bits", 12), root)
    app = App(hal, profile, time.ticks_ms())
    config = app.config
    if config.get("wifi_ssid"):
        try:
            hal.connect_wifi(config["wifi_ssid"], config.get("wifi_password", ""))
        except OSError:
            pass  # telemetry buffers until the network comes up
    stdin = sys.stdin.buffer
    stdout = sys.stdout.buffer
    poller = select.poll()
    poller.register(sys.stdin, select.POLLIN)
    micropython.kbd_intr(-1)  # Firmata data bytes include 0x03
    try:
        while app.state != "repl":
            chunk = bytearray()
            while len(chunk) < 64 and poller.poll(0 if chunk else 1):
                byte = stdin.read(1)
                if not byte:  # end of input (only off a board): nothing more will come
                    break
                chunk.extend(byte)
            if chunk:
                app.feed(chunk, time.ticks_ms())
            out = app.poll(time.ticks_ms())
            if out:
                stdout.write(out)
        out = app.poll(time.ticks_ms())  # the MK_REPL answer
        if out:
            stdout.write(out)
    finally:
        micropython.kbd_intr(3)
