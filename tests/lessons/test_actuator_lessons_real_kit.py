"""Lessons 12 (servo gauge) and 13 (DC motors) on a real kit: a fake Uno running stock
StandardFirmata (the USB boundary). The checkers judge what the host told the kit against what it
read, and say what needs the virtual kit."""

from __future__ import annotations

import pytest

from support.fake_firmata import FakeStandardFirmata

from makerkit.lessons_runner import EXIT_CHECK_FAILED, EXIT_PASSED, check_lesson


@pytest.fixture
def stock_kit():
    import makerkit
    board = FakeStandardFirmata()
    board.listen()
    board.analog[1] = 100                  # the knob on A1 at about 10 %
    kit = makerkit.connect(board.url, timeout=3)
    yield kit
    kit.close()
    board.close()


def _say(report):
    return [f"{f.status}: {f.message('en')}" for f in report.findings]


def test_the_gauge_solution_maps_the_knob_reading_it_took(stock_kit):
    report = check_lesson("12-servo-gauge", kit=stock_kit, solution=True, seconds=0.6)
    assert report.exit_code == EXIT_PASSED, _say(report)
    assert report.findings[0].passed and "matched the knob" in report.findings[0].message("en")
    assert report.findings[1].status == "skip"


def test_the_gauge_starter_leaves_the_dial(stock_kit):
    report = check_lesson("12-servo-gauge", kit=stock_kit, seconds=0.6)
    assert report.exit_code == EXIT_CHECK_FAILED, _say(report)
    (finding,) = report.findings
    assert "should point at 42°" in finding.message("en") and "42°" in finding.message("zh")
    assert "0-180°" in finding.fix("en") and "map_range(knob.value, 0, 1, 30, 150)" in finding.fix("en")
    assert "map_range" in finding.fix("zh")


def test_the_motor_solution_drives_the_whole_sequence_in_real_time(stock_kit):
    report = check_lesson("13-dc-motors", kit=stock_kit, solution=True)
    assert report.exit_code == EXIT_PASSED, _say(report)
    assert "whole test sequence" in report.findings[0].message("en")


def test_the_motor_starter_is_told_the_next_step(stock_kit):
    report = check_lesson("13-dc-motors", kit=stock_kit)
    assert report.exit_code == EXIT_CHECK_FAILED, _say(report)
    (finding,) = report.findings
    assert "Step 3 should be: spin left" in finding.message("en") and "第 3 步" in finding.message("zh")
    assert "wheels.left(1)" in finding.fix("en") and "wheels.left(1)" in finding.fix("zh")
