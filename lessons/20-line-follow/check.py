"""Checker of lesson 20: the robot follows the line once round the loop.

Its line sensors must never be more than 6 cm from the middle of the tape for more than 15 cm of
driving, and it must complete the lap (5.85 m) within 45 seconds. Graded on the simulated robot's
path (makerkit.lessons_runner.robot_checks); where it left the line is said in metres along the
track from the start, with the place and the bend it was near.

On a real kit the host does not see the track, but it knows what the two line sensors saw (the
levels the kit reported on their pins) and every command the program sent to the motors, with
their times
(makerkit.lessons_runner.robot_commands): there the checker grades the steering. While only the
left sensor sees the line the robot must steer left (the right wheel faster), while only the right
one does it must steer right, and otherwise it must drive on. A side that never saw the line alone
is said, and then neither side is passed; where on the track the robot drove needs the virtual kit.
"""

from makerkit.lessons_runner import robot_checks as rc
from makerkit.lessons_runner import robot_commands as rcmd

LAP_S = 45          # seconds for one lap
MAX_OFF_CM = 15     # cm the robot may drive off the line before it finds it again
SIDES = {           # one sensor alone on the line: (state, side, other side, steers that way?, the starter's speeds)
    "left": ((True, False), ("left", "左"), ("right", "右"), lambda m: m.steers_left, "(TURN_SLOW, TURN_FAST)"),
    "right": ((False, True), ("right", "右"), ("left", "左"), lambda m: m.steers_right, "(TURN_FAST, TURN_SLOW)"),
}


def check(run):
    if len(run.devices_of("line_sensor", "analog_line_sensor")) < 2:
        return [run.fail("Your program did not set up both line sensors.", "你的程序没有创建两个巡线传感器。",
                         "Add: left = kit.line_sensor(p.line_left) and right = kit.line_sensor(p.line_right)",
                         "加上：left = kit.line_sensor(p.line_left) 和 right = kit.line_sensor(p.line_right)")]
    if run.robot is None:
        return [*_steering(run), run.needs_sim("where on the track the robot drove", "小车在赛道上开过的路线")]
    return [rc.stays_on_line(run, max_off_cm=MAX_OFF_CM), rc.lap(run, within=LAP_S), rc.no_collision(run)]


# --- on a real kit: how the program steered for what its sensors saw ----------------------------------

def _steering(run):
    found = rcmd.moves(run)
    name = "is_active" if run.devices_of("analog_line_sensor") else None    # else the levels the kit reported
    looks = rcmd.pair_episodes(run, run.lesson_pin("line_left"), run.lesson_pin("line_right"), name)
    findings = [_one_side(run, found, looks, side) for side in SIDES]
    if any(f.status == "skip" for f in findings):    # one side seen is no line follower yet: said, not passed
        findings = [run.skip(f.en, f.zh) if f.passed else f for f in findings]
    for ep in looks:
        if ep.state in ((True, True), (False, False)) and rcmd.judged(ep) and rcmd.answer(
                found, ep, lambda m: m.left + m.right > 0) is None:
            return [run.fail(f"At {ep.start:.1f} s the line was between the sensors, but the robot did not drive on.",
                             f"第 {ep.start:.1f} 秒黑线在两个传感器中间，可是小车没有往前开。",
                             "When neither sensor (or both) sees the line, go straight: wheels.value = (FAST, FAST)",
                             "两个传感器都看不到（或者都看到）黑线时直走：wheels.value = (FAST, FAST)")]
    return findings


def _one_side(run, found, looks, side):
    state, (en, zh), (other_en, other_zh), steers, speeds = SIDES[side]
    answered = 0
    for ep in looks:
        if ep.state != state:
            continue
        if rcmd.answer(found, ep, steers) is not None:
            answered += 1
        elif rcmd.judged(ep):
            said_en, said_zh = (rcmd.during(found, ep.start, ep.end) or found[-1:])[0].said()
            return run.fail(f"At {ep.start:.1f} s only the {en} sensor saw the line, but the robot did not steer "
                            f"{en} ({said_en}).",
                            f"第 {ep.start:.1f} 秒只有{zh}边的传感器看到黑线，可是小车没有向{zh}转（{said_zh}）。",
                            f"When only the {en} sensor sees the line, steer {en}: the {other_en} wheel faster, "
                            f"like wheels.value = {speeds}",
                            f"只有{zh}边的传感器看到黑线时向{zh}转：{other_zh}轮快一些，比如 wheels.value = {speeds}")
    if not answered:
        return run.skip(f"The {en} sensor never saw the line alone while the check ran, so steering {en} was not "
                        "checked: put the robot on the tape (or slide it across the tape by hand) during the check.",
                        f"检查时{zh}边的传感器一次也没有单独看到黑线，所以没有检查向{zh}转：检查时把小车放在黑线上"
                        "（或者用手把它推过黑线）。")
    count_en, count_zh = rcmd.times_text(answered)
    return run.ok(f"Each time only the {en} sensor saw the line ({count_en}) the robot steered {en}.",
                  f"每次只有{zh}边的传感器看到黑线（{count_zh}），小车都向{zh}转了。")
