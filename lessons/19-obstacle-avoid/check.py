"""Checker of lesson 19: for 30 seconds the robot roams the obstacle field without touching anything.

It must drive (at least 3 m in all: standing still or spinning on the spot avoids nothing) and never
touch a box, a post or the fence. Graded on the simulated robot's path
(makerkit.lessons_runner.robot_checks); a touch is named with its time and place.

On a real kit the host does not see the room, but it knows every distance the program read and
every command it sent to the motors, with their times (makerkit.lessons_runner.robot_commands):
there the checker grades how the program answered what it read. Each time something came closer
than 20 cm the robot must turn away (or back off) instead of driving on; while the way was clear
(farther than 80 cm) it must drive forwards; each time the bumper was pressed it must back off (or
turn away). What was never seen (nothing came close, the bumper was never pressed) is said, not
passed, and without an answer to the sonar the bumper's is not passed either; where the robot drove and what it touched needs the virtual kit.
"""

from makerkit.lessons_runner import robot_checks as rc
from makerkit.lessons_runner import robot_commands as rcmd

AT_LEAST_CM = 300
CLOSE_CM = 20      # nearer than this the robot must turn away
CLEAR_CM = 80      # farther than this (or no echo) the way is clear: the robot must drive on


def check(run):
    if not run.devices_of("distance_sensor"):
        return [run.fail("Your program never set up the distance sensor.", "你的程序没有创建超声波传感器。",
                         "Add: sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)",
                         "加上：sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)")]
    if run.robot is None:
        return [*_answers(run), run.needs_sim("where the robot drove and what it touched", "小车开过的路线和碰到的东西")]
    return [rc.no_collision(run), rc.travelled(run, AT_LEAST_CM)]


# --- on a real kit: how the program answered what it read --------------------------------------------

def _turns_away(move):
    return move.steers_left or move.steers_right or move.kind == "backward"


def _answers(run):
    found = rcmd.moves(run)
    if not found or not any(m.kind != "stop" for m in found):
        return [run.fail("Your program never drove the wheels.", "你的程序一直没有让轮子转起来。",
                         "Drive on when the way is clear: wheels.forward(SPEED).",
                         "前方没有东西时就前进：wheels.forward(SPEED)。")]
    sonar = run.readings_of("distance_cm", "distance_sensor")
    findings = [_clear(run, found, sonar) or _close(run, found, sonar)]
    bumper = [r for r in run.readings_of("is_pressed", "button") if r.pin == run.lesson_pin("bumper")]
    if run.devices_of("button"):
        findings.append(_bumped(run, found, bumper))
    if findings[0].status == "skip":   # the bumper alone is no obstacle avoidance: said, not passed
        findings = [run.skip(f.en, f.zh) if f.passed else f for f in findings]
    return findings


def _clear(run, found, sonar):
    """A failed finding when the way was clear for a while and the robot never drove forwards."""
    for ep in rcmd.episodes(sonar, lambda cm: cm > CLEAR_CM, run):
        if ep.state and rcmd.judged(ep) and rcmd.answer(found, ep, lambda m: m.left > 0 and m.right > 0) is None:
            cm_en = "no echo" if ep.first == float("inf") else f"{ep.first:.0f} cm"
            cm_zh = "没有回声" if ep.first == float("inf") else f"{ep.first:.0f} 厘米"
            return run.fail(f"At {ep.start:.1f} s the way was clear (the sensor read {cm_en}), but the robot did "
                            "not drive forwards.",
                            f"第 {ep.start:.1f} 秒前方没有东西（传感器读到{cm_zh}），可是小车没有前进。",
                            "When nothing is close, drive on: else: wheels.forward(SPEED)",
                            "前方没有东西时就前进：else: wheels.forward(SPEED)")
    return None


def _close(run, found, sonar):
    close = [ep for ep in rcmd.episodes(sonar, lambda cm: cm < CLOSE_CM, run) if ep.state]
    answered = []
    for ep in close:
        if rcmd.answer(found, ep, _turns_away) is not None:
            answered.append(ep)
        elif rcmd.judged(ep):
            said_en, said_zh = (rcmd.during(found, ep.start, ep.end) or found[-1:])[0].said()
            return run.fail(f"At {ep.start:.1f} s the sensor read {ep.first:.0f} cm, but the robot did not turn away "
                            f"({said_en}).",
                            f"第 {ep.start:.1f} 秒传感器读到 {ep.first:.0f} 厘米，可是小车没有转开（{said_zh}）。",
                            "When something is close, spin away: if sonar.distance_cm < SAFE_CM: wheels.right(SPEED)",
                            "前方有东西时就原地转开：if sonar.distance_cm < SAFE_CM: wheels.right(SPEED)")
    if not answered:
        return run.skip(f"Nothing came closer than {CLOSE_CM} cm to the sensor while the check ran, so turning away "
                        "was not checked: hold a hand or a box in front of it during the check.",
                        f"检查时没有东西离传感器近于 {CLOSE_CM} 厘米，所以没有检查转弯：检查时用手或者盒子挡在它前面。")
    at = ", ".join(f"{ep.start:.1f}" for ep in answered[:5])
    count_en, count_zh = rcmd.times_text(len(answered))
    return run.ok(f"The robot drove on while the way was clear and turned away each time something came closer "
                  f"than {CLOSE_CM} cm ({count_en}, at {at} s).",
                  f"前方没有东西时小车一直前进；每次有东西近于 {CLOSE_CM} 厘米，它都转开了（{count_zh}，在第 {at} 秒）。")


def _bumped(run, found, bumper):
    presses = [ep for ep in rcmd.episodes(bumper, bool, run) if ep.state]
    if not presses:
        return run.skip("The bumper was never pressed while the check ran: press it once to see the robot back off.",
                        "检查时碰撞开关一次也没有被按下：按一下，看小车会不会倒车。")
    for ep in presses:
        held = rcmd.Episode(ep.start, max(ep.end, ep.start + rcmd.ANSWER_S), ep.state, ep.first)   # a tap is answered after it
        if rcmd.answer(found, held, _turns_away) is None:
            return run.fail(f"At {ep.start:.1f} s the bumper was pressed, but the robot did not back off.",
                            f"第 {ep.start:.1f} 秒碰撞开关被按下了，可是小车没有倒车。",
                            "When the bumper is pressed, back off, then turn: wheels.backward(SPEED); kit.sleep(0.4)",
                            "碰撞开关被按下时先倒车再转开：wheels.backward(SPEED); kit.sleep(0.4)")
    count_en, count_zh = rcmd.times_text(len(presses))
    return run.ok(f"Each time the bumper was pressed ({count_en}) the robot backed off.",
                  f"每次碰撞开关被按下（{count_zh}），小车都倒车了。")
