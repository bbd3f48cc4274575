"""Robot lessons 18-21 on a real classroom kit, at the USB boundary: the lesson's solution runs
unchanged on a fake Uno running stock StandardFirmata (tests/support/fake_firmata.py) and on the
makerkit firmware of a virtual Uno and ESP32 served on socket:// in real time, seen only through
the link. The motor driver's pins get the commands the program gives (asserted on what the board
was sent), the sonar, line sensors and bumper are read from the board (the room is played around
the robot while it runs: each step waits until the wheels do what the program should do), and the
checkers grade what the host saw and say, in both languages, what needs the virtual kit.
"""

from __future__ import annotations

import re

import pytest

from support.robot_kits import Room, ServedKit, StockKit, forward, in_order, set_line, stands_still_afterwards

from makerkit.catalog.lessons import load_lesson
from makerkit.lessons_runner import (EXIT_CHECK_FAILED, EXIT_NOT_CHECKABLE, EXIT_PASSED, EXIT_SCRIPT_CRASHED,
                                     check_lesson)
from makerkit.lessons_runner.findings import SKIP
from makerkit.lessons_runner.wiring_check import check_wiring
from makerkit.protocol import firmata as fm


@pytest.fixture
def stock():
    kit = StockKit()
    yield kit
    kit.close()


@pytest.fixture(params=["uno", "esp32"])
def served(request):
    kit = ServedKit(request.param)
    yield kit
    kit.close()


@pytest.fixture(params=["stock", "uno", "esp32"])
def any_kit(request):
    kit = StockKit() if request.param == "stock" else ServedKit(request.param)
    yield kit
    kit.close()


def _say(report):
    return [f"{f.status}: {f.message('en')}" for f in report.findings]


def _needs_the_virtual_kit(report, what_zh):
    last = report.findings[-1]
    assert last.status == SKIP and "Not checked on a real kit" in last.message("en") and "--sim" in last.message("en")
    assert "在真实开发板上无法检查" in last.message("zh") and what_zh in last.message("zh")


# --- lesson 18: the square, graded on the moves the program sent ---------------------------------------

def test_the_square_on_stock_firmata_is_graded_on_the_moves_sent(stock):
    report = check_lesson("18-drive-square", kit=stock.connect(), solution=True)
    assert report.exit_code == EXIT_PASSED, _say(report)
    done = report.findings[0]
    assert re.search(r"drove 4 sides of 4\.\d s at 50% and 4 left turns of 0\.\d\d s, then stopped",
                     done.message("en")), done.message("en")
    assert re.search(r"about (8\d|9\d)°", done.message("en")) and "TURN_S" in done.message("zh")
    assert "4 条边" in done.message("zh") and "4 次左转" in done.message("zh")
    _needs_the_virtual_kit(report, "小车绕正方形开过的路线")
    modes = stock.board.modes
    assert [modes[n] for n in (7, 8, 12, 11)] == [fm.PinMode.OUTPUT] * 4          # IN1, IN2, IN3, IN4
    assert modes[5] == modes[6] == fm.PinMode.PWM                                   # ENA, ENB
    duties = {e.channel: e.value for e in stock.board.received if isinstance(e, fm.AnalogReport) and e.value}
    assert duties == {5: 128, 6: 128}                                               # half speed: 128 of 255
    both_set = [s for s in stock.sent_wheels("18-drive-square") if 0 not in s]      # not the change-overs
    assert both_set == [(0.5, 0.5), (-0.5, 0.5)] * 4
    assert stock.sent_wheels("18-drive-square")[-1] == (0.0, 0.0)


def test_a_square_cut_short_by_the_check_says_what_it_did_not_see(served):
    report = check_lesson("18-drive-square", kit=served.connect(), solution=True, seconds=2)
    assert report.exit_code == EXIT_NOT_CHECKABLE, _say(report)
    cut = report.findings[0]
    assert cut.status == SKIP and re.search(r"ended after 2\.\d s, during side 1", cut.message("en"))
    assert "第 1 条边" in cut.message("zh") and "30 秒" in cut.message("zh")
    _needs_the_virtual_kit(report, "小车绕正方形开过的路线")
    assert (0.5, 0.5) in served.sent_wheels("18-drive-square")
    assert stands_still_afterwards(served, "18-drive-square")


