"""Checker of lesson 12: a servo gauge whose needle shows the knob's position on a 30°-150° dial.

On the virtual kit the scenario turns the potentiometer to a few positions; half a second after
each, the angle of the simulated servo (the part on the servo's pin, read from the pulses the
firmware sends) must be where the mapping puts it: 0 % -> 30°, 100 % -> 150°. On a real kit each
angle the program set is compared with the knob reading it had just taken.
"""

import weakref

POSITIONS = ((0.0, 0.0), (2.0, 0.25), (4.0, 1.0), (6.0, 0.5), (8.0, 0.8))   # (seconds, knob fraction)
PERIOD = 10.0
DIAL = (30.0, 150.0)   # degrees at 0 % and at 100 %
REACT = 0.5            # seconds the needle may take to get there
TOLERANCE = 3.0        # degrees
_SEEN = weakref.WeakKeyDictionary()   # run -> [(t, knob fraction, servo angle or None)]


def needle(fraction):
    """Where the needle should point for a knob at ``fraction`` (0..1)."""
    return DIAL[0] + fraction * (DIAL[1] - DIAL[0])


def scenario(run):
    seen = _SEEN.setdefault(run, [])
    horizon = run.seconds or 300.0
    start = 0.0
    while start < horizon:
        for t, pos in POSITIONS:
            if start + t >= horizon:
                continue
            run.at(start + t, lambda w, pos=pos: w.set_potentiometer(pos, pin=run.pin("knob")),
                   f"the knob is turned to {pos:.0%}", f"旋钮转到了 {pos:.0%}")
            run.at(start + t + REACT,
                   lambda w, t=start + t + REACT, pos=pos: seen.append((t, pos, w.part("servo", run.pin("servo")).angle)))
        start += PERIOD


def _wrong(run, servo, t, pos, angle):
    want = needle(pos)
    if angle is None:
        return run.fail(f"At {t:.1f} s the servo on {servo} got no signal: it was never given an angle.",
                        f"第 {t:.1f} 秒 {servo} 上的舵机没有收到信号：程序没有给它设置角度。",
                        "Inside the loop, set servo.angle from the knob's reading.",
                        "在循环里根据旋钮的读数设置 servo.angle。")
    if abs(angle - 180.0 * pos) <= TOLERANCE and abs(angle - want) > TOLERANCE:
        hint_en = (f"The needle uses the whole 0-180° range, but the dial goes from {DIAL[0]:.0f}° to {DIAL[1]:.0f}°. "
                   f"Map 0..1 onto {DIAL[0]:.0f}..{DIAL[1]:.0f}: servo.angle = map_range(knob.value, 0, 1, "
                   f"{DIAL[0]:.0f}, {DIAL[1]:.0f}), which is {DIAL[0]:.0f} + knob.value * ({DIAL[1]:.0f} - {DIAL[0]:.0f}).")
        hint_zh = (f"指针用了整个 0~180° 的范围，可是表盘只从 {DIAL[0]:.0f}° 到 {DIAL[1]:.0f}°。"
                   f"把 0~1 映射到 {DIAL[0]:.0f}~{DIAL[1]:.0f}：servo.angle = map_range(knob.value, 0, 1, "
                   f"{DIAL[0]:.0f}, {DIAL[1]:.0f})，也就是 {DIAL[0]:.0f} + knob.value * ({DIAL[1]:.0f} - {DIAL[0]:.0f})。")
    else:
        hint_en = ("Map the knob's 0..1 onto the dial's degrees with map_range(knob.value, 0, 1, "
                   f"{DIAL[0]:.0f}, {DIAL[1]:.0f}), and set servo.angle to it inside the loop.")
        hint_zh = (f"用 map_range(knob.value, 0, 1, {DIAL[0]:.0f}, {DIAL[1]:.0f}) 把旋钮的 0~1 映射成表盘的角度，"
                   "在循环里把它交给 servo.angle。")
    return run.fail(
        f"At {t:.1f} s the knob was at {pos:.0%}, so the needle should point at {want:.0f}°, "
        f"but the servo on {servo} was at {angle:.0f}°.",
        f"第 {t:.1f} 秒旋钮在 {pos:.0%}，指针应该指向 {want:.0f}°，可是 {servo} 上的舵机在 {angle:.0f}°。",
        hint_en, hint_zh)


def _real_kit(run, servo):
    knob = sorted(run.readings_of("value", "potentiometer"), key=lambda r: r.t)
    if not knob:
        return [run.fail("The program never read the knob.", "程序一次也没有读旋钮。",
                         "Read knob.value inside the loop.", "在循环里读取 knob.value。")]
    angles = run.output_levels(servo)
    if not angles:
        return [run.fail(f"The program never turned the servo on {servo}.", f"程序从来没有转动 {servo} 上的舵机。",
                         "Set servo.angle inside the loop.", "在循环里设置 servo.angle。")]
    for level in angles:
        before = [r for r in knob if r.t <= level.t]
        if before and abs(level.level * 180.0 - needle(before[-1].value)) > TOLERANCE:
            return [_wrong(run, servo, level.t, before[-1].value, level.level * 180.0)]
    return [run.ok(f"Every angle the program gave the servo on {servo} matched the knob reading before it.",
                   f"程序给 {servo} 上舵机的每个角度，都和它前一次读到的旋钮位置对得上。"),
            run.needs_sim("whether the needle follows the knob as it turns", "指针是否跟着旋钮转动")]


def check(run):
    if not run.devices_of("potentiometer"):
        return [run.fail("Your program never set up the knob.", "你的程序没有创建旋钮（电位器）。",
                         "Add: knob = kit.potentiometer(kit.pins.knob)", "加上这一句：knob = kit.potentiometer(kit.pins.knob)")]
    if not run.devices_of("servo"):
        return [run.fail("Your program never set up the servo.", "你的程序没有创建舵机。",
                         "Add: servo = kit.servo(kit.pins.servo)", "加上这一句：servo = kit.servo(kit.pins.servo)")]
    servo = run.pin("servo")
    if not run.is_sim:
        return _real_kit(run, servo)
    seen = [s for s in _SEEN.get(run, []) if s[0] <= run.elapsed]
    if not seen:
        return [run.fail(f"The program stopped after {run.elapsed:.1f} s, before the knob was turned.",
                         f"程序运行了 {run.elapsed:.1f} 秒就停了，还没等到转动旋钮。",
                         "Keep reading the knob in a `while True:` loop.", "用 `while True:` 循环一直读取旋钮。")]
    for t, pos, angle in seen:
        if angle is None or abs(angle - needle(pos)) > TOLERANCE:
            return [_wrong(run, servo, t, pos, angle)]
    return [run.ok(f"The needle on {servo} followed the knob through {len(seen)} positions "
                   f"({DIAL[0]:.0f}° to {DIAL[1]:.0f}°).",
                   f"{servo} 上的指针跟着旋钮转到了 {len(seen)} 个位置（{DIAL[0]:.0f}° 到 {DIAL[1]:.0f}°）。")]
