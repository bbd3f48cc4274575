"""The robot lessons' grading helpers on runs whose paths are known: each finding says where the
run went wrong (cm along the track, coordinates, which checkpoint), in both languages, and marks
the place for the picture; on a real kit (no simulated robot) each says it needs the virtual kit."""

import math
import re
from types import SimpleNamespace

import pytest
from mkfw.wire import OUTPUT, PWM

from makerkit.catalog.arenas import arena_path, parse_arena
from makerkit.catalog.robot_spec import LineMount, RobotSpec
from makerkit.lessons_runner import LessonRun
from makerkit.lessons_runner import robot_checks as rc
from makerkit.sim import VirtualKit
from makerkit.sim.robot import attach
from makerkit.sim.robot.body import Sample
from makerkit.sim.robot.geometry import Polyline

_CJK = re.compile(r"[\u4e00-\u9fff]")
PINS = {"lf": "D7", "lb": "D8", "ls": "D5", "rf": "D12", "rb": "D11", "rs": "D6", "ll": "D2", "lr": "D4"}


@pytest.fixture
def world():
    kit = VirtualKit("uno")
    yield kit.world
    kit.close()


def _run(world, arena_id: str, lines=()):
    path = arena_path(arena_id)
    spec = RobotSpec(arena=arena_id, arena_path=path, left=("lf", "lb", "ls"), right=("rf", "rb", "rs"), lines=lines)
    robot = attach(world, spec, PINS, arena=parse_arena(path))
    return SimpleNamespace(robot=robot, ok=LessonRun.ok, fail=LessonRun.fail, elapsed=30.0,
                           needs_sim=lambda en, zh: LessonRun.skip(en, zh))


def _path(run, points, speed=20.0):
    """Give the robot a path through ``points`` (x, y) at ``speed`` cm/s, sampled every 50 ms."""
    samples, t = [], 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:]):
        length = math.hypot(x2 - x1, y2 - y1)
        heading = math.degrees(math.atan2(y2 - y1, x2 - x1))
        steps = max(1, int(length / (speed * 0.05)))
        for k in range(steps):
            samples.append(Sample(round(t, 3), x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps, heading, speed, speed))
            t += length / steps / speed
    samples.append(Sample(round(t, 3), *points[-1], samples[-1].heading, 0.0, 0.0))
    run.robot.body.samples = samples
    return samples


def _says(finding, *words):
    assert _CJK.search(finding.zh) and finding.en
    if finding.failed:
        assert finding.fix_en and _CJK.search(finding.fix_zh)
    for word in words:
        assert word in finding.en, finding.en


def test_a_real_kit_has_no_robot_to_judge():
    run = SimpleNamespace(robot=None, needs_sim=lambda en, zh: LessonRun.skip(en, zh))
    for helper in (rc.no_collision, rc.goal_reached, rc.checkpoints_in_order, rc.stays_on_line):
        assert helper(run).status == "skip"
    assert rc.lap(run, within=10).status == "skip" and rc.travelled(run, 100).status == "skip"


def test_no_collision_names_the_time_and_the_place(world):
    run = _run(world, "obstacle-field")
    assert rc.no_collision(run).passed
    for pin in (7, 12):                      # IN1 and IN3 high, ENA and ENB at full PWM: full speed ahead
        world.hw_configure(pin, OUTPUT)
        world.hw_write(pin, 1)
    for pin in (5, 6):
        world.hw_configure(pin, PWM)
        world.hw_pwm(pin, 1.0)
    run.robot.body.update(3.0)               # 41 cm from the body's edge to the box at 40 cm/s
    finding = rc.no_collision(run)
    assert finding.failed
    _says(finding, "touched a box at (80, 90) cm", "At 1.0 s")
    assert run.robot.marks[0]["status"] == "fail" and run.robot.marks[0]["x"] == pytest.approx(80)