def test_a_square_cut_short_in_a_pause_says_what_it_saw_without_passing(stock, write_script):
    script = write_script("""
        def main(kit):
            p = kit.pins
            wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                                      right=(p.right_forward, p.right_backward, p.right_speed))
            wheels.forward(0.5)
            kit.sleep(0.8)
            wheels.stop()
            kit.sleep(5)                      # the check ends in this pause
    """)
    report = check_lesson("18-drive-square", kit=stock.connect(), script=script, seconds=2)
    assert report.exit_code == EXIT_NOT_CHECKABLE, _say(report)      # a square seen in part is no square
    cut = report.findings[0]
    assert cut.status == SKIP and re.search(r"ended after 2\.\d s, before corner 1", cut.message("en"))
    assert "What it saw was right: 1 straight side(s) and 0 left turn(s)." in cut.message("en")
    assert "第 1 个角" in cut.message("zh") and "1 条直行的边" in cut.message("zh")


def test_the_square_starter_on_a_real_kit_is_told_to_loop(stock):
    report = check_lesson("18-drive-square", kit=stock.connect())
    assert report.exit_code == EXIT_CHECK_FAILED, _say(report)
    told = report.findings[0]
    assert "drove 1 side(s) and 1 corner(s), then ended" in told.message("en") and "1 条边、1 个角" in told.message("zh")
    assert "for side in range(4)" in told.fix("en") and "for side in range(4)" in told.fix("zh")


# --- lesson 19: turning away from what the sonar reads, backing off the bumper ---------------------------

def test_obstacle_avoidance_on_makerkit_firmware_answers_the_sonar_and_the_bumper(served):
    kit, world, bumper = served.connect(), served.world, served.pins("19-obstacle-avoid")["bumper"]
    world.set_distance_cm(150)
    steps = [(forward, lambda: world.set_distance_cm(10)),
             (lambda w: w[0] > 0 > w[1], lambda: world.set_distance_cm(150)),
             (forward, lambda: world.press(bumper)),
             (lambda w: w[0] < 0 and w[1] < 0, lambda: world.release(bumper))]
    with Room(lambda: served.wheels("19-obstacle-avoid"), steps) as room:
        report = check_lesson("19-obstacle-avoid", kit=kit, solution=True, seconds=6)
    assert room.played and report.exit_code == EXIT_PASSED, _say(report)
    sonar, bumped = report.findings[0], report.findings[1]
    assert "turned away each time something came closer than 20 cm (once" in sonar.message("en")
    assert "近于 20 厘米" in sonar.message("zh")
    assert "bumper was pressed (once) the robot backed off" in bumped.message("en") and "倒车" in bumped.message("zh")
    _needs_the_virtual_kit(report, "小车开过的路线和碰到的东西")
    assert any(r.value < 20 for r in report.run.readings_of("distance_cm"))      # read from the board
    assert in_order([(0.5, 0.5), (0.5, -0.5), (0.5, 0.5), (-0.5, -0.5), (0.5, -0.5), (0.5, 0.5)],
                     served.sent_wheels("19-obstacle-avoid"))


def test_the_obstacle_starter_is_told_it_drove_on(served):
    kit, world = served.connect(), served.world
    world.set_distance_cm(150)
    with Room(lambda: served.wheels("19-obstacle-avoid"), [(forward, lambda: world.set_distance_cm(10))]) as room:
        report = check_lesson("19-obstacle-avoid", kit=kit, seconds=3)
    assert room.played and report.exit_code == EXIT_CHECK_FAILED, _say(report)
    told = report.findings[0]
    assert re.search(r"the sensor read 10 cm, but the robot did not turn away \(left wheel 50% forwards",
                     told.message("en")), told.message("en")
    assert "没有转开" in told.message("zh") and "wheels.right(SPEED)" in told.fix("zh")


