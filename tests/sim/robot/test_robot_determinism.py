"""Determinism: the same program on two fresh virtual kits gives the identical path, contacts and
sensor readings, sample for sample (the robot moves on the virtual clock only)."""

from support.robot_world import LEFT, RIGHT, robot_kit

from makerkit.catalog.arenas import arena_path
from makerkit.catalog.robot_spec import SonarMount


def _wander(kit, seconds: float) -> list[float]:
    """Drive ahead; closer than 25 cm to something, back off and turn: a program that reacts to
    what it measures, so any difference between two runs would grow."""
    wheels = kit.motor_driver(left=LEFT, right=RIGHT)
    sonar = kit.distance_sensor("D9", "D10")
    bumper = kit.button("A0")
    seen = []
    end = kit.time() + seconds
    while kit.time() < end:
        cm = sonar.distance_cm
        seen.append(cm)
        if cm < 25 or bumper.is_pressed:
            wheels.backward(0.4)
            kit.sleep(0.3)
            wheels.right(0.5)
            kit.sleep(0.35)
        else:
            wheels.value = (0.6, 0.55)
            kit.sleep(0.05)
    wheels.stop()
    return seen


def _run():
    sonar = (SonarMount("trig", "echo", x=8.0, cone=15.0),)
    with robot_kit(arena_path("obstacle-field"), sonars=sonar) as (kit, robot):
        seen = _wander(kit, 20.0)
        robot.body.freeze()
        return robot.body.samples, robot.body.events, robot.hits(), seen


def test_two_runs_of_the_same_program_give_the_same_path():
    first, second = _run(), _run()
    samples, events, hits, seen = first
    assert len(samples) > 300 and len(set((round(s.x), round(s.y)) for s in samples)) > 100
    assert first == second
