"""The robot's motion against hand-computed paths: a straight line, a spin on the spot, an arc of
known radius; exact arcs do not drift however finely time is cut; and the same paths driven through
the real firmware by kit.motor_driver on the virtual kit."""

import math

import pytest

from support.robot_world import LEFT, RIGHT, robot_kit, room

from makerkit.sim.robot.kinematics import arc, mounted


def test_straight_line():
    assert arc((10.0, 20.0, 0.0), 20.0, 20.0, 13.0, 2.0) == pytest.approx((50.0, 20.0, 0.0))
    x, y, h = arc((0.0, 0.0, math.radians(30)), 10.0, 10.0, 13.0, 3.0)
    assert (x, y, h) == pytest.approx((30 * math.cos(math.radians(30)), 15.0, math.radians(30)))


def test_spin_on_the_spot():
    # wheels 13 cm apart at -10 and +10 cm/s: 20/13 rad/s about the middle of the axle
    quarter = (math.pi / 2) / (20.0 / 13.0)
    assert arc((40.0, 40.0, 0.0), -10.0, 10.0, 13.0, quarter) == pytest.approx((40.0, 40.0, math.pi / 2))
    assert arc((40.0, 40.0, 0.0), 10.0, -10.0, 13.0, 2 * quarter) == pytest.approx((40.0, 40.0, -math.pi))


def test_arc_of_known_radius():
    # v = 10 cm/s, w = 0.2 rad/s: a circle of radius 50 cm to the left
    quarter = (math.pi / 2) / 0.2
    assert arc((0.0, 0.0, 0.0), 9.0, 11.0, 10.0, quarter) == pytest.approx((50.0, 50.0, math.pi / 2))
    assert arc((0.0, 0.0, 0.0), 9.0, 11.0, 10.0, 2 * quarter) == pytest.approx((0.0, 100.0, math.pi))
    # turning right: the centre lies to the right
    assert arc((0.0, 0.0, 0.0), 11.0, 9.0, 10.0, quarter) == pytest.approx((50.0, -50.0, -math.pi / 2))


def test_exact_arcs_do_not_drift_when_time_is_cut_finely():
    pose = (0.0, 0.0, 0.0)
    for _ in range(10_000):
        pose = arc(pose, 9.0, 11.0, 10.0, 7.854 / 10_000)
    assert pose == pytest.approx(arc((0.0, 0.0, 0.0), 9.0, 11.0, 10.0, 7.854), abs=1e-9)


def test_mounted_parts_turn_with_the_robot():
    assert mounted((10.0, 10.0, math.pi / 2), 8.0, 2.0) == pytest.approx((8.0, 18.0))


HALF = round(0.5 * 255) / 255     # speed 0.5 as the Uno's 8-bit PWM gives it: 128/255


def _drive(kit, speeds, seconds):
    wheels = kit.motor_driver(left=LEFT, right=RIGHT)
    wheels.value = speeds
    started = kit.sim.world.now()
    kit.sleep(seconds)
    return wheels, kit.sim.world.now() - started


def test_the_firmware_drives_a_straight_line(tmp_path):
    with robot_kit(room(tmp_path, start=(50, 100, 0))) as (kit, robot):
        _, elapsed = _drive(kit, (0.5, 0.5), 2.0)
        assert elapsed == pytest.approx(2.0)
        x, y, heading = robot.pose
        assert (x, y, heading) == pytest.approx((50 + 40.0 * HALF * elapsed, 100.0, 0.0))


def test_the_firmware_spins_the_robot_on_the_spot(tmp_path):
    with robot_kit(room(tmp_path, start=(150, 100, 0))) as (kit, robot):
        _, elapsed = _drive(kit, (-0.5, 0.5), 0.5)
        x, y, heading = robot.pose
        assert (x, y) == pytest.approx((150.0, 100.0))
        assert heading == pytest.approx(math.degrees(2 * 40.0 * HALF / 13.0 * elapsed))


def test_the_firmware_drives_an_arc_of_known_radius(tmp_path):
    # PWM duties 0.2 and 0.6 (exact in 8 bits): v = 16 cm/s, w = 16/13 rad/s, radius 13 cm
    with robot_kit(room(tmp_path, start=(150, 60, 0))) as (kit, robot):
        _, elapsed = _drive(kit, (0.2, 0.6), 1.0)
        theta = 16.0 / 13.0 * elapsed
        x, y, heading = robot.pose
        assert (x, y) == pytest.approx((150 + 13.0 * math.sin(theta), 60 + 13.0 * (1 - math.cos(theta))), abs=1e-6)
        assert heading == pytest.approx(math.degrees(theta))


def test_the_path_is_sampled_every_50_ms_and_stops_when_frozen(tmp_path):
    with robot_kit(room(tmp_path, start=(50, 100, 0))) as (kit, robot):
        wheels, _ = _drive(kit, (0.5, 0.5), 1.0)
        robot.body.freeze()
        wheels.forward(1.0)
        kit.sleep(0.5)
        samples = robot.body.samples
        gaps = {round(b.t - a.t, 3) for a, b in zip(samples[1:-2], samples[2:-1])}
        assert gaps == {0.05}
        assert robot.pose[0] == pytest.approx(samples[-1].x)
