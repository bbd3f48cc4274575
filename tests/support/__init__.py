"""Helpers shared by the test folders (and the benchmarks): fake boards, emulators, brokers, waits.

``tests/`` is on ``sys.path`` while pytest runs: ``tests/conftest.py`` sits in a folder without
``__init__.py``, so pytest's default ("prepend") import mode inserts that folder when it loads the
conftest, from whatever directory pytest is started. Tests therefore import these modules as
``from support.fake_board import FakeBoard``, with no ``sys.path`` edits of their own; no test
imports a module of its own folder by plain name (pytest inserts that folder too, but nothing relies
on it). The benchmarks put ``tests/`` on the path themselves (or the repository root, and import
``tests.support``). Helpers that import each other do so relatively.

- ``fake_firmata``: a fake Uno running stock StandardFirmata 2.4 on a socket or a pty;
- ``fake_board``, ``fake_comports``: scripted boards on ptys/sockets and a fake ``list_ports``;
- ``avr_emulator``: the emulated ATmega328P (simavr harness in ``tests/avr/harness``) and the flash
  an upload through Optiboot leaves (``expected_flash``);
- ``rom_loader``, ``esp32_board``, ``images``, ``mp_unix``: the ESP32 ROM loader, an emulated
  devkit, built firmware images, and the MicroPython unix port as a board;
- ``brokers``: a real mosquitto started and stopped by PID, free ports, retained status;
- ``waiting``: ``wait_until``, a bounded poll;
- ``firmata_link``: raw bytes to a virtual kit's transport, decoded with the host codec;
- ``robot_world``: an arena written on the spot, a robot spec, a virtual kit with both;
- ``robot_kits``: classroom robot kits at the USB boundary and the room around them;
- ``firmware_cases``: where the firmware and its cases (``tests/firmware/mp_*cases.py``) live, and
  those cases loaded under CPython by path. The cases and their fakes stay in ``tests/firmware``:
  the MicroPython runs load them from there by path and plain name (``MICROPYPATH``).
"""
