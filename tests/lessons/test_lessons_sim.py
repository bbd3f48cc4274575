"""The three lessons on the virtual kit (the real mkfw firmware on a simulated board), on the
virtual clock: solutions pass, starters fail with a finding that says what to fix."""

from __future__ import annotations

import pytest

from makerkit.lessons_runner import EXIT_CHECK_FAILED, EXIT_PASSED, check_lesson, open_kit

BOARDS = ("uno", "esp32")
LESSONS = ("01-blink", "02-button-led", "03-thermometer")


@pytest.mark.parametrize("board", BOARDS)
@pytest.mark.parametrize("lesson", LESSONS)
def test_solution_passes_its_checker(lesson, board):
    report = check_lesson(lesson, sim=True, board=board, solution=True)
    assert report.crash is None, report.crash and report.crash.traceback_text()
    assert report.exit_code == EXIT_PASSED, [f.message("en") for f in report.findings]
    assert report.sim and report.board == board
    assert all(f.passed for f in report.findings)
    run = report.run
    assert run.ended == "budget"
    assert run.elapsed == pytest.approx(run.lesson.check_seconds, abs=0.05)   # simulated seconds


def test_blink_solution_on_the_virtual_pin(tmp_path):
    report = check_lesson("01-blink", sim=True, board="uno", solution=True)
    levels = report.run.output_levels("D13")
    assert [lv.level for lv in levels[:4]] == [1.0, 0.0, 1.0, 0.0]
    assert [round(lv.t, 2) for lv in levels[:4]] == [0.0, 0.5, 1.0, 1.5]
    assert report.run.trace("D13", "digital")             # read from the simulated world itself
    assert "blinked 10 times" in report.findings[0].message("en")
    assert "闪了 10 次" in report.findings[0].message("zh")


def test_button_solution_follows_the_scripted_presses():
    report = check_lesson("02-button-led", sim=True, board="esp32", solution=True)
    run = report.run
    assert [e.en for e in run.scenario_log] == [
        "button GPIO4 pressed", "button GPIO4 released"] * 3
    for down, up in ((1.0, 2.5), (4.0, 5.0), (6.5, 8.5)):
        assert run.level_at("GPIO2", down + 0.2) == 1.0
        assert run.level_at("GPIO2", up + 0.2) == 0.0


@pytest.mark.parametrize("board", BOARDS)
def test_blink_starter_fails_helpfully(board):
    report = check_lesson("01-blink", sim=True, board=board)
    assert report.exit_code == EXIT_CHECK_FAILED
    (finding,) = report.findings
    assert finding.failed and "never turned off" in finding.message("en")
    assert "熄灭" in finding.message("zh")
    assert "while True" in finding.fix("en") and "while True" in finding.fix("zh")


@pytest.mark.parametrize("board", BOARDS)
def test_button_starter_fails_helpfully(board):
    report = check_lesson("02-button-led", sim=True, board=board)
    assert report.exit_code == EXIT_CHECK_FAILED
    passed = [f for f in report.findings if f.passed]
    failed = [f for f in report.findings if f.failed]
    assert len(passed) == 1 and "lit up" in passed[0].message("en")
    (stayed_on,) = failed
    assert "let go at 2.5 s" in stayed_on.message("en") and "stayed on" in stayed_on.message("en")
    assert "else:" in stayed_on.fix("en") and "else:" in stayed_on.fix("zh")


@pytest.mark.parametrize("board", BOARDS)
def test_thermometer_starter_fails_helpfully(board):
    report = check_lesson("03-thermometer", sim=True, board=board)
    assert report.exit_code == EXIT_CHECK_FAILED
    messages = [f.message("en") for f in report.findings if f.failed]
    assert any("only 1 time" in m for m in messages)
    assert any("no temperature unit" in m for m in messages)
    assert all(f.fix("en") and f.fix("zh") for f in report.findings if f.failed)


# --- student variations the checkers must judge right --------------------------------------------

def test_a_button_loop_without_sleep_still_runs_on_the_virtual_clock(write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("LED_BUILTIN")
            button = kit.button("D4")
            while True:
                if button.is_pressed:
                    led.on()
                else:
                    led.off()
    """)
    report = check_lesson("02-button-led", sim=True, board="uno", script=script)
    assert report.exit_code == EXIT_PASSED, [f.message("en") for f in report.findings]


def test_button_callbacks_pass_too(write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("LED_BUILTIN")
            button = kit.button("D4")
            button.when_pressed = led.on
            button.when_released = led.off
            while True:
                kit.sleep(1)
    """)
    report = check_lesson("02-button-led", sim=True, board="uno", script=script)
    assert report.exit_code == EXIT_PASSED, [f.message("en") for f in report.findings]


