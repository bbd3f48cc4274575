"""Helpers shared by the test folders (and the benchmarks): fake boards, emulators, brokers, waits.

``tests/`` is on ``sys.path`` while pytest runs: ``tests/conftest.py`` sits in a folder without
``__init__.py``, so pytest's default ("prepend") import mode inserts that folder when it loads the
conftest, from whatever directory pytest is started. Tests therefore import these modules as
``from support.fake_board import FakeBoard``, with no ``sys.path`` edits of their own; the benchmarks
put ``tests/`` on the path themselves. Helpers that import each other do so relatively.

- ``fake_firmata``: a fake Uno running stock StandardFirmata 2.4 on a socket or a pty;
- ``fake_board``, ``fake_comports``: scripted boards on ptys/sockets and a fake ``list_ports``;
- ``avr_emulator``: the emulated ATmega328P (simavr harness in ``tests/avr/harness``);
- ``rom_loader``, ``esp32_board``, ``images``, ``mp_unix``: the ESP32 ROM loader, an emulated
  devkit, built firmware images, and the MicroPython unix port as a board;
- ``brokers``: a real mosquitto started and stopped by PID, free ports, retained status;
- ``waiting``: ``wait_until``, a bounded poll.
"""