def test_the_bumper_alone_is_no_obstacle_avoidance_yet(served):
    kit, world, bumper = served.connect(), served.world, served.pins("19-obstacle-avoid")["bumper"]
    world.set_distance_cm(150)
    steps = [(forward, lambda: world.press(bumper)), (lambda w: w[0] < 0 and w[1] < 0, lambda: world.release(bumper))]
    with Room(lambda: served.wheels("19-obstacle-avoid"), steps) as room:
        report = check_lesson("19-obstacle-avoid", kit=kit, solution=True, seconds=3)
    assert room.played and report.exit_code == EXIT_NOT_CHECKABLE, _say(report)
    sonar, bumped = report.findings[0], report.findings[1]
    assert sonar.status == SKIP and "hold a hand or a box in front of it" in sonar.message("en")
    assert bumped.status == SKIP and "the robot backed off" in bumped.message("en")


def test_obstacle_avoidance_on_stock_firmata_says_what_to_flash(stock):
    report = check_lesson("19-obstacle-avoid", kit=stock.connect(), solution=True, seconds=2)
    assert report.exit_code == EXIT_SCRIPT_CRASHED
    crash = report.crash
    assert crash.kind == "FeatureNotSupportedError" and "HC-SR04" in crash.message
    assert "makerkit flash --board uno" in crash.hint("en") and "请烧录 makerkit 固件" in crash.hint("zh")


# --- lesson 20: steering towards the line the sensors see -----------------------------------------------

def test_line_following_steers_towards_the_sensor_that_sees_the_line(any_kit):
    lid = "20-line-follow"
    kit = any_kit.connect()
    set_line(any_kit, lid, 0, 0)
    steps = [(forward, lambda: set_line(any_kit, lid, 1, 0)),
             (lambda w: w[1] > w[0], lambda: set_line(any_kit, lid, 0, 0)),
             (forward, lambda: set_line(any_kit, lid, 0, 1)),
             (lambda w: w[0] > w[1], lambda: set_line(any_kit, lid, 1, 1)),
             (forward, lambda: None)]
    with Room(lambda: any_kit.wheels(lid), steps) as room:
        report = check_lesson(lid, kit=kit, solution=True, seconds=7)
    assert room.played and report.exit_code == EXIT_PASSED, _say(report)
    left, right = report.findings[0], report.findings[1]
    assert "only the left sensor saw the line (once) the robot steered left" in left.message("en")
    assert "only the right sensor saw the line (once) the robot steered right" in right.message("en")
    assert "向右转" in right.message("zh")
    _needs_the_virtual_kit(report, "小车在赛道上开过的路线")
    assert in_order([(0.45, 0.45), (-0.2, 0.5), (0.45, 0.45), (0.5, -0.2), (0.45, 0.45)], any_kit.sent_wheels(lid))
    assert stands_still_afterwards(any_kit, lid)


def test_the_line_starter_is_told_to_steer_right(stock):
    lid = "20-line-follow"
    kit = stock.connect()
    set_line(stock, lid, 0, 0)
    with Room(lambda: stock.wheels(lid), [(forward, lambda: set_line(stock, lid, 0, 1))]) as room:
        report = check_lesson(lid, kit=kit, seconds=3)
    assert room.played and report.exit_code == EXIT_CHECK_FAILED, _say(report)
    told = next(f for f in report.findings if f.failed)
    assert "only the right sensor saw the line, but the robot did not steer right" in told.message("en")
    assert "(TURN_FAST, TURN_SLOW)" in told.fix("en") and "向右转" in told.fix("zh")
    assert report.findings[0].status == SKIP and "left sensor never saw the line alone" in report.findings[0].message("en")
    modes = stock.board.modes
    assert modes[2] == modes[4] == fm.PinMode.INPUT                                 # the sensors' DO pins


