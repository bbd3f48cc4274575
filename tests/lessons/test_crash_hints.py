"""Crashes from drivers and imports get hints a student can act on (makerkit.lessons_runner.script)."""

from __future__ import annotations

import pytest

from makerkit.lessons_runner import EXIT_SCRIPT_CRASHED, check_lesson


def _crash(script):
    report = check_lesson("01-blink", sim=True, board="esp32", script=script)
    assert report.exit_code == EXIT_SCRIPT_CRASHED, report.findings
    return report.crash


def test_a_driver_that_hears_no_device_points_at_the_four_wires(write_script):
    pytest.importorskip("adafruit_ahtx0")
    crash = _crash(write_script("""
        import adafruit_ahtx0

        def main(kit):
            sensor = adafruit_ahtx0.AHTx0(kit.i2c(), address=0x44)   # nothing answers there
    """))
    assert crash.kind == "ValueError" and "0x44" in crash.message
    assert "SDA and SCL" in crash.hint("en") and "line 5 of my_script.py" in crash.hint("en")
    assert "SDA 和 SCL" in crash.hint("zh")


def test_a_library_that_is_not_installed_is_named(write_script):
    crash = _crash(write_script("""
        import adafruit_not_a_real_driver

        def main(kit):
            pass
    """))
    assert crash.kind == "ModuleNotFoundError"
    assert "adafruit_not_a_real_driver" in crash.hint("en") and "teacher" in crash.hint("en")
    assert "adafruit_not_a_real_driver" in crash.hint("zh") and "老师" in crash.hint("zh")