def test_checkpoints_in_order_names_the_one_missed_and_the_closest_approach(world):
    run = _run(world, "square-room")
    _path(run, [(50, 50), (130, 50), (130, 130), (50, 130), (50, 50)])
    good = rc.checkpoints_in_order(run, then="home")
    assert good.passed and "in order" in good.en
    run.robot.marks.clear()
    _path(run, [(50, 50), (130, 50), (130, 60), (60, 100)])     # turned too far after the first corner
    bad = rc.checkpoints_in_order(run, then="home")
    assert bad.failed
    _says(bad, "passed the lower right corner", "never reached the upper right corner (number 2, at (130, 130) cm)")
    mark = run.robot.marks[-1]
    assert math.hypot(mark["x"] - 130, mark["y"] - 130) < 75


def test_goal_reached_within_a_time_and_stopping_inside(world):
    run = _run(world, "maze")
    _path(run, [(25, 25), (25, 175), (175, 175)], speed=20.0)
    assert rc.goal_reached(run, within=30).passed
    assert rc.goal_reached(run, within=10).failed
    _says(rc.goal_reached(run, within=10), "within 10 s")
    _path(run, [(25, 25), (25, 175), (140, 175)])
    missed = rc.goal_reached(run)
    _says(missed, "never reached the goal at (175, 175) cm", "the closest it came was 35 cm")
    _path(run, [(25, 25), (25, 175), (175, 175), (175, 130)])
    _says(rc.goal_reached(run, stop_inside=True), "outside it")


def _track_points(run, start_cm: float, end_cm: float, off=None):
    """Points following the line-loop track from start_cm to end_cm along it (from the start pose);
    ``off`` = (from, to, cm): shifted sideways that far between those distances."""
    arena = run.robot.arena
    line = Polyline(arena.track.points, True)
    s0 = line.project(*arena.start[:2])[1]
    points = []
    for s in range(int(start_cm), int(end_cm) + 1, 2):
        x, y = line.point_at(s0 + s)
        if off and off[0] <= s <= off[1]:
            ax, ay = line.point_at(s0 + s + 1)
            nx, ny = -(ay - y), (ax - x)
            n = math.hypot(nx, ny)
            x, y = x + nx / n * off[2], y + ny / n * off[2]
        points.append((x, y))
    return points


def test_a_lap_followed_on_the_line(world):
    run = _run(world, "line-loop", lines=(LineMount("ll", 0.0, 1.0), LineMount("lr", 0.0, -1.0)))
    length = Polyline(run.robot.arena.track.points, True).length
    _path(run, _track_points(run, 0, length + 4), speed=25.0)
    lap = rc.lap(run, within=30)
    assert lap.passed and f"{length / 100:.2f} m" in lap.en
    assert rc.stays_on_line(run).passed
    assert rc.lap(run, within=20).failed                    # 5.85 m at 25 cm/s takes 23 s
    _says(rc.lap(run, within=20), "at most 20 s")


def test_leaving_the_line_is_told_by_distance_along_the_track(world):
    run = _run(world, "line-loop", lines=(LineMount("ll", 0.0, 1.0), LineMount("lr", 0.0, -1.0)))
    _path(run, _track_points(run, 0, 300, off=(200, 260, 20)), speed=25.0)
    finding = rc.stays_on_line(run, max_off_cm=15)
    assert finding.failed
    _says(finding, "m along the track", "left the line and drove", "before it found it again")
    assert re.match(r"At (1\.9\d|2\.0\d) m", finding.en)
    assert "米处" in finding.zh
    short = rc.lap(run, within=60)
    _says(short, "of the 5.85 m lap")
    across = _track_points(run, 0, 150) + _track_points(run, 420, 590)      # cut across the loop to 4.2 m
    _path(run, across, speed=25.0)
    cut = rc.lap(run, within=60)                    # the longest stretch it followed counts: 1.7 m at the end
    followed = float(re.search(r"followed ([0-9.]+) m of the 5.85 m lap", cut.en).group(1))
    assert cut.failed and 1.5 <= followed < 2.0
    _path(run, _track_points(run, 0, 250, off=(200, 260, 20)), speed=25.0)
    _says(rc.stays_on_line(run, max_off_cm=15), "never found it again")


def test_travelled(world):
    run = _run(world, "obstacle-field")
    _path(run, [(30, 90), (60, 90)])
    assert rc.travelled(run, 20).passed
    _says(rc.travelled(run, 300), "drove only 30 cm")
