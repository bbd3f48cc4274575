"""Checker of lesson 19: for 30 seconds the robot roams the obstacle field without touching anything.

It must drive (at least 3 m in all: standing still or spinning on the spot avoids nothing) and never
touch a box, a post or the fence. Graded on the simulated robot's path
(makerkit.lessons_runner.robot_checks); a touch is named with its time and place.
"""

from makerkit.lessons_runner import robot_checks as rc

AT_LEAST_CM = 300


def check(run):
    if run.robot is None:
        return [run.needs_sim("where the robot drove and what it touched", "小车开过的路线和碰到的东西")]
    if not run.devices_of("distance_sensor"):
        return [run.fail("Your program never set up the distance sensor.", "你的程序没有创建超声波传感器。",
                         "Add: sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)",
                         "加上：sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)")]
    return [rc.no_collision(run), rc.travelled(run, AT_LEAST_CM)]