def test_two_line_sensors_on_one_port_read_the_line_from_the_first_look(stock):
    """The second sensor on a port made right after the first is not read from a port report the
    board sent before it saw the new input (7 of 20 first looks said "no line" before the fix)."""
    set_line(stock, "20-line-follow", 1, 1)
    for _ in range(10):
        with stock.connect() as kit:          # a new connection resets the Uno, as a USB port does
            left, right = kit.line_sensor("D2"), kit.line_sensor("D4")
            assert (left.on_line, right.on_line) == (True, True)


def test_one_side_seen_is_no_line_follower_yet(stock):
    lid = "20-line-follow"
    kit = stock.connect()
    set_line(stock, lid, 0, 0)
    with Room(lambda: stock.wheels(lid), [(forward, lambda: set_line(stock, lid, 1, 0))]) as room:
        report = check_lesson(lid, kit=kit, solution=True, seconds=3)
    assert room.played and report.exit_code == EXIT_NOT_CHECKABLE, _say(report)
    left, right = report.findings[0], report.findings[1]
    assert left.status == SKIP and "steered left" in left.message("en")          # right, but not passed alone
    assert right.status == SKIP and "right sensor never saw the line alone" in right.message("en")


# --- lesson 21: parking at the wall -------------------------------------------------------------------

def _parking_room(served):
    world = served.world
    world.set_distance_cm(150)
    return Room(lambda: served.wheels("21-parking-project"),
                [(forward, lambda: world.set_distance_cm(30)),
                 (lambda w: 0 < w[0] < 0.3, lambda: world.set_distance_cm(8))])


def test_parking_stops_at_the_wall_the_sonar_reads(served):
    kit = served.connect()
    with _parking_room(served) as room:
        report = check_lesson("21-parking-project", kit=kit, solution=True, seconds=8)
    assert room.played and report.exit_code == EXIT_PASSED, _say(report)
    parked = report.findings[0]
    assert "stopped 8 cm before it (as its sensor read it): inside the parking space (2-30 cm)" in parked.message("en")
    assert "在离墙 8 厘米（传感器的读数）的地方停了下来：在车位里" in parked.message("zh")
    _needs_the_virtual_kit(report, "小车开过的路线和停车的位置")
    assert report.run.ended == "finished" and any(t.startswith("parked 8") for t in report.run.printed)
    assert stands_still_afterwards(served, "21-parking-project")   # the stop went down the link
    sent = served.sent_wheels("21-parking-project")
    assert in_order([(0.45, 0.45), (0.0, 0.0)], sent) and any(0.2 < s[0] < 0.25 and s[0] == s[1] for s in sent)


def test_the_parking_starter_is_told_it_drove_on(served):
    kit, world = served.connect(), served.world
    world.set_distance_cm(150)
    with Room(lambda: served.wheels("21-parking-project"), [(forward, lambda: world.set_distance_cm(8))]) as room:
        report = check_lesson("21-parking-project", kit=kit, seconds=3)
    assert room.played and report.exit_code == EXIT_CHECK_FAILED, _say(report)
    told = report.findings[0]
    assert "the wall was 8 cm ahead, but the robot drove on" in told.message("en") and "还在往前开" in told.message("zh")
    assert "wheels.stop()" in told.fix("en")


def test_a_team_that_parks_too_far_from_the_wall_is_told_where_it_stopped(served, write_script):
    script = write_script("""
        def main(kit):
            p = kit.pins
            wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                                      right=(p.right_forward, p.right_backward, p.right_speed))
            sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)
            wheels.forward(0.4)
            while sonar.distance_cm > 60:
                kit.sleep(0.02)
            wheels.stop()
    """)
    kit, world = served.connect(), served.world
    world.set_distance_cm(150)
    with Room(lambda: served.wheels("21-parking-project"), [(forward, lambda: world.set_distance_cm(45))]) as room:
        report = check_lesson("21-parking-project", kit=kit, script=script, seconds=4)
    assert room.played and report.exit_code == EXIT_CHECK_FAILED, _say(report)
    told = report.findings[0]
    assert re.search(r"stopped at \d+\.\d s with the wall 45 cm ahead: too far", told.message("en")), told.message("en")
    assert "太远了" in told.message("zh") and "less than 30 cm" in told.fix("en")


