"""The lesson runner: crashes explained in the student's own file, time budgets, stuck scripts,
Ctrl-C, live events, and a kit reused across runs."""

from __future__ import annotations

import pytest

from makerkit.errors import CatalogError, UsageError
from makerkit.lessons_runner import (EXIT_SCRIPT_CRASHED, LevelChange, Output, ScenarioEvent,
                                     check_lesson, open_kit, pick_script, run_lesson)
from makerkit.catalog.lessons import load_lesson


def _crash(script, lesson="01-blink", **kw):
    report = check_lesson(lesson, sim=True, board="uno", script=script, **kw)
    assert report.exit_code == EXIT_SCRIPT_CRASHED, report.findings
    assert report.findings == ()
    return report.crash


def test_an_exception_shows_only_the_students_own_frames(write_script):
    script = write_script("""
        def blink(led):
            led.on()
            kit.sleep(0.5)

        def main(kit):
            led = kit.led("LED_BUILTIN")
            blink(led)
    """)
    crash = _crash(script)
    assert crash.kind == "NameError" and "kit" in crash.message
    assert [(f[1], f[2]) for f in crash.frames] == [(8, "main"), (4, "blink")]
    assert all(f[0] == str(script) for f in crash.frames)          # nothing from makerkit itself
    text = crash.traceback_text()
    assert 'line 4, in blink' in text and "kit.sleep(0.5)" in text and "makerkit/" not in text
    assert "spelled" in crash.hint("en") and "line 4 of my_script.py" in crash.hint("en")
    assert "拼写" in crash.hint("zh") and "my_script.py 第 4 行" in crash.hint("zh")
    assert crash.t == pytest.approx(0.0, abs=0.01)


def test_a_syntax_error_points_at_the_line(write_script):
    script = write_script("""
        def main(kit)
            kit.led("D13").on()
    """)
    crash = _crash(script)
    assert crash.kind == "SyntaxError"
    assert crash.frames[0][1] == 2 and "def main(kit)" in crash.frames[0][3]
    assert "colon" in crash.hint("en") and "冒号" in crash.hint("zh")


def test_an_indentation_error_has_its_own_hint(write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("D13")
              led.on()
    """)
    crash = _crash(script)
    assert crash.kind == "IndentationError" and "spaces" in crash.hint("en") and "空格" in crash.hint("zh")


def test_a_script_without_main(write_script):
    crash = _crash(write_script("print('hello')\n"))
    assert "def main(kit)" in crash.hint("en") and "def main(kit)" in crash.hint("zh")


def test_a_wrong_pin_gives_makerkits_own_message_and_hint(write_script):
    script = write_script("""
        def main(kit):
            kit.led("D99").on()
    """)
    crash = _crash(script)
    assert crash.kind == "PinError" and "D99" in crash.message and "D13" in crash.message
    assert crash.frames[-1][1] == 3 and "line 3" in crash.hint("en")


def test_an_error_inside_a_callback_reaches_the_student(write_script):
    script = write_script("""
        def main(kit):
            button = kit.button("D4")
            def pressed():
                1 / 0
            button.when_pressed = pressed
            while True:
                kit.sleep(0.1)
    """)
    crash = _crash(script, lesson="02-button-led")
    assert crash.kind == "ZeroDivisionError" and "zero" in crash.hint("en")
    assert crash.t == pytest.approx(1.0, abs=0.15)        # the scenario pressed the button at 1.0 s


def test_except_exception_does_not_swallow_the_end_of_the_run(write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("D13")
            while True:
                try:
                    led.toggle()
                    kit.sleep(0.5)
                except Exception:
                    pass
    """)
    report = check_lesson("01-blink", sim=True, board="uno", script=script)
    assert report.passed and report.run.ended == "budget"


def test_a_script_that_never_waits_is_stopped_with_a_hint(write_script):
    script = write_script("""
        def main(kit):
            total = 0
            while True:
                total += 1
    """)
    crash = _crash(script, wall_limit=0.5)
    assert crash.kind == "Timeout" and "kit.sleep" in crash.hint("en") and "kit.sleep" in crash.hint("zh")


