"""The shipped maze is solvable as its README says: a robot that keeps a wall on its right (one
HC-SR04 ahead, one looking right) reaches the goal without touching a wall."""

from support.robot_world import LEFT, RIGHT, UNO_PINS, robot_kit

from makerkit.catalog.arenas import arena_path
from makerkit.catalog.robot_spec import SonarMount


def _clamp(value: float) -> float:
    return max(-1.0, min(1.0, value))


def test_keeping_a_wall_on_the_right_reaches_the_maze_goal(monkeypatch):
    monkeypatch.setitem(UNO_PINS, "trig2", "A2")
    monkeypatch.setitem(UNO_PINS, "echo2", "A3")
    sonars = (SonarMount("trig", "echo", x=8.0, cone=20.0),
              SonarMount("trig2", "echo2", x=0.0, y=-7.0, angle=-90.0, cone=10.0))
    with robot_kit(arena_path("maze"), sonars=sonars) as (kit, robot):
        wheels = kit.motor_driver(left=LEFT, right=RIGHT)
        ahead, right = kit.distance_sensor("D9", "D10"), kit.distance_sensor("A2", "A3")
        goal = robot.arena.zone("goal").shape
        reached = None
        while kit.time() < 90 and reached is None:
            front, side = ahead.distance_cm, right.distance_cm
            if front < 18:                              # a wall ahead: turn left on the spot
                wheels.value = (-0.35, 0.35)
            elif side > 38:                             # the right-hand wall ends: follow it round
                wheels.value = (0.45, 0.12)
            else:                                       # keep 18 cm from the right-hand wall
                error = side - 18
                wheels.value = (_clamp(0.4 + 0.03 * error), _clamp(0.4 - 0.03 * error))
            kit.sleep(0.02)
            x, y, _ = robot.pose
            if goal.contains(x, y):
                reached = kit.time()
        assert reached is not None and reached < 60, robot.pose
        assert robot.body.events == []
