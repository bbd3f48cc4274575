"""Checker of lesson 20: the robot follows the line once round the loop.

Its line sensors must never be more than 6 cm from the middle of the tape for more than 15 cm of
driving, and it must complete the lap (5.85 m) within 45 seconds. Graded on the simulated robot's
path (makerkit.lessons_runner.robot_checks); where it left the line is said in metres along the
track from the start, with the place and the bend it was near.
"""

from makerkit.lessons_runner import robot_checks as rc

LAP_S = 45          # seconds for one lap
MAX_OFF_CM = 15     # cm the robot may drive off the line before it finds it again


def check(run):
    if run.robot is None:
        return [run.needs_sim("where on the track the robot drove", "小车在赛道上开过的路线")]
    if len(run.devices_of("line_sensor", "analog_line_sensor")) < 2:
        return [run.fail("Your program did not set up both line sensors.", "你的程序没有创建两个巡线传感器。",
                         "Add: left = kit.line_sensor(p.line_left) and right = kit.line_sensor(p.line_right)",
                         "加上：left = kit.line_sensor(p.line_left) 和 right = kit.line_sensor(p.line_right)")]
    return [rc.stays_on_line(run, max_off_cm=MAX_OFF_CM), rc.lap(run, within=LAP_S), rc.no_collision(run)]
