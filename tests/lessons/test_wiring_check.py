"""The wiring check before a lesson runs: every kind of fault found on a virtual kit wired wrong on
purpose (makerkit.sim.faults), and no false alarm on a virtual kit wired right, for every lesson."""

from __future__ import annotations


import pytest

from makerkit.catalog.lessons import load_lesson, load_lessons
from makerkit.lessons_runner import EXIT_WIRING_FAULT
from makerkit.lessons_runner.runner import open_kit
from makerkit.lessons_runner.wiring_check import check_wiring, plan_wiring
from makerkit.sim.faults import inject, inject_spec

from support.wiring_kit import PINS, make_lesson

BOARDS = ("uno", "esp32")


@pytest.fixture(scope="module")
def kit_lesson(tmp_path_factory):
    return load_lesson(make_lesson(tmp_path_factory.mktemp("lessons")))


@pytest.fixture
def virtual_kit():
    """``virtual_kit(board)`` opens a virtual kit on the virtual clock (closed after the test)."""
    opened = []

    def make(board):
        kit = open_kit(sim=True, board=board, clock="virtual")
        opened.append(kit)
        return kit
    yield make
    for kit in opened:
        kit.close()


def _lesson_boards():
    for lesson in load_lessons():
        for board in lesson.boards:
            yield pytest.param(lesson.id, board, id=f"{lesson.id}-{board}")


@pytest.mark.parametrize("lesson_id,board", list(_lesson_boards()))
def test_no_false_alarm_on_a_virtual_kit_wired_right(virtual_kit, lesson_id, board):
    report = check_wiring(load_lesson(lesson_id), virtual_kit(board))
    assert report.passed and report.exit_code == 0
    assert report.faults == (), [f.en for f in report.faults]


@pytest.mark.parametrize("board", BOARDS)
def test_every_part_of_the_wiring_kit_is_checked_and_passes(virtual_kit, kit_lesson, board):
    report = check_wiring(kit_lesson, virtual_kit(board))
    assert {w.kind for w in report.checked} == {"dht11", "button", "distance_sensor", "line_sensor",
                                                "light_sensor", "motor_driver", "i2c"}
    assert report.faults == (), [f.en for f in report.faults]


# (fault kind, pin key or I2C arguments, the part whose wires it names, words of the English message)
FAULT_CASES = [
    ("unplugged", ["dht"], "A DHT11 module", "does not answer"),
    ("no-echo", ["trig"], "An HC-SR04 distance sensor", "hears no echo"),
    ("stuck", ["button"], "A push button", "reads pressed"),
    ("no-pull", ["button"], "A push button", "flickers"),
    ("no-pull", ["line"], "A line sensor module (DO)", "flickers"),
    ("pin-busy", ["in2"], "An L298N motor driver", "pulls"),
    ("i2c-absent", ["0x38"], "An AHT20 sensor on I2C", "No I2C device answers"),
    ("i2c-moved", ["0x38", "0x39"], "An AHT20 sensor on I2C", "answers at 0x39"),
]


@pytest.mark.parametrize("board", BOARDS)
@pytest.mark.parametrize("kind,args,part,words", FAULT_CASES, ids=[f"{c[0]}-{c[1][0]}" for c in FAULT_CASES])
def test_each_fault_is_found_and_names_its_wires(virtual_kit, kit_lesson, board, kind, args, part, words):
    kit = virtual_kit(board)
    pins = PINS[board]
    inject(kit.sim.world, kind, *[pins.get(a, a) for a in args])
    report = check_wiring(kit_lesson, kit)
    assert not report.passed and report.exit_code == EXIT_WIRING_FAULT
    assert len(report.faults) == 1, [f.en for f in report.faults]
    found = report.faults[0]
    assert found.part_en == part and words in found.en
    assert found.zh and found.zh != found.en and found.fix_en and found.fix_zh and found.fix_zh != found.fix_en
    if args[0] in pins:       # the wire to look at, as the wiring table prints it, in both languages
        assert pins[args[0]] in found.look_at("en") and pins[args[0]] in found.look_at("zh")
    if kind == "pin-busy":    # only the pin that is not free, not all six
        assert [w.pin for w in found.wires] == [pins["in2"]]
    else:
        assert found.look_at("zh") != found.look_at("en")


@pytest.mark.parametrize("board", BOARDS)
def test_a_sensor_stuck_at_the_rail_is_a_warning_that_does_not_stop(virtual_kit, kit_lesson, board):
    kit = virtual_kit(board)
    inject(kit.sim.world, "rail", PINS[board]["light"])
    report = check_wiring(kit_lesson, kit)
    assert report.passed and len(report.warnings) == 1
    assert "full scale" in report.warnings[0].en and PINS[board]["light"] in report.warnings[0].look_at()


