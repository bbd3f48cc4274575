"""Checker of lesson 21 (project): the robot parks itself in the garage bay.

Within 40 seconds the robot's middle must be in the parking space (close to the back wall), it must
stand still there at the end, and it must touch nothing, walls of the bay included. How it gets
there is the team's design: the checker grades only the outcome, on the simulated robot's path
(makerkit.lessons_runner.robot_checks), and says where it ended and what it touched.

On a real kit the host does not see the garage, but it knows every distance the program read and
every command it sent to the motors, with their times (makerkit.lessons_runner.robot_commands):
there the checker grades the outcome it can: the robot drove towards the wall and stood still at
the end with the wall inside the parking space as its sensor read it (2 to 30 cm ahead: the robot's
middle 10 to 38 cm from the back wall, as in the arena), and it never drove on once the wall was
less than 10 cm ahead. A robot that was still driving at the end without coming near a wall is
said, not passed; where it parked and what it touched needs the virtual kit.
"""

from makerkit.lessons_runner import robot_checks as rc
from makerkit.lessons_runner import robot_commands as rcmd

PARK_S = 40
STOP_CM = 10       # nearer than this to the wall the robot must stand still
SPACE_CM = (2, 30)  # the parking space as the sonar reads the back wall (the robot's middle 10-38 cm from it)


def check(run):
    if not run.devices_of("motor_driver"):
        return [run.fail("Your program never set up the motor driver.", "你的程序没有创建电机驱动。",
                         "Add: wheels = kit.motor_driver(left=(...), right=(...)) as in the starter.",
                         "像初始程序那样加上：wheels = kit.motor_driver(left=(...), right=(...))")]
    if run.robot is None:
        return [_parks(run), run.needs_sim("where the robot drove and parked", "小车开过的路线和停车的位置")]
    return [rc.goal_reached(run, "bay", within=PARK_S, stop_inside=True), rc.no_collision(run),
            rc.stopped_at_end(run)]


# --- on a real kit: where did it stop? ----------------------------------------------------------------

def _still(move):
    """Neither wheel drives forwards (stopped, or backing up to park)."""
    return move.left <= 0 and move.right <= 0


def _parks(run):
    found = rcmd.moves(run)
    sonar = run.readings_of("distance_cm", "distance_sensor")
    drove = next((m for m in found if m.left + m.right > 0), None)
    if drove is None:
        return run.fail("Your robot never drove towards the wall.", "你的小车一直没有朝墙开过去。",
                        "Drive forwards until the wall is close, then stop: wheels.forward(SPEED)",
                        "先往前开，到墙前再停车：wheels.forward(SPEED)")
    last = found[-1]
    if _still(last) and last.start > drove.start:
        return _stopped_at(run, last, sonar)
    close = [ep for ep in rcmd.episodes(sonar, lambda cm: cm < STOP_CM, run) if ep.state and rcmd.judged(ep)]
    if close:
        first = close[0]
        said_en, said_zh = (rcmd.during(found, first.start, first.end) or found[-1:])[0].said()
        return run.fail(f"At {first.start:.1f} s the wall was {first.first:.0f} cm ahead, but the robot drove on "
                        f"({said_en}).",
                        f"第 {first.start:.1f} 秒墙就在前方 {first.first:.0f} 厘米，可是小车还在往前开（{said_zh}）。",
                        "Stop when the wall is close: if sonar.distance_cm < STOP_CM: wheels.stop()",
                        "离墙很近时就停车：if sonar.distance_cm < STOP_CM: wheels.stop()")
    return run.skip(f"The robot was still driving when the check ended, and the distance ahead never read less than "
                    f"{STOP_CM} cm, so parking was not checked: let it drive up to a wall (or hold a box in front of "
                    "it) during the check.",
                    f"检查结束时小车还在开，前方的距离也一直没有小于 {STOP_CM} 厘米，所以没有检查停车：检查时让小车"
                    "开到墙前（或者用盒子挡在它前面）。")


def _stopped_at(run, stop, sonar):
    """The finding for a robot that stood still from ``stop.start`` to the end: where was the wall?"""
    before = [r.value for r in sonar if r.t <= stop.start + rcmd.GLITCH]
    after = [r.value for r in sonar if r.t > stop.start + rcmd.GLITCH]
    cm = after[0] if after else (before[-1] if before else None)
    near, far = SPACE_CM
    if cm is None:
        return run.fail("Your program never read the distance ahead.", "你的程序一直没有读取前方的距离。",
                        "Read it in the loop: cm = sonar.distance_cm", "在循环里读取距离：cm = sonar.distance_cm")
    if cm > far:
        shown = "no echo" if cm == float("inf") else f"{cm:.0f} cm"
        return run.fail(f"The robot stopped at {stop.start:.1f} s with the wall {shown} ahead: too far, the parking "
                        f"space ends {far} cm ahead of the sensor.",
                        f"小车在第 {stop.start:.1f} 秒停下时，墙在前方 {cm:.0f} 厘米：太远了，车位在传感器前方 {far} 厘米以内。",
                        f"Drive on until the sensor reads less than {far} cm, then stop.",
                        f"继续往前开，等传感器读数小于 {far} 厘米再停车。")
    if cm < near:
        return run.fail(f"The robot stopped with the wall only {cm:.0f} cm ahead: it is touching it, or nearly.",
                        f"小车停下时墙只在前方 {cm:.0f} 厘米：已经碰到墙了，或者差一点就碰到。",
                        "Stop a little earlier: a larger STOP_CM, or slow down when the wall is near.",
                        "早一点停车：把 STOP_CM 调大一点，或者离墙近的时候开慢一点。")
    return run.ok(f"The robot drove up to the wall and stopped {cm:.0f} cm before it (as its sensor read it): inside "
                  f"the parking space ({near}-{far} cm), and it stood still to the end.",
                  f"小车开到墙前，在离墙 {cm:.0f} 厘米（传感器的读数）的地方停了下来：在车位里（{near}-{far} 厘米），"
                  "并且一直停到最后。")
