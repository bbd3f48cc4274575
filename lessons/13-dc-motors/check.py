"""Checker of lesson 13: two DC motors through a motor driver drive a test sequence.

Forward at full speed for 2 s, backward for 2 s, spin left for 1 s, spin right for 1 s, forward at
half speed for 2 s, then stop. The wheel speeds are worked out from the driver's input pins as they
really were (the simulated pins' levels and PWM duties on the virtual kit; what the host told the
kit on a real one): left = (IN1 - IN2) x ENA, right = (IN3 - IN4) x ENB. The run is cut into
moves where both speeds stay the same, and the moves are compared with the sequence step by step.
"""

STEP = 0.02            # seconds between looks at the pins
SPEED_TOLERANCE = 0.05
TIME_TOLERANCE = 0.25  # seconds either way for each move
GLITCH = 0.1           # moves shorter than this are the driver changing over, not moves
PAUSE = 0.6            # stops at most this long between two moves are allowed
SEQUENCE = (           # (left, right, seconds, English, Chinese)
    (1.0, 1.0, 2.0, "forward at full speed for 2 s", "全速前进 2 秒"),
    (-1.0, -1.0, 2.0, "backward at full speed for 2 s", "全速后退 2 秒"),
    (-1.0, 1.0, 1.0, "spin left for 1 s (left wheel backwards, right wheel forwards)",
     "原地左转 1 秒（左轮向后、右轮向前）"),
    (1.0, -1.0, 1.0, "spin right for 1 s (left wheel forwards, right wheel backwards)",
     "原地右转 1 秒（左轮向前、右轮向后）"),
    (0.5, 0.5, 2.0, "forward at half speed for 2 s", "半速前进 2 秒"),
)
ROLES = ("in1", "in2", "ena", "in3", "in4", "enb")
FIXES = {   # what to write for each step
    0: ("wheels.forward(1); kit.sleep(2)", "wheels.forward(1); kit.sleep(2)"),
    1: ("wheels.backward(1); kit.sleep(2)", "wheels.backward(1); kit.sleep(2)"),
    2: ("wheels.left(1); kit.sleep(1)", "wheels.left(1); kit.sleep(1)"),
    3: ("wheels.right(1); kit.sleep(1)", "wheels.right(1); kit.sleep(1)"),
    4: ("wheels.forward(0.5); kit.sleep(2)", "wheels.forward(0.5); kit.sleep(2)"),
}


def _level(run, pin, t):
    return run.level_at(pin, t) or 0.0


def _speeds(run, pins, t):
    in1, in2, ena, in3, in4, enb = pins
    left = (_level(run, in1, t) - _level(run, in2, t)) * _level(run, ena, t)
    right = (_level(run, in3, t) - _level(run, in4, t)) * _level(run, enb, t)
    return round(left, 2), round(right, 2)


def _spans(run, pins):
    """[[start, end, (left, right)]]: the run cut where the wheel speeds change."""
    spans = []
    times = [i * STEP for i in range(int(run.elapsed / STEP) + 1)]
    for t in times + [run.elapsed]:
        # the last look is at the end of the run: every change the program made counts, its last too
        speeds = _speeds(run, pins, t if t < run.elapsed else float("inf"))
        if spans and spans[-1][2] == speeds:
            spans[-1][1] = t
        else:
            spans.append([t, t, speeds])
    return spans


def _moves(run, pins):
    """[(start, end, left, right)]: spans of constant wheel speeds, with the driver's change-overs
    (glitches), what came before the first move and short pauses between moves left out."""
    spans = _spans(run, pins)
    moves = []
    for span in spans:
        if span[1] - span[0] < GLITCH and span is not spans[-1]:
            continue
        if moves and moves[-1][2] == span[2]:
            moves[-1][1] = span[1]
        else:
            moves.append(list(span))
    while len(moves) > 1 and moves[0][2] == (0.0, 0.0):
        moves.pop(0)
    kept = [m for i, m in enumerate(moves)
            if not (m[2] == (0.0, 0.0) and 0 < i < len(moves) - 1 and m[1] - m[0] <= PAUSE)]
    out = []
    for start, end, speeds in kept:     # a short pause left out joins the moves on both sides of it
        if out and out[-1][2:] == speeds:
            out[-1] = (out[-1][0], end, *speeds)
        else:
            out.append((start, end, *speeds))
    return out


def _wheel(speed):
    if speed == 0:
        return "stopped", "停着"
    way_en, way_zh = ("forwards", "向前") if speed > 0 else ("backwards", "向后")
    return f"{abs(speed):.0%} {way_en}", f"{way_zh} {abs(speed):.0%}"


def _said(left, right):
    (le, lz), (re_, rz) = _wheel(left), _wheel(right)
    return f"left wheel {le}, right wheel {re_}", f"左轮{lz}，右轮{rz}"