def test_parking_on_stock_firmata_says_what_to_flash(stock):
    report = check_lesson("21-parking-project", kit=stock.connect(), solution=True, seconds=2)
    assert report.exit_code == EXIT_SCRIPT_CRASHED and report.crash.kind == "FeatureNotSupportedError"
    assert "makerkit flash --board uno" in report.crash.hint("en")


# --- the wiring check before the run ------------------------------------------------------------------

@pytest.mark.parametrize("lesson_id", ["18-drive-square", "19-obstacle-avoid", "20-line-follow", "21-parking-project"])
def test_the_wiring_check_runs_on_the_real_kit(any_kit, lesson_id):
    report = check_wiring(load_lesson(lesson_id), any_kit.connect())
    assert report.passed and report.faults == (), [f.message("en") for f in report.faults]
    checked = {w.part_id for w in report.checked}
    assert "motors" in checked
    has_sonar = lesson_id in ("19-obstacle-avoid", "21-parking-project")
    if isinstance(any_kit, StockKit) and has_sonar:   # stock StandardFirmata cannot time an echo
        (note,) = report.unchecked
        assert "distance" not in checked and note.part("en").startswith("An HC-SR04")
        assert note.message("en").startswith("Not checked: this kit runs StandardFirmata")
        assert note.message("zh").startswith("没有检查：") and "makerkit flash --board uno" in note.fix("zh")
    else:
        assert report.unchecked == () and ("distance" in checked) == has_sonar
    assert ("bumper" in checked) == (lesson_id in ("19-obstacle-avoid", "21-parking-project"))
    assert {"line_left", "line_right"} <= checked or lesson_id in ("18-drive-square", "19-obstacle-avoid")
    assert any_kit.wheels(lesson_id) == (0.0, 0.0)              # the check leaves the motors still


# --- the commands, as a student types them --------------------------------------------------------------

@pytest.fixture
def lesson_cli(monkeypatch, tmp_path):
    """``lesson_cli(*args, lang="en")`` runs ``makerkit lesson ...`` in an empty folder; returns the result."""
    from click.testing import CliRunner

    from makerkit.cli import cli
    monkeypatch.chdir(tmp_path)

    def invoke(*args, lang="en"):
        monkeypatch.setenv("MAKERKIT_LANG", lang)
        return CliRunner().invoke(cli, ["lesson", *args])
    return invoke


@pytest.mark.slow
def test_lesson_check_drives_the_square_on_a_served_esp32(lesson_cli):
    kit = ServedKit("esp32")
    try:
        result = lesson_cli("check", "18-drive-square", "--port", kit.url, "--solution")
        sent = kit.sent_wheels("18-drive-square")
    finally:
        kit.close()
    assert result.exit_code == EXIT_PASSED, result.output
    assert "The wiring looks right." in result.output and "Well done! Lesson 18-drive-square passed." in result.output
    assert re.search(r"drove 4 sides of 4\.\d s at 50% and 4 left turns", result.output)
    assert "Not checked on a real kit: the robot's path round the square." in result.output
    assert [s for s in sent if 0 not in s] == [(0.5, 0.5), (-0.5, 0.5)] * 4


@pytest.mark.slow
def test_lesson_check_avoids_obstacles_on_a_served_uno(lesson_cli):
    kit = ServedKit("uno")
    world = kit.world
    world.set_distance_cm(150)
    steps = [(forward, lambda: world.set_distance_cm(12)), (lambda w: w[0] > 0 > w[1], lambda: world.set_distance_cm(150))]
    try:
        with Room(lambda: kit.wheels("19-obstacle-avoid"), steps) as room:
            result = lesson_cli("check", "19-obstacle-avoid", "--port", kit.url, "--solution")
    finally:
        kit.close()
    assert room.played and result.exit_code == EXIT_PASSED, result.output
    assert "The wiring looks right." in result.output
    assert "turned away each time something came closer than 20 cm (once" in result.output
    assert "The bumper was never pressed while the check ran" in result.output
    assert "Not checked on a real kit: where the robot drove and what it touched." in result.output


