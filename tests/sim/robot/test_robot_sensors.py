"""The robot's sensors against known arenas: an HC-SR04 against walls (straight on, at an angle,
beyond its range, with no wall at all, a box, a round post, the width of its beam), line sensors
against a known track, the bumper on contact (the body stops at the wall), wheel encoders."""

import math

import pytest

from support.robot_world import LEFT, RIGHT, robot_kit, room

from makerkit.catalog.robot_spec import LineMount, SonarMount


def _cast(robot):
    return robot.sonars[0].cast()[0]


def test_sonar_straight_at_a_wall_and_through_the_firmware(tmp_path):
    with robot_kit(room(tmp_path, start=(100, 100, 0))) as (kit, robot):
        assert _cast(robot) == pytest.approx(300 - 108)
        sensor = kit.distance_sensor("D9", "D10")
        assert sensor.distance_cm == 192.0
        hit = robot.hits()[-1]
        assert hit[2:] == pytest.approx((192.0, 300.0, 100.0))


def test_sonar_at_an_angle(tmp_path):
    with robot_kit(room(tmp_path, start=(100, 100, 30))) as (kit, robot):
        x0 = 100 + 8 * math.cos(math.radians(30))
        y0 = 100 + 8 * math.sin(math.radians(30))
        # the ray meets the top wall (y = 200) before the right one (x = 300)
        assert _cast(robot) == pytest.approx(min((200 - y0) / math.sin(math.radians(30)),
                                                 (300 - x0) / math.cos(math.radians(30))))
        assert _cast(robot) == pytest.approx((200 - y0) / 0.5)


def test_sonar_beam_width_sees_the_nearest_edge(tmp_path):
    path = room(tmp_path, start=(100, 100, 45))
    with robot_kit(path, sonars=(SonarMount("trig", "echo", x=0.0, cone=20.0),)) as (kit, robot):
        # from (100, 100) at 45 degrees the beam's edges point at 35 and 55 degrees
        top = 100 / math.sin(math.radians(55))
        right = 200 / math.cos(math.radians(35))
        assert _cast(robot) == pytest.approx(min(top, right, 100 / math.sin(math.radians(45))))
        assert _cast(robot) == pytest.approx(top)


def test_sonar_beyond_its_range_and_with_no_wall(tmp_path):
    far = room(tmp_path, size=(700, 200), start=(100, 100, 0), name="far-room")
    with robot_kit(far) as (kit, robot):
        assert _cast(robot) == pytest.approx(700 - 108)
        assert kit.distance_sensor("D9", "D10").distance_cm == math.inf     # no echo beyond 400 cm
        assert robot.hits()[-1][2] == 0.0
    open_floor = room(tmp_path, start=(100, 100, 0), fence=False, name="open-floor")
    with robot_kit(open_floor) as (kit, robot):
        assert _cast(robot) == math.inf
        assert kit.distance_sensor("D9", "D10").distance_cm == math.inf


def test_sonar_sees_boxes_and_posts(tmp_path):
    extra = """
    [[obstacles]]
    rect = [150, 80, 20, 40]
    [[obstacles]]
    circle = [100, 160, 10]
    """
    with robot_kit(room(tmp_path, start=(100, 100, 0), extra=extra)) as (kit, robot):
        assert _cast(robot) == pytest.approx(150 - 108)
    with robot_kit(room(tmp_path, start=(100, 100, 90), extra=extra)) as (kit, robot):
        assert _cast(robot) == pytest.approx(150 - 108)          # 108 is the sensor's y now; post edge at 150


TRACK = """
[track]
points = [[20, 50], [280, 50]]
width_cm = 2
"""


@pytest.mark.parametrize("y, left, right", [(50, 1, 1), (49.2, 1, 0), (50.8, 0, 1), (56, 0, 0), (44, 0, 0)])
def test_line_sensors_against_a_straight_track(tmp_path, y, left, right):
    # sensors 0.5 cm left and right of the middle, on a 2 cm tape at y = 50: the DO reads 1 while more
    # than half of the sensor's 1 cm spot lies on the tape, i.e. within 1 cm of the tape's middle
    lines = (LineMount("ll", 7.0, 0.5), LineMount("lr", 7.0, -0.5))
    with robot_kit(room(tmp_path, start=(100, y, 0), extra=TRACK), lines=lines) as (kit, robot):
        assert (kit.line_sensor("D2").on_line, kit.line_sensor("D4").on_line) == (bool(left), bool(right))


def test_a_line_sensor_sees_the_tape_edge_shaded_and_follows_the_robot(tmp_path):
    with robot_kit(room(tmp_path, start=(100, 50, 0), extra=TRACK), lines=(LineMount("ll", 7.0, 0.0),)) as (kit, robot):
        look = robot.lines[0][2]
        assert look() == pytest.approx(0.9)
        assert look.at((100.0, 51.0, 0.0))[0] == pytest.approx((0.05 + 0.9) / 2)   # the spot's middle on the edge
        assert look.at((100.0, 50.0, math.pi / 2))[0] == pytest.approx(0.05)       # turned: 7 cm off the tape