def _compare(run, moves):
    """The first step the moves got wrong, as a failed finding; None when all five were right."""
    for i, (left, right, seconds, en, zh) in enumerate(SEQUENCE):
        fix_en, fix_zh = FIXES[i]
        if i >= len(moves) or moves[i][2:] == (0.0, 0.0):
            after_en = f"after step {i}" if i else "at the start"
            after_zh = f"第 {i} 步之后" if i else "一开始"
            return run.fail(f"Step {i + 1} should be: {en}; but {after_en} the wheels stopped.",
                            f"第 {i + 1} 步应该是：{zh}；可是{after_zh}轮子就停了。",
                            f"Add step {i + 1}: {fix_en}", f"加上第 {i + 1} 步：{fix_zh}")
        start, end, got_l, got_r = moves[i]
        if abs(got_l - left) > SPEED_TOLERANCE or abs(got_r - right) > SPEED_TOLERANCE:
            said_en, said_zh = _said(got_l, got_r)
            return run.fail(f"Step {i + 1} should be: {en}; but from {start:.1f} s it was: {said_en}.",
                            f"第 {i + 1} 步应该是：{zh}；可是从第 {start:.1f} 秒起是：{said_zh}。",
                            f"Write step {i + 1} as: {fix_en}", f"第 {i + 1} 步要写成：{fix_zh}")
        if abs((end - start) - seconds) > TIME_TOLERANCE:
            return run.fail(f"Step {i + 1} ({en}) lasted {end - start:.1f} s instead of {seconds:g} s.",
                            f"第 {i + 1} 步（{zh}）持续了 {end - start:.1f} 秒，而不是 {seconds:g} 秒。",
                            f"Wait {seconds:g} s after starting it: {fix_en}", f"开始这一步之后等 {seconds:g} 秒：{fix_zh}")
    return None


def _stopped(run, moves):
    last = moves[-1] if moves else None
    if len(moves) > len(SEQUENCE) + 1 or (len(moves) == len(SEQUENCE) + 1 and last[2:] != (0.0, 0.0)):
        extra = moves[len(SEQUENCE)] if moves[len(SEQUENCE)][2:] != (0.0, 0.0) else moves[len(SEQUENCE) + 1]
        said_en, said_zh = _said(*extra[2:])
        return run.fail(f"After the five steps the robot moved again at {extra[0]:.1f} s: {said_en}.",
                        f"五步做完之后，第 {extra[0]:.1f} 秒机器人又动了：{said_zh}。",
                        "End with wheels.stop() and no more moves (no `while True:` around the steps).",
                        "最后写 wheels.stop()，后面不要再动（不要把这些步骤放进 `while True:` 循环）。")
    if last is None or last[2:] != (0.0, 0.0):
        return run.fail("After the five steps the wheels never stopped.", "五步做完之后，轮子一直没有停下来。",
                        "End the program with wheels.stop().", "在程序最后写 wheels.stop()。")
    return run.ok("The robot drove the whole test sequence and stopped: forward, backward, left, right, "
                  "slowly forward, stop.",
                  "机器人按顺序完成了整套测试动作并停了下来：前进、后退、左转、右转、慢速前进、停下。")


def check(run):
    drivers = run.devices_of("motor_driver")
    if not drivers:
        return [run.fail("Your program never set up the motor driver.", "你的程序没有创建电机驱动板。",
                         "Add: wheels = kit.motor_driver(left=(kit.pins.in1, kit.pins.in2, kit.pins.ena), "
                         "right=(kit.pins.in3, kit.pins.in4, kit.pins.enb))",
                         "加上这一句：wheels = kit.motor_driver(left=(kit.pins.in1, kit.pins.in2, kit.pins.ena), "
                         "right=(kit.pins.in3, kit.pins.in4, kit.pins.enb))")]
    pins = tuple(run.lesson_pin(role) for role in ROLES)
    used = drivers[-1].pin.split("+")
    if set(used) != set(pins):
        return [run.fail(f"Your motor driver uses the pins {', '.join(used)}, but the wiring table "
                         f"wires IN1, IN2, ENA, IN3, IN4, ENB to {', '.join(pins)}.",
                         f"你的电机驱动板用的是 {', '.join(used)} 引脚，可是接线表里 IN1、IN2、ENA、IN3、IN4、ENB "
                         f"接的是 {', '.join(pins)}。",
                         "Give the driver the table's pins, speed pins included: left=(kit.pins.in1, kit.pins.in2, "
                         "kit.pins.ena), right=(kit.pins.in3, kit.pins.in4, kit.pins.enb)",
                         "把接线表里的引脚交给驱动板，调速引脚也要：left=(kit.pins.in1, kit.pins.in2, kit.pins.ena)，"
                         "right=(kit.pins.in3, kit.pins.in4, kit.pins.enb)")]
    moves = _moves(run, pins)
    wrong = _compare(run, moves)
    if wrong is not None:
        return [wrong]
    return [_stopped(run, moves)]
