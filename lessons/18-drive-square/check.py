"""Checker of lesson 18: the robot drives round the square on the floor of the square room.

It must pass the three other corners in order (lower right, upper right, upper left: turning left
each time), come back to the start, touch nothing, and stand still at the end. Graded on the
simulated robot's path (makerkit.lessons_runner.robot_checks); the findings say which corner was
missed and where the robot went instead.
"""

from makerkit.lessons_runner import robot_checks as rc


def check(run):
    if run.robot is None:
        return [run.needs_sim("the robot's path round the square", "小车绕正方形开过的路线")]
    if not run.devices_of("motor_driver"):
        return [run.fail("Your program never set up the motor driver.", "你的程序没有创建电机驱动。",
                         "Add: wheels = kit.motor_driver(left=(...), right=(...)) as in the starter.",
                         "像初始程序那样加上：wheels = kit.motor_driver(left=(...), right=(...))")]
    return [rc.checkpoints_in_order(run, then="home"), rc.no_collision(run), rc.stopped_at_end(run)]
