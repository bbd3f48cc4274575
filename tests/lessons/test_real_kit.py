"""Lessons on a real kit: here a fake Uno running stock StandardFirmata over a socket (the USB
boundary). The checkers work from what the host can observe, in real time, and say what needs
the virtual kit."""

from __future__ import annotations

import threading

from makerkit.lessons_runner import (EXIT_CHECK_FAILED, EXIT_NOT_CHECKABLE, EXIT_PASSED,
                                     EXIT_SCRIPT_CRASHED, LevelChange, check_lesson)


def test_blink_solution_passes_from_what_the_host_did(stock_board):
    kit, board = stock_board
    report = check_lesson("01-blink", kit=kit, solution=True, seconds=3)
    assert report.exit_code == EXIT_PASSED, report.findings
    assert not report.sim and report.board == "uno"
    run = report.run
    levels = run.output_levels("D13")
    assert [lv.level for lv in levels][:4] == [1.0, 0.0, 1.0, 0.0]
    # real time: the solution's half-second sleep, stamped by the host's clock (above: only a guard)
    assert 0.45 <= levels[1].t - levels[0].t < 5.0
    assert "亮 on" in run.printed and "灭 off" in run.printed
    assert board.outputs[13] == 0          # the runner freed the pin and left it safe


def test_blink_starter_fails_with_what_to_fix(stock_board):
    kit, _ = stock_board
    report = check_lesson("01-blink", kit=kit, seconds=30)
    assert report.exit_code == EXIT_CHECK_FAILED
    (finding,) = report.findings
    assert finding.failed and "never turned off" in finding.message("en")
    assert "led.off()" in finding.fix("en") and "led.off()" in finding.fix("zh")
    # ended with the script, after its half-second sleep, not at the 30 s budget
    assert report.run.ended == "finished" and 0.45 <= report.run.elapsed < 10.0


def test_button_on_a_real_kit_uses_the_presses_it_saw(stock_board):
    kit, board = stock_board

    def press_and_release():
        stop.wait(0.4)
        board.set_input(4, 0)              # pressed: the pin reads 0 (pulled up, switched to GND)
        stop.wait(1.3)
        board.set_input(4, 1)

    stop = threading.Event()
    presser = threading.Thread(target=press_and_release)
    presser.start()
    try:
        report = check_lesson("02-button-led", kit=kit, solution=True, seconds=2.6)
    finally:
        stop.set()
        presser.join(5)
    assert report.exit_code == EXIT_PASSED, [f.message("en") for f in report.findings]
    assert [e.level for e in report.run.inputs if e.pin == "D4"][-2:] == [0, 1]
    assert any(isinstance(e, LevelChange) and e.level == 1.0 for e in report.run._recorder.events)


def test_button_without_any_press_is_not_checkable(stock_board):
    kit, _ = stock_board
    report = check_lesson("02-button-led", kit=kit, solution=True, seconds=1)
    assert report.exit_code == EXIT_NOT_CHECKABLE
    (finding,) = report.findings
    assert finding.status == "skip" and "hold the button" in finding.message("en")


def test_thermometer_on_stock_firmata_reports_the_missing_firmware(stock_board):
    kit, _ = stock_board
    report = check_lesson("03-thermometer", kit=kit, solution=True, seconds=1)
    assert report.exit_code == EXIT_SCRIPT_CRASHED
    crash = report.crash
    assert crash.kind == "FeatureNotSupportedError"
    assert crash.frames[-1][2] == "main" and crash.frames[-1][3].startswith("sensor = kit.dht11(kit.pins.dht)")
    assert "makerkit flash --board uno" in crash.hint("en") and "line 5 of solution.py" in crash.hint("en")
    assert "solution.py 第 5 行" in crash.hint("zh")


def test_a_pure_python_endless_loop_is_stopped(stock_board, write_script):
    kit, _ = stock_board
    script = write_script("""
        def main(kit):
            n = 0
            while True:
                n += 1
    """)
    report = check_lesson("01-blink", kit=kit, script=script, seconds=0.5, wall_limit=1.0)
    assert report.exit_code == EXIT_SCRIPT_CRASHED
    assert report.crash.kind == "Timeout" and "kit.sleep" in report.crash.hint("en")


def test_a_lesson_that_needs_the_virtual_kit_says_so(stock_board, tmp_path):
    import shutil

    from makerkit.catalog.lessons import load_lesson
    kit, _ = stock_board
    folder = tmp_path / "01-blink"
    shutil.copytree(load_lesson("01-blink").path, folder)
    toml = folder / "lesson.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("seconds = 10", 'seconds = 10\nneeds = "sim"'),
                    encoding="utf-8")
    report = check_lesson(folder, kit=kit, solution=True)
    assert report.exit_code == EXIT_NOT_CHECKABLE and report.run is None
    assert "only be checked on the virtual kit" in report.findings[0].message("en")