def test_a_button_on_another_pin_is_pressed_where_the_student_wired_it(write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("D13")
            button = kit.button("D7")
            while True:
                if button.is_pressed:
                    led.on()
                else:
                    led.off()
                kit.sleep(0.1)
    """)
    report = check_lesson("02-button-led", sim=True, board="uno", script=script)
    assert report.exit_code == EXIT_PASSED
    assert "D7" in report.findings[0].message("en")


def test_an_led_always_on_is_caught(write_script):
    script = write_script("""
        def main(kit):
            kit.led("LED_BUILTIN").on()
            kit.button("D4")
            while True:
                kit.sleep(1)
    """)
    report = check_lesson("02-button-led", sim=True, board="uno", script=script)
    assert report.exit_code == EXIT_CHECK_FAILED
    assert any("already on before" in f.message("en") for f in report.findings)


def test_blinking_too_fast_is_caught(write_script):
    script = write_script("""
        def main(kit):
            led = kit.led("LED_BUILTIN")
            while True:
                led.toggle()
                kit.sleep(0.01)
    """)
    report = check_lesson("01-blink", sim=True, board="uno", script=script)
    assert report.exit_code == EXIT_CHECK_FAILED
    assert "too fast" in report.findings[0].message("en") and "10 ms" in report.findings[0].message("en")


def test_a_thermometer_that_reads_only_once_is_caught(write_script):
    script = write_script("""
        def main(kit):
            sensor = kit.dht11("D4")
            temperature = sensor.temperature
            while True:
                humidity = sensor.humidity
                print(f"{temperature} °C {humidity} %")
                kit.sleep(2)
    """)
    report = check_lesson("03-thermometer", sim=True, board="uno", script=script)
    assert report.exit_code == EXIT_CHECK_FAILED
    once, wrong = [f for f in report.findings if f.failed]
    assert "only 1 time" in once.message("en")
    assert "At 12.0 s the program printed 18 °C, but the room was 30 °C" in wrong.message("en")
    assert "第 12.0 秒程序打印的是 18 °C" in wrong.message("zh")


def test_a_thermometer_that_reads_too_often_is_caught(write_script):
    script = write_script("""
        def main(kit):
            sensor = kit.dht11("D4")
            while True:
                print("温度", sensor.temperature, "℃  湿度", sensor.humidity, "%")
                kit.sleep(0.2)
    """)
    report = check_lesson("03-thermometer", sim=True, board="uno", script=script)
    assert report.exit_code == EXIT_CHECK_FAILED
    failed = [f for f in report.findings if f.failed]
    assert len(failed) == 1 and "every 0.2 s" in failed[0].message("en")
    assert any("units" in f.message("en") for f in report.findings if f.passed)   # ℃ counts


def test_the_mpython_board_with_its_own_pins(write_script):
    script = write_script("""
        LED_PIN = "P8"
        def main(kit):
            led = kit.led(LED_PIN)
            while True:
                led.on(); kit.sleep(0.3); led.off(); kit.sleep(0.3)
    """)
    report = check_lesson("01-blink", sim=True, board="mpython", script=script)
    assert report.exit_code == EXIT_PASSED
    assert "P8" in report.findings[0].message("en")


def test_thermometer_solution_publishes_through_the_kit():
    kit = open_kit(sim=True, board="esp32")
    records = []
    kit.on_record(records.append)
    try:
        report = check_lesson("03-thermometer", kit=kit, solution=True)
    finally:
        kit.close()
    assert report.passed
    published = [(p.name, p.value, p.unit) for p in report.run.published]
    assert published[:2] == [("temperature", 18.0, "°C"), ("humidity", 40.0, "%")]
    assert ("temperature", 30.0, "°C") in published
    stamped = [r for r in records if "temperature" in r.get("readings", {})]
    assert len(stamped) == len([p for p in published if p[0] == "temperature"]) == 8
    assert stamped[0]["units"] == {"temperature": "°C"}
    assert [r["seq"] for r in stamped] == sorted({r["seq"] for r in stamped})   # numbered by the kit


def test_parts_made_the_gpiozero_way_count_too(write_script):
    script = write_script("""
        from makerkit import LED, Button

        def main(kit):
            led = LED("LED_BUILTIN", kit=kit)
            button = Button("D4", kit=kit)
            while True:
                if button.is_pressed:
                    led.on()
                else:
                    led.off()
                kit.sleep(0.05)
    """)
    kit = open_kit(sim=True, board="uno")
    try:
        report = check_lesson("02-button-led", kit=kit, script=script)
        assert report.exit_code == EXIT_PASSED, [f.message("en") for f in report.findings]
        assert [(d.kind, d.pin) for d in report.run.devices] == [("led", "D13"), ("button", "D4")]
        again = check_lesson("02-button-led", kit=kit, solution=True)     # the pins were freed
        assert again.exit_code == EXIT_PASSED
    finally:
        kit.close()