def test_a_script_that_ends_early_is_judged_on_what_it_did(write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("D13")
            for _ in range(2):
                led.on(); kit.sleep(0.5); led.off(); kit.sleep(0.5)
    """)
    report = check_lesson("01-blink", sim=True, board="uno", script=script)
    assert report.run.ended == "finished" and report.run.elapsed == pytest.approx(2.0, abs=0.02)
    assert report.findings[0].failed and "only 2 time(s)" in report.findings[0].message("en")


def test_run_in_real_time_reports_events_as_they_happen():
    events = []
    run = run_lesson("02-button-led", sim=True, board="uno", solution=True, seconds=2.4,
                     on_event=events.append)
    assert run.ended == "budget" and run.crash is None
    kinds = [type(e) for e in events]
    assert ScenarioEvent in kinds and LevelChange in kinds
    press = next(e for e in events if isinstance(e, ScenarioEvent))
    assert press.en == "button D4 pressed" and press.t == pytest.approx(1.0, abs=0.01)
    lit = [e for e in events if isinstance(e, LevelChange) and e.level == 1.0]
    # the LED followed the press (a 0.05 s poll, real time): after it, inside the run, so before the
    # release at 2.5 s. A loaded machine may delay the poll: how soon (REACT) is the checker's to judge,
    # on the virtual clock (tests/lessons/test_every_lesson.py)
    assert lit and 1.0 <= lit[0].t <= 2.4


def test_run_without_scenario_and_with_prints():
    events = []
    run = run_lesson("01-blink", sim=True, board="esp32", solution=True, seconds=0.7,
                     scenario=False, on_event=events.append)
    assert [e.text for e in events if isinstance(e, Output)] == ["亮 on", "灭 off"]
    assert run.printed == ["亮 on", "灭 off"]


def test_one_kit_runs_several_scripts():
    kit = open_kit(sim=True, board="uno")
    try:
        first = check_lesson("01-blink", kit=kit, solution=True)
        second = check_lesson("01-blink", kit=kit, solution=True)
        third = check_lesson("02-button-led", kit=kit, solution=True)
        assert first.passed and second.passed and third.passed
    finally:
        kit.close()


def test_kit_choice_and_script_choice_errors(tmp_path):
    with pytest.raises(UsageError) as info:
        open_kit()
    assert "--sim" in info.value.message_en and "--sim" in info.value.message_zh
    with pytest.raises(UsageError):
        open_kit(port="COM3", sim=True)
    lesson = load_lesson("01-blink")
    assert pick_script(lesson) == lesson.starter and pick_script(lesson, solution=True) == lesson.solution
    with pytest.raises(UsageError):
        pick_script(lesson, script=tmp_path / "missing.py")
    with pytest.raises(UsageError):
        pick_script(lesson, script=lesson.solution, solution=True)


def test_a_lesson_for_other_boards_is_refused(tmp_path, write_script):
    import shutil
    folder = tmp_path / "01-blink"
    shutil.copytree(load_lesson("01-blink").path, folder)
    toml = folder / "lesson.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        'boards = ["uno", "nano", "mega2560", "esp32", "esp32s3", "mpython"]', 'boards = ["esp32"]')
        .split("[[wiring.esp32s3]]")[0].replace("[pins.esp32s3]\nled = \"GPIO2\"\n\n[pins.mpython]\nled = \"P8\"\n", ""),
        encoding="utf-8")
    with pytest.raises(UsageError) as info:
        check_lesson(folder, sim=True, board="uno", solution=True)
    assert "esp32" in info.value.message_en


def test_a_broken_checker_is_the_lessons_fault(tmp_path):
    import shutil
    folder = tmp_path / "01-blink"
    shutil.copytree(load_lesson("01-blink").path, folder)
    (folder / "check.py").write_text("def check(run):\n    return run.no_such_thing\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        check_lesson(folder, sim=True, solution=True)
    assert "check.py" in info.value.message_en and "teacher" in info.value.hint_en
    (folder / "check.py").write_text("x = 1\n", encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        check_lesson(folder, sim=True, solution=True)
    assert "'check'" in info.value.message_en


def test_a_broken_scenario_is_the_lessons_fault(tmp_path):
    import shutil
    folder = tmp_path / "01-blink"
    shutil.copytree(load_lesson("01-blink").path, folder)
    checker = folder / "check.py"
    checker.write_text(checker.read_text(encoding="utf-8") + "\n\ndef scenario(run):\n    run.world.flood()\n",
                       encoding="utf-8")
    kit = open_kit(sim=True)
    try:
        with pytest.raises(CatalogError) as info:
            check_lesson(folder, kit=kit, solution=True)
        assert "scenario" in info.value.message_en and "teacher" in info.value.hint_en
        assert check_lesson("01-blink", kit=kit, solution=True).passed     # the kit is still usable
    finally:
        kit.close()
