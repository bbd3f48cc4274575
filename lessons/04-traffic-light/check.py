"""Checker of lesson 04: green, yellow, red in turn (3 s, 1 s, 3 s), one light at a time, again and again.

Graded from what the three pins did (the simulated pins on the virtual kit, what the script told
the LEDs on a real one): the order of the lights, how long each shone, and that never two shone at once.
"""

ORDER = ("green", "yellow", "red")
SECONDS = {"green": 3.0, "yellow": 1.0, "red": 3.0}
TOLERANCE = 0.3            # seconds
OVERLAP = 0.05             # two lights on together for longer than this is a fault
NAMES = {"green": ("green", "绿灯"), "yellow": ("yellow", "黄灯"), "red": ("red", "红灯")}


def _segments(run, pins):
    """[(start, end, lit colours)] over the run, from the three pins' levels."""
    times = sorted({0.0, run.elapsed} | {lv.t for p in pins.values() for lv in run.output_levels(p)})
    out = []
    for a, b in zip(times, times[1:]):
        lit = frozenset(c for c, p in pins.items() if (run.level_at(p, a) or 0) > 0)
        if out and out[-1][2] == lit:
            out[-1] = (out[-1][0], b, lit)
        elif b > a:
            out.append((a, b, lit))
    return out


def check(run):
    pins = {c: run.pin(c) for c in ORDER}
    if len(run.devices_of("led", "pwm_led")) < 3:
        return [run.fail("Your program did not set up three LEDs.", "你的程序没有创建三个 LED。",
                         "Make all three: red = kit.led(kit.pins.red), and the same for yellow and green.",
                         "三个灯都要创建：red = kit.led(kit.pins.red)，yellow 和 green 也一样。")]
    segments = _segments(run, pins)
    both = [(a, b, lit) for a, b, lit in segments if len(lit) > 1 and b - a > OVERLAP]
    if both:
        a, _, lit = both[0]
        en = " and ".join(NAMES[c][0] for c in ORDER if c in lit)
        zh = "和".join(NAMES[c][1] for c in ORDER if c in lit)
        return [run.fail(f"At {a:.1f} s the {en} lights were on together.", f"第 {a:.1f} 秒{zh}同时亮着。",
                         "Turn one light off before the next one goes on (show() does it for you).",
                         "下一个灯亮之前，先把上一个灯关掉（show() 会帮你做）。")]
    lights = [(a, b, next(iter(lit))) for a, b, lit in segments if len(lit) == 1]
    if not lights:
        return [run.fail("No light ever came on.", "一个灯都没有亮。", "Call show(kit, green, 3) inside while True:.",
                         "在 while True: 里调用 show(kit, green, 3)。")]
    findings = []
    for (a1, b1, c1), (a2, _, c2) in zip(lights, lights[1:]):
        want = ORDER[(ORDER.index(c1) + 1) % 3]
        if c2 != want and c2 != c1:
            findings.append(run.fail(
                f"After {NAMES[c1][0]} came {NAMES[c2][0]} at {a2:.1f} s; a traffic light shows {NAMES[want][0]} next.",
                f"第 {a2:.1f} 秒{NAMES[c1][1]}之后亮的是{NAMES[c2][1]}；红绿灯接下来应该是{NAMES[want][1]}。",
                f"Light them in the order green, yellow, red: add show(kit, {want}, {SECONDS[want]:g}) after show(kit, {c1}, ...).",
                f"按 绿灯、黄灯、红灯 的顺序亮：在 show(kit, {c1}, ...) 后面加上 show(kit, {want}, {SECONDS[want]:g})。"))
            break
    for a, b, c in lights:
        if b >= run.elapsed - 0.01:
            continue           # the last light was cut short by the end of the check
        if abs((b - a) - SECONDS[c]) > TOLERANCE:
            findings.append(run.fail(
                f"The {NAMES[c][0]} light shone for {b - a:.1f} s at {a:.1f} s; the lesson asks for {SECONDS[c]:g} s.",
                f"第 {a:.1f} 秒{NAMES[c][1]}亮了 {b - a:.1f} 秒；这节课要求亮 {SECONDS[c]:g} 秒。",
                f"Give show() the right number of seconds: show(kit, {c}, {SECONDS[c]:g}).",
                f"给 show() 正确的秒数：show(kit, {c}, {SECONDS[c]:g})。"))
            break
    greens = sum(1 for _, _, c in lights if c == "green")
    if greens < 2:
        findings.append(run.fail(
            f"The green light came on only {greens} time(s) in {run.elapsed:.0f} s.",
            f"{run.elapsed:.0f} 秒里绿灯只亮了 {greens} 次。",
            "Put the three steps inside `while True:` so the lights go round and round.",
            "把三个步骤放进 `while True:`，让灯一轮一轮地亮下去。"))
    if not findings:
        findings.append(run.ok(
            f"Green, yellow and red came on in turn ({greens} rounds), one at a time, for 3 s, 1 s and 3 s.",
            f"绿灯、黄灯、红灯依次亮起（{greens} 轮），每次只亮一个，分别亮 3 秒、1 秒、3 秒。"))
    return findings
