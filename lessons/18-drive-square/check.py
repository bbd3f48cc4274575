"""Checker of lesson 18: the robot drives round the square on the floor of the square room.

On the virtual kit it must pass the three other corners in order (lower right, upper right, upper
left: turning left each time), come back to the start, touch nothing, and stand still at the end.
Graded on the simulated robot's path (makerkit.lessons_runner.robot_checks); the findings say which
corner was missed and where the robot went instead.

On a real kit the host does not see the floor, but it knows every command the program sent to the
motor driver, with its time (makerkit.lessons_runner.robot_commands): there the checker grades the
moves: four sides straight ahead, each followed by a left turn (a spin on the spot, or round one wheel), all sides as long and
as fast as the first, all corners alike, and the wheels stopped at the end. A square the check saw
only in part (its time ran out) is said, not passed. The path itself needs the virtual kit.
"""

from makerkit.lessons_runner import robot_checks as rc
from makerkit.lessons_runner import robot_commands as rcmd

SIDES = 4
TIME_TOLERANCE = 0.25   # seconds a side (or a corner) may last longer or shorter than the first
SPEED_TOLERANCE = 0.05
SIDE_FIX = ("Drive every side with wheels.forward(SPEED), then kit.sleep(SIDE_S).",
            "每条边都用 wheels.forward(SPEED)，再 kit.sleep(SIDE_S)。")
CORNER_FIX = ("Turn every corner with wheels.left(SPEED) (left wheel back, right wheel forward), then "
              "kit.sleep(TURN_S).",
              "每个角都用 wheels.left(SPEED)（左轮向后、右轮向前），再 kit.sleep(TURN_S)。")
LOOP_FIX = ("Put \"drive, then turn\" into a loop: for side in range(4): ... and end with wheels.stop().",
            "把“直行，再转弯”放进循环：for side in range(4): ……，最后写 wheels.stop()。")


def check(run):
    if not run.devices_of("motor_driver"):
        return [run.fail("Your program never set up the motor driver.", "你的程序没有创建电机驱动。",
                         "Add: wheels = kit.motor_driver(left=(...), right=(...)) as in the starter.",
                         "像初始程序那样加上：wheels = kit.motor_driver(left=(...), right=(...))")]
    if run.robot is None:
        return [*_moves_sent(run), run.needs_sim("the robot's path round the square", "小车绕正方形开过的路线")]
    return [rc.checkpoints_in_order(run, then="home"), rc.no_collision(run), rc.stopped_at_end(run)]


# --- on a real kit: the moves the program sent ------------------------------------------------------

def _name(i):
    n = i // 2 + 1
    return (f"side {n}", f"第 {n} 条边") if i % 2 == 0 else (f"corner {n}", f"第 {n} 个角")


def _moves_sent(run):
    found = rcmd.moves(run)
    steps = [m for m in found if m.kind != "stop"]          # the stops between moves are pauses
    cut = run.ended == "budget"                            # the check's time ran out, not the program
    partial = cut and bool(steps) and steps[-1] is found[-1]
    whole = steps[:-1] if partial else steps               # the last move, cut by the check's end, is not whole
    wrong = _wrong_move(run, steps[:2 * SIDES], whole)
    if wrong is not None:
        return [wrong]
    if len(steps) > 2 * SIDES:
        extra = steps[2 * SIDES]
        said_en, said_zh = extra.said()
        return [run.fail(f"After four sides and four corners the robot moved again at {extra.start:.1f} s: {said_en}.",
                         f"四条边、四个角走完以后，第 {extra.start:.1f} 秒小车又动了：{said_zh}。",
                         "End after the loop with wheels.stop(), and put no `while True:` around it.",
                         "循环结束后写 wheels.stop()，外面不要再套 `while True:`。")]
    if len(whole) == 2 * SIDES:
        return [_square_done(run, whole, found)]
    return _not_finished(run, whole, cut, partial)