@pytest.mark.slow
def test_lesson_check_follows_the_line_on_stock_firmata(lesson_cli):
    lid, kit = "20-line-follow", StockKit()
    set_line(kit, lid, 0, 0)
    steps = [(forward, lambda: set_line(kit, lid, 0, 1)), (lambda w: w[0] > w[1], lambda: set_line(kit, lid, 0, 0)),
             (forward, lambda: set_line(kit, lid, 1, 0)), (lambda w: w[1] > w[0], lambda: set_line(kit, lid, 0, 0))]
    try:
        with Room(lambda: kit.wheels(lid), steps) as room:
            result = lesson_cli("check", lid, "--port", kit.url, "--solution", lang="zh")
    finally:
        kit.close()
    assert room.played and result.exit_code == EXIT_PASSED, result.output
    assert "这块开发板运行的是 StandardFirmata 2.4" in result.output and "接线看起来没问题。" in result.output
    assert "每次只有右边的传感器看到黑线（1 次），小车都向右转了。" in result.output
    assert "每次只有左边的传感器看到黑线（1 次），小车都向左转了。" in result.output
    assert "太棒了！课程 20-line-follow 通过了。" in result.output


@pytest.mark.parametrize("lang, said", [
    ("en", "No robot picture: only the virtual kit (--sim) sees where the robot drives."),
    ("zh", "没有机器人运行图：只有虚拟套件（--sim）才能看到机器人开过的路线。")], ids=["en", "zh"])
def test_parking_checked_on_a_served_esp32_asks_for_the_virtual_kit_for_its_picture(lesson_cli, tmp_path, lang, said):
    kit = ServedKit("esp32")
    try:
        with _parking_room(kit) as room:
            result = lesson_cli("check", "21-parking-project", "--port", kit.url, "--solution",
                                "--picture", str(tmp_path / "parking.png"), "--record", str(tmp_path / "parking.json"),
                                lang=lang)
    finally:
        kit.close()
    assert room.played and result.exit_code == EXIT_PASSED, result.output
    assert said in result.output and "Traceback" not in result.output
    assert not (tmp_path / "parking.png").exists() and not (tmp_path / "parking.json").exists()
    assert ("inside the parking space" if lang == "en" else "在车位里") in result.output


def test_lesson_run_on_stock_firmata_drives_the_line_follower_and_draws_no_picture(lesson_cli, tmp_path):
    lid, kit = "20-line-follow", StockKit()
    set_line(kit, lid, 1, 0)
    try:
        result = lesson_cli("run", lid, "--port", kit.url, "--solution", "--seconds", "1.5",
                            "--picture", str(tmp_path / "line.png"))
        sent = kit.sent_wheels(lid)
    finally:
        kit.close()
    assert result.exit_code == EXIT_PASSED, result.output
    assert "Running solution.py of lesson 20-line-follow" in result.output and "Stopped after 1." in result.output
    assert "No robot picture: only the virtual kit (--sim)" in result.output and not (tmp_path / "line.png").exists()
    assert (-0.2, 0.5) in sent                                                     # steering left, towards the line


def test_obstacle_avoidance_on_stock_firmata_is_told_before_and_when_it_stops(lesson_cli):
    kit = StockKit()
    try:
        result = lesson_cli("check", "19-obstacle-avoid", "--port", kit.url, "--solution")
    finally:
        kit.close()
    assert result.exit_code == EXIT_SCRIPT_CRASHED, result.output
    assert "Not checked: this kit runs StandardFirmata.ino 2.4, which cannot do an HC-SR04" in result.output
    assert "The wires it could check look right." in result.output
    assert "Flash the makerkit firmware: `makerkit flash --board uno --port PORT`." in result.output
    assert "Well done" not in result.output
