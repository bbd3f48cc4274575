"""Checker of lesson 21 (project): the robot parks itself in the garage bay.

Within 40 seconds the robot's middle must be in the parking space (close to the back wall), it must
stand still there at the end, and it must touch nothing, walls of the bay included. How it gets
there is the team's design: the checker grades only the outcome, on the simulated robot's path
(makerkit.lessons_runner.robot_checks), and says where it ended and what it touched.
"""

from makerkit.lessons_runner import robot_checks as rc

PARK_S = 40


def check(run):
    if run.robot is None:
        return [run.needs_sim("where the robot drove and parked", "小车开过的路线和停车的位置")]
    if not run.devices_of("motor_driver"):
        return [run.fail("Your program never set up the motor driver.", "你的程序没有创建电机驱动。",
                         "Add: wheels = kit.motor_driver(left=(...), right=(...)) as in the starter.",
                         "像初始程序那样加上：wheels = kit.motor_driver(left=(...), right=(...))")]
    return [rc.goal_reached(run, "bay", within=PARK_S, stop_inside=True), rc.no_collision(run),
            rc.stopped_at_end(run)]