def _wrong_move(run, steps, whole):
    """The first move that is not what a square needs (kind, speed or length), as a failed finding."""
    for i, move in enumerate(steps):
        name_en, name_zh = _name(i)
        side = i % 2 == 0
        fix_en, fix_zh = SIDE_FIX if side else CORNER_FIX
        said_en, said_zh = move.said()
        if not (move.drives_forward if side else (move.steers_left and move.right > 0)):
            what_en, what_zh = ("straight ahead", "直行") if side else ("a left turn", "向左转")
            return run.fail(f"Move {i + 1} ({name_en}) should be {what_en}; but from {move.start:.1f} s it was: {said_en}.",
                            f"第 {i + 1} 个动作（{name_zh}）应该是{what_zh}；可是从第 {move.start:.1f} 秒起是：{said_zh}。",
                            fix_en, fix_zh)
        first = steps[i % 2]
        if i >= 2 and abs(move.right - first.right) > SPEED_TOLERANCE:
            return run.fail(f"The {name_en} was driven at {abs(move.right):.0%}, the first at {abs(first.right):.0%}: "
                            "every side (and every corner) needs the same speed.",
                            f"{name_zh}的速度是 {abs(move.right):.0%}，第一个却是 {abs(first.right):.0%}：每条边（每个角）的速度要一样。",
                            "Use the same SPEED every time.", "每次都用同一个 SPEED。")
        if i >= 2 and move in whole and abs(move.seconds - first.seconds) > TIME_TOLERANCE:
            return run.fail(f"The {name_en} lasted {move.seconds:.2f} s, the first {first.seconds:.2f} s: every side "
                            "(and every corner) must last as long as the first.",
                            f"{name_zh}持续了 {move.seconds:.2f} 秒，第一个是 {first.seconds:.2f} 秒：每条边（每个角）的时间要一样长。",
                            "Wait with the same kit.sleep(SIDE_S) after every side and kit.sleep(TURN_S) after every corner.",
                            "每条边之后都用同一个 kit.sleep(SIDE_S)，每个角之后都用同一个 kit.sleep(TURN_S)。")
    return None


def _square_done(run, whole, found):
    side, corner = whole[0], whole[1]
    if found[-1].kind != "stop":
        return run.fail("After the square the wheels never stopped.", "走完正方形以后，轮子一直没有停下来。",
                        "End the program with wheels.stop().", "在程序最后写 wheels.stop()。")
    degrees = rcmd.turn_degrees(run, corner)
    return run.ok(f"Your program drove 4 sides of {side.seconds:.1f} s at {side.right:.0%} and 4 left turns of "
                  f"{corner.seconds:.2f} s, then stopped. On the lesson's robot a turn like that is about "
                  f"{degrees:.0f}°; tune TURN_S on your floor until your robot turns 90°.",
                  f"你的程序走了 4 条边（每条 {side.seconds:.1f} 秒，速度 {side.right:.0%}）和 4 次左转（每次 "
                  f"{corner.seconds:.2f} 秒），然后停下了。在课程的小车上这样转大约是 {degrees:.0f}°；"
                  "在你们的地面上调整 TURN_S，直到你的小车正好转 90°。")


def _not_finished(run, whole, cut, partial):
    sides, corners = (len(whole) + 1) // 2, len(whole) // 2
    if not cut:
        return [run.fail(f"Your program drove {sides} side(s) and {corners} corner(s), then ended: a square has "
                         "four of each.",
                         f"你的程序走了 {sides} 条边、{corners} 个角就结束了：正方形有四条边、四个角。", *LOOP_FIX)]
    now_en, now_zh = _name(len(whole))
    when_en, when_zh = ("during", "当时正在走") if partial else ("before", "当时还没开始走")
    so_far_en = f" What it saw was right: {sides} straight side(s) and {corners} left turn(s)." if whole else ""
    so_far_zh = f"看到的动作是对的：{sides} 条直行的边、{corners} 次左转。" if whole else ""
    # a square seen in part is no square: said, not passed
    return [run.skip(f"The check ended after {run.elapsed:.1f} s, {when_en} {now_en}: the rest of the square was not "
                     f"seen.{so_far_en} The lesson's check watches for 30 s.",
                     f"检查在 {run.elapsed:.1f} 秒时结束了，{when_zh}{now_zh}：正方形剩下的部分没有看到。{so_far_zh}"
                     "课程的检查会看 30 秒。")]
