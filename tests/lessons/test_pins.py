"""``kit.pins``: a lesson script takes its pins from the lesson's wiring table for the board in use."""

from __future__ import annotations

import pytest

from makerkit.catalog import load_board
from makerkit.catalog.lessons import load_lesson
from makerkit.errors import PinError
from makerkit.lessons_runner import EXIT_PASSED, check_lesson
from makerkit.lessons_runner.pins import LessonPins


@pytest.mark.parametrize("board, led", [("uno", "D13"), ("esp32", "GPIO2"), ("esp32s3", "GPIO2"),
                                        ("mpython", "P8")])
def test_pins_are_the_printed_pins_of_the_board(board, led):
    pins = LessonPins.for_board(load_lesson("02-button-led"), load_board(board))
    assert pins.led == pins["led"] == led          # LED_BUILTIN is shown as the board prints it
    assert "button" in pins and dict(pins)["button"] == pins.button


def test_an_unknown_role_names_the_roles_there_are():
    pins = LessonPins.for_board(load_lesson("01-blink"), load_board("uno"))
    with pytest.raises(PinError) as err:
        pins.buzzer
    assert "'buzzer'" in err.value.message("en") and "led" in err.value.message("en")
    assert "接线表" in err.value.message("zh") and "kit.pins" in err.value.hint("zh")
    with pytest.raises(AttributeError):
        pins.led = "D2"
    assert not hasattr(pins, "__wrapped__")


def test_a_script_reads_its_pins_from_the_kit(write_script):
    script = write_script("""
        def main(kit):
            print(sorted(kit.pins), kit.pins.button, kit.pins.led)
            led = kit.led(kit.pins.led)
            button = kit.button(kit.pins.button)
            while True:
                led.value = 1 if button.is_pressed else 0
                kit.sleep(0.05)
    """)
    report = check_lesson("02-button-led", sim=True, board="mpython", script=script)
    assert report.exit_code == EXIT_PASSED, [f.message("en") for f in report.findings]
    assert report.run.printed[0] == "['button', 'led'] P5 P8"