@pytest.mark.parametrize("board", BOARDS)
def test_every_fault_is_listed_not_only_the_first(virtual_kit, kit_lesson, board):
    kit = virtual_kit(board)
    pins = PINS[board]
    for spec in (f"unplugged:{pins['dht']}", f"stuck:{pins['button']}", f"no-echo:{pins['echo']}",
                 f"pin-busy:{pins['enb']}", "i2c-absent:0x38"):
        inject_spec(kit.sim.world, spec)
    report = check_wiring(kit_lesson, kit)
    assert [f.part_en for f in report.errors] == ["A DHT11 module", "A push button", "An HC-SR04 distance sensor",
                                                  "An L298N motor driver", "An AHT20 sensor on I2C"]


def test_a_motor_driver_pin_held_by_another_part_is_not_free(virtual_kit, kit_lesson):
    kit = virtual_kit("uno")
    kit.led("D9")
    report = check_wiring(kit_lesson, kit)
    assert [f.wires[0].pin for f in report.errors] == ["D9"]
    assert "already used" in report.errors[0].en


def test_the_checks_leave_the_pins_free_and_the_motors_still(virtual_kit, kit_lesson):
    kit = virtual_kit("uno")
    check_wiring(kit_lesson, kit)
    assert kit.parts == ()
    world = kit.sim.world
    assert world.motor("D9", "D10", "D11") == 0 and world.motor("D12", "D13", "D6") == 0
    kit.dht11("D4").close()    # the student's program can make each part afterwards
    kit.motor_driver(left=("D9", "D10", "D11"), right=("D12", "D13", "D6")).close()


@pytest.mark.parametrize("board,pin", [("uno", "D4"), ("esp32", "GPIO4"), ("mpython", "P0")])
def test_lesson_03_with_its_dht_unplugged(virtual_kit, board, pin):
    kit = virtual_kit(board)
    inject(kit.sim.world, "unplugged", pin)
    report = check_wiring(load_lesson("03-thermometer"), kit)
    assert [f"{pin} ↔" in f.look_at() for f in report.errors] == [True]


@pytest.mark.parametrize("board,pin", [("uno", "D4"), ("esp32", "GPIO4"), ("mpython", "P5")])
def test_lesson_02_with_its_button_stuck_pressed(virtual_kit, board, pin):
    kit = virtual_kit(board)
    inject(kit.sim.world, "stuck", pin)
    report = check_wiring(load_lesson("02-button-led"), kit)
    assert len(report.errors) == 1 and "reads pressed" in report.errors[0].en


def test_a_button_on_a_pin_without_pull_up_says_so(tmp_path, virtual_kit):
    folder = make_lesson(tmp_path)
    toml = (folder / "lesson.toml").read_text(encoding="utf-8")
    (folder / "lesson.toml").write_text(toml.replace('"GPIO15"', '"GPIO34"'), encoding="utf-8")
    kit = virtual_kit("esp32")
    inject(kit.sim.world, "no-pull", "GPIO34")    # as GPIO34-39 of a real ESP32: no pull-up inside
    report = check_wiring(load_lesson(folder), kit)
    assert [f.part_en for f in report.errors] == ["A push button"]
    assert "no pull-up" in report.errors[0].fix_en


def test_the_plan_reads_parts_from_ids_roles_and_the_board(kit_lesson):
    from makerkit.catalog import load_board
    planned = {w.part_id: w for w in plan_wiring(kit_lesson, load_board("uno"))}
    assert planned["distance"].wire_for("trig").pin == "D7" and planned["distance"].wire_for("echo").pin == "D8"
    assert [w.pin for w in planned["dht"].signals] == ["D4"] and len(planned["dht"].wires) == 3
    assert planned["aht20"].address == (0x38,)
    assert planned["button"].pull_up
    mpython = plan_wiring(load_lesson("02-button-led"), load_board("mpython"))
    assert [(w.kind, w.part_id, [s.pin for s in w.signals]) for w in mpython] == [("button", "board", ["P5"])]
    assert plan_wiring(load_lesson("01-blink"), load_board("uno")) == []


def test_firmware_without_the_feature_is_no_wiring_fault(stock_board):
    """Stock StandardFirmata cannot read a DHT: not a wire to fix (the lesson then says what to flash)."""
    kit, _ = stock_board
    report = check_wiring(load_lesson("03-thermometer"), kit)
    assert report.passed and report.faults == ()
