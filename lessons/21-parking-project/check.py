"""Checker of lesson 21 (project): the robot parks itself in the garage bay.

Within 40 seconds the robot's middle must be in the parking space (close to the back wall), it must
stand still there at the end, and it must touch nothing, walls of the bay included. How it gets
there is the team's design: the checker grades only the outcome, on the simulated robot's path
(makerkit.lessons_runner.robot_checks), and says where it ended and what it touched.

On a real kit the host does not see the garage, but it knows every distance the program read and
every command it sent to the motors, with their times (makerkit.lessons_runner.robot_commands):
there the checker grades the outcome it can: the robot drove towards the wall, and once the
distance ahead read less than 10 cm it stopped and stayed stopped. If nothing came that close while
the check ran, that is said, not passed; where it parked and what it touched needs the virtual kit.
"""

from makerkit.lessons_runner import robot_checks as rc
from makerkit.lessons_runner import robot_commands as rcmd

PARK_S = 40
STOP_CM = 10       # nearer than this to the wall the robot must stand still


def check(run):
    if not run.devices_of("motor_driver"):
        return [run.fail("Your program never set up the motor driver.", "你的程序没有创建电机驱动。",
                         "Add: wheels = kit.motor_driver(left=(...), right=(...)) as in the starter.",
                         "像初始程序那样加上：wheels = kit.motor_driver(left=(...), right=(...))")]
    if run.robot is None:
        return [_parks(run), run.needs_sim("where the robot drove and parked", "小车开过的路线和停车的位置")]
    return [rc.goal_reached(run, "bay", within=PARK_S, stop_inside=True), rc.no_collision(run),
            rc.stopped_at_end(run)]


# --- on a real kit: did it stop at the wall? ----------------------------------------------------------

def _still(move):
    """Neither wheel drives forwards (stopped, or backing up to park)."""
    return move.left <= 0 and move.right <= 0


def _parks(run):
    found = rcmd.moves(run)
    close = [ep for ep in rcmd.episodes(run.readings_of("distance_cm", "distance_sensor"), lambda cm: cm < STOP_CM, run)
             if ep.state]
    if not close:
        return run.skip(f"The distance ahead never read less than {STOP_CM} cm while the check ran, so parking was "
                        "not checked: let the robot drive up to a wall (or hold a box in front of it) during the check.",
                        f"检查时前方的距离一直没有小于 {STOP_CM} 厘米，所以没有检查停车：检查时让小车开到墙前"
                        "（或者用盒子挡在它前面）。")
    first = close[0]
    if not any(m.left + m.right > 0 for m in found if m.start < first.start):
        return run.fail("Your robot never drove towards the wall.", "你的小车一直没有朝墙开过去。",
                        "Drive forwards until the wall is close, then stop: wheels.forward(SPEED)",
                        "先往前开，到墙前再停车：wheels.forward(SPEED)")
    stopped = rcmd.answer(found, first, _still)
    if stopped is None and not rcmd.judged(first):
        return run.skip(f"The wall came close only at {first.start:.1f} s, as the check ended, so parking was not "
                        "checked: start the check again.",
                        f"墙到第 {first.start:.1f} 秒才离得很近，这时检查已经结束了，所以没有检查停车：请再检查一次。")
    if stopped is None:
        said_en, said_zh = (rcmd.during(found, first.start, first.end) or found[-1:])[0].said()
        return run.fail(f"At {first.start:.1f} s the wall was {first.first:.0f} cm ahead, but the robot drove on "
                        f"({said_en}).",
                        f"第 {first.start:.1f} 秒墙就在前方 {first.first:.0f} 厘米，可是小车还在往前开（{said_zh}）。",
                        "Stop when the wall is close: if sonar.distance_cm < STOP_CM: wheels.stop()",
                        "离墙很近时就停车：if sonar.distance_cm < STOP_CM: wheels.stop()")
    again = next((m for m in found if stopped.start < m.start < first.end and not _still(m)), None)
    if again is not None:
        said_en, said_zh = again.said()
        return run.fail(f"The robot stopped at the wall, but at {again.start:.1f} s, still less than {STOP_CM} cm from "
                        f"it, it drove on again ({said_en}).",
                        f"小车在墙前停下了，可是第 {again.start:.1f} 秒离墙还不到 {STOP_CM} 厘米时又往前开了（{said_zh}）。",
                        "Once parked, stay parked: stop the wheels and end the loop (break).",
                        "停好以后就不要再动：停下轮子，并结束循环（break）。")
    return run.ok(f"The robot drove up to the wall and stopped when it read {first.first:.0f} cm ahead, and stayed "
                  "stopped.",
                  f"小车开到墙前，读到前方 {first.first:.0f} 厘米时停了下来，并且一直停着。")
