"""The two-motor driver part: host class (makerkit.device.drive) and the wheel speeds its simulation
(makerkit.sim.parts.motor_driver) reports to a robot world."""

from __future__ import annotations

import pytest

import makerkit
from makerkit.errors import PinError, UsageError

LEFT, RIGHT = ("D7", "D8", "D5"), ("D12", "D11", "D6")   # (IN1, IN2, ENA on a PWM pin) per motor


@pytest.fixture
def kit():
    with makerkit.connect("sim://uno", clock="virtual") as kit:
        yield kit


def test_wheel_speeds_follow_the_driver(kit):
    wheels_sim = kit.sim.world.part("motor_driver", LEFT, RIGHT)
    wheels = kit.motor_driver(left=LEFT, right=RIGHT)
    assert wheels_sim.wheel_speeds() == (0.0, 0.0) and not wheels.is_active
    wheels.forward(0.5)
    kit.sleep(0.01)
    left, right = wheels_sim.wheel_speeds()
    assert left == pytest.approx(0.5, abs=0.01) and right == pytest.approx(0.5, abs=0.01)
    wheels.left(1.0)
    kit.sleep(0.01)
    assert wheels_sim.wheel_speeds() == (pytest.approx(-1.0), pytest.approx(1.0))
    wheels.value = (0.25, -0.75)
    kit.sleep(0.01)
    assert wheels_sim.wheel_speeds() == (pytest.approx(0.25, abs=0.01), pytest.approx(-0.75, abs=0.01))
    wheels.reverse()
    assert wheels.value == (-0.25, 0.75)
    wheels.stop()
    kit.sleep(0.01)
    assert wheels_sim.wheel_speeds() == (0.0, 0.0)


def test_closing_stops_both_wheels_and_frees_the_pins(kit):
    wheels_sim = kit.sim.world.part("motor_driver", LEFT, RIGHT)
    wheels = kit.motor_driver(LEFT, RIGHT)
    wheels.backward(1)
    kit.sleep(0.01)
    assert wheels_sim.wheel_speeds() == (-1.0, -1.0)
    wheels.close()
    kit.sleep(0.01)
    assert wheels_sim.wheel_speeds() == (0.0, 0.0)
    kit.led("D7")                                 # a freed pin


def test_two_pin_motors_on_pwm_pins(kit):
    wheels_sim = kit.sim.world.part("motor_driver", ("D5", "D6"), ("D9", "D10"))
    wheels = kit.motor_driver(left=("D5", "D6"), right=("D9", "D10"))
    wheels.right(0.5)
    kit.sleep(0.01)
    left, right = wheels_sim.wheel_speeds()
    assert left == pytest.approx(0.5, abs=0.01) and right == pytest.approx(-0.5, abs=0.01)


def test_mistakes_are_explained(kit):
    with pytest.raises(UsageError):
        kit.motor_driver(left="D7", right=RIGHT)
    with pytest.raises(PinError):
        kit.motor_driver(left=("D7", "D8", "D4"), right=RIGHT)      # D4 has no PWM
    kit.led("D7")                                                    # the failed driver holds nothing
    wheels = kit.motor_driver(left=("D2", "D8", "D5"), right=RIGHT)
    with pytest.raises(UsageError):
        wheels.value = (2, 0)
    with pytest.raises(UsageError):
        wheels.forward(-1)
