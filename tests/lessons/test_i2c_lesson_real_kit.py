"""Lesson 11 on a real kit: Adafruit's adafruit_ahtx0 driver through kit.i2c() on a fake Uno running
stock StandardFirmata (the USB boundary) with an AHT20 on its bus; the checker judges what was
printed and says what needs the virtual kit."""

from __future__ import annotations

import pytest

from support.fake_firmata import FakeStandardFirmata

from makerkit.lessons_runner import EXIT_CHECK_FAILED, EXIT_PASSED, check_lesson
from makerkit.sim.parts.aht20 import STATUS_BASE, STATUS_CAL, crc8, _encode

pytest.importorskip("adafruit_ahtx0")


@pytest.fixture
def aht20_kit():
    import makerkit
    data = bytes((STATUS_BASE | STATUS_CAL,)) + _encode(23.5, 40.0)     # calibrated, not busy
    board = FakeStandardFirmata(i2c_devices={0x38: data + bytes((crc8(data),))})
    board.listen()
    kit = makerkit.connect(board.url, timeout=3)
    yield kit
    kit.close()
    board.close()


def test_the_solution_reads_the_aht20_through_its_driver(aht20_kit):
    report = check_lesson("11-i2c-sensor", kit=aht20_kit, solution=True, seconds=2.5)
    assert report.crash is None, report.crash and report.crash.traceback_text()
    assert report.exit_code == EXIT_PASSED, [f.message("en") for f in report.findings]
    assert report.run.printed[0] == "23.5 °C  40 %"
    assert any(f.status == "skip" and "breath" in f.message("en") for f in report.findings)


def test_the_starter_is_told_to_print_the_unit(aht20_kit):
    report = check_lesson("11-i2c-sensor", kit=aht20_kit, seconds=0.5)
    assert report.exit_code == EXIT_CHECK_FAILED
    (finding,) = report.findings
    assert "unit" in finding.message("en") and "°C" in finding.fix("en") and "单位" in finding.message("zh")