def test_a_line_sensor_answers_from_its_last_look_only_while_it_cannot_reach_the_edge(tmp_path):
    with robot_kit(room(tmp_path, start=(100, 50, 90), extra=TRACK), lines=(LineMount("ll", 0.0, 0.0),)) as (kit, robot):
        wheels = kit.motor_driver(left=LEFT, right=RIGHT)
        sensor = kit.line_sensor("D2")
        assert sensor.on_line
        wheels.forward(0.25)                    # 10 cm/s across the 2 cm tape: off it after about 0.1 s
        kit.sleep(0.08)
        assert sensor.on_line
        kit.sleep(0.04)
        assert not sensor.on_line and robot.pose[1] == pytest.approx(50 + 0.12 * 40 * round(0.25 * 255) / 255, abs=0.02)


def test_line_sensors_on_a_rounded_closed_track(tmp_path):
    extra = """
    [track]
    points = [[50, 50], [250, 50], [250, 150], [50, 150]]
    width_cm = 2.5
    closed = true
    round_cm = 30
    """
    with robot_kit(room(tmp_path, start=(150, 150, 180), extra=extra), lines=(LineMount("ll", 0.0, 0.0),)) as (kit, robot):
        look = robot.lines[0][2]
        assert look() == pytest.approx(0.9)                 # on the top side
        assert look.at((50.0, 150.0, 0.0))[0] == pytest.approx(0.05)     # the sharp corner was cut by the arc
        d = 30 * math.sqrt(2) - 30                           # the arc's middle lies this far inside the corner
        assert look.at((50 + d / math.sqrt(2), 150 - d / math.sqrt(2), 0.0))[0] == pytest.approx(0.9)


def test_the_bumper_stops_the_body_at_the_wall_and_is_pressed(tmp_path):
    with robot_kit(room(tmp_path, start=(250, 100, 0))) as (kit, robot):
        bumper = kit.button("A0")
        assert not bumper.is_pressed
        wheels = kit.motor_driver(left=LEFT, right=RIGHT)
        wheels.forward(1.0)
        kit.sleep(3.0)                                   # 41 cm to the wall at 40 cm/s: touches after ~1 s
        x, y, _ = robot.pose
        assert x == pytest.approx(300 - 9, abs=0.01) and y == pytest.approx(100)
        assert bumper.is_pressed
        [contact] = robot.body.events
        assert (contact.kind, contact.x, contact.y) == ("contact", pytest.approx(300), pytest.approx(100))
        assert contact.t == pytest.approx(41 / 40, abs=0.02)
        wheels.backward(0.5)
        kit.sleep(0.5)
        assert not bumper.is_pressed and robot.pose[0] < 290


def test_a_blocked_robot_can_still_turn_away(tmp_path):
    with robot_kit(room(tmp_path, start=(280, 100, 0))) as (kit, robot):
        wheels = kit.motor_driver(left=LEFT, right=RIGHT)
        wheels.forward(1.0)
        kit.sleep(1.0)
        wheels.left(1.0)
        kit.sleep(0.3)
        x, _, heading = robot.pose
        assert x == pytest.approx(291, abs=0.01) and heading > 30


def test_wheel_encoders_count_slots(tmp_path):
    from makerkit.catalog.robot_spec import EncoderMount
    with robot_kit(room(tmp_path, start=(50, 100, 0)), encoders=(EncoderMount("enc", "left", 20),)) as (kit, robot):
        world = kit.sim.world
        wheels = kit.motor_driver(left=LEFT, right=RIGHT)
        wheels.forward(1.0)
        edges, last = 0, world.pin_level("A1")
        for _ in range(1000):                              # one second, looked at every millisecond
            kit.sim.advance(0.001)
            level = world.pin_level("A1")
            edges += level != last
            last = level
        turns = robot.body.travel[0] / (math.pi * 6.5)
        assert edges == int(turns * 40) and 30 <= edges <= 80


def test_a_program_counts_encoder_slots_with_a_button_callback(tmp_path):
    from makerkit.catalog.robot_spec import EncoderMount
    with robot_kit(room(tmp_path, start=(50, 100, 0)), encoders=(EncoderMount("enc", "left", 20),)) as (kit, robot):
        counted = []
        encoder = kit.button("A1")                        # the disc's slot sensor: 0 over a slot
        encoder.when_pressed = lambda: counted.append(1)
        wheels = kit.motor_driver(left=LEFT, right=RIGHT)
        wheels.forward(1.0)
        kit.sleep(1.0)
        wheels.stop()
        kit.sleep(0.05)
        slots = robot.body.travel[0] / (math.pi * 6.5) * 20
        assert abs(len(counted) - slots) <= 1 and len(counted) > 30
