"""Checker of lesson 17: a nearest-neighbour classifier trained on light and distance readings.

First the scenario shows six labelled examples, two seconds each, in the order of the program's
``EXAMPLES`` list (``away``: nobody at the desk; ``reading``: someone at the desk in the dark;
``sunny``: someone at the desk in bright light); the program measures each one and keeps it with
its label. Then the scenario shows eight new situations, none exactly like an example, and the
program must print its guess (``I think: reading``) and light the lamp only for ``reading``.

A classifier that compares only the light mixes up a dark empty room with a reader; one that
compares the distance in centimetres with the light from 0 to 1 hears only the distance and mixes up
a reader with the sun. The checker works out what each of those would have said, so its advice
points at the mistake the program made. On a real kit the situations are the class's own: the
checker looks at what it can (parts, guesses printed) and the grading needs the virtual kit.
"""

import re

SHOW = 2.0                     # seconds each situation is shown
FAR = 200.0                    # cm: distances are scaled by this (and capped at it)
REACT = 1.0                    # seconds the program may take to guess after the situation changed
LABELS = ("away", "reading", "sunny")
LABEL_RE = re.compile(r"\b(away|reading|sunny)\b", re.IGNORECASE)

# (light 0..1, distance cm, label, what it looks like in English, in Chinese)
EXAMPLES = (
    (0.80, 180, "away", "a bright room, nobody at the desk", "明亮的房间，桌前没有人"),
    (0.15, 35, "reading", "a dark room, someone reading at the desk", "昏暗的房间，有人在桌前看书"),
    (0.85, 40, "sunny", "sunshine on the desk, someone at it", "阳光照在桌上，有人在桌前"),
    (0.20, 170, "away", "a dark room, nobody at the desk", "昏暗的房间，桌前没有人"),
    (0.25, 45, "reading", "dusk, someone reading at the desk", "傍晚，有人在桌前看书"),
    (0.75, 30, "sunny", "a bright morning, someone at the desk", "明亮的早晨，有人在桌前"),
)
NEW = (
    (0.78, 175, "away"), (0.18, 40, "reading"), (0.82, 35, "sunny"), (0.24, 185, "away"),
    (0.20, 30, "reading"), (0.80, 45, "sunny"), (0.70, 160, "away"), (0.30, 38, "reading"),
)
TEST_START = SHOW * len(EXAMPLES)


def _windows():
    """The new situations: (start, end, light, cm, label)."""
    return [(TEST_START + i * SHOW, TEST_START + (i + 1) * SHOW, light, cm, label)
            for i, (light, cm, label) in enumerate(NEW)]


def scenario(run):
    light_pin = run.pin("light")

    def show(light, cm):
        return lambda w: (w.set_light(light, pin=light_pin), w.set_distance_cm(cm))

    for i, (light, cm, label, en, zh) in enumerate(EXAMPLES):
        run.at(i * SHOW, show(light, cm), f"example {i + 1}: {label} ({en})", f"示例 {i + 1}：{label}（{zh}）")
    for i, (start, _, light, cm, _) in enumerate(_windows()):
        run.at(start, show(light, cm), f"new situation {i + 1}: light {light:.0%}, {cm} cm",
               f"新情况 {i + 1}：光照 {light:.0%}，距离 {cm} 厘米")


def _nearest(light, cm, gap):
    return min(EXAMPLES, key=lambda ex: gap(light, cm, ex[0], ex[1]))[2]


def _scaled(l1, c1, l2, c2):
    return (l1 - l2) ** 2 + (min(c1, FAR) / FAR - min(c2, FAR) / FAR) ** 2


def _light_only(l1, c1, l2, c2):
    return abs(l1 - l2)


def _unscaled(l1, c1, l2, c2):
    return (l1 - l2) ** 2 + (c1 - c2) ** 2


def _guess_at(guesses, t):
    label = None
    for g_t, g_label in guesses:
        if g_t > t:
            break
        label = g_label
    return label


def _guesses(run):
    """(t, label) of every line printed after the training that names a label."""
    out = []
    for line in run.outputs:
        match = LABEL_RE.search(line.text)
        if match and line.t >= TEST_START:
            out.append((line.t, match.group(1).lower()))
    return out


def _advice(wrong):
    """The fix for the classifications that went wrong: which mistake explains them."""
    if all(_nearest(light, cm, _light_only) == said for _, light, cm, _, said in wrong):
        return ("Your classifier looks only at the light. Compare the distance too: "
                "gap = (reading[0] - light) ** 2 + (reading[1] - distance) ** 2",
                "你的分类器只看了光照。也要比较距离：gap = (reading[0] - light) ** 2 + (reading[1] - distance) ** 2")
    if all(_nearest(light, cm, _unscaled) == said for _, light, cm, _, said in wrong):
        return (f"Your classifier compares centimetres (0 to {FAR:g}) with light (0 to 1), so only the distance "
                f"counts. Divide the distance by {FAR:g} first, so both go from 0 to 1.",
                f"你的分类器把厘米（0 到 {FAR:g}）和光照（0 到 1）放在一起比，结果只有距离起作用。"
                f"先把距离除以 {FAR:g}，让两个数都在 0 到 1 之间。")
    return ("For each new reading, work out the gap to every example and answer the label of the example with "
            "the smallest gap (the nearest neighbour).",
            "对每个新的读数，算出它和每个示例之间的差距，回答差距最小的那个示例的标签（最近邻）。")


def _check_guesses(run, guesses):
    if not guesses:
        return [run.fail(
            "After the training your program printed no guess.", "训练结束以后，你的程序没有打印任何猜测。",
            'In the loop, print the label it finds: print("I think:", guess)',
            '在循环里把找到的标签打印出来：print("我猜 I think:", guess)')]
    wrong = []
    for start, end, light, cm, label in _windows():
        if end > run.elapsed + 1e-6:
            break
        said = _guess_at(guesses, end - 0.05)
        if said != label:
            wrong.append((start, light, cm, label, said))
    if not wrong:
        return [run.ok(f"All {len(NEW)} new situations were classified right.",
                       f"{len(NEW)} 个新情况都分类正确。")]
    start, light, cm, label, said = wrong[0]
    fix_en, fix_zh = _advice(wrong)
    return [run.fail(
        f"{len(NEW) - len(wrong)} of {len(NEW)} new situations were right. At {start:.0f} s (light {light:.0%}, "
        f"{cm} cm: {label}) your program said '{said}'.",
        f"{len(NEW)} 个新情况里对了 {len(NEW) - len(wrong)} 个。第 {start:.0f} 秒（光照 {light:.0%}，距离 {cm} 厘米："
        f"应该是 {label}），你的程序说的是“{said}”。", fix_en, fix_zh)]


def _check_lamp(run, guesses):
    """The lamp must follow the program's own guess (a wrong guess is _check_guesses' finding)."""
    pin = run.pin("lamp")
    for start, end, _, _, _ in _windows():
        if end > run.elapsed + 1e-6:
            break
        said = _guess_at(guesses, end - 0.05)
        lit = (run.level_at(pin, end - 0.05) or 0.0) >= 0.5
        if lit != (said == "reading"):
            state_en, state_zh = ("on", "亮着") if lit else ("off", "灭着")
            return [run.fail(
                f"At {start:.0f} s your program guessed '{said}', but the lamp was {state_en}.",
                f"第 {start:.0f} 秒你的程序猜的是“{said}”，可是台灯{state_zh}。",
                'Light the lamp only when the guess is "reading": if guess == "reading": lamp.on() else: lamp.off()',
                '只有猜测是 "reading" 时才开灯：if guess == "reading": lamp.on()，否则 lamp.off()')]
    return [run.ok("The lamp was on exactly while the guess was 'reading'.",
                   "只有猜测是“reading”的时候，台灯才亮。")]


def _check_parts(run):
    wanted = (("light_sensor", "the light sensor", "光线传感器", "light = kit.light_sensor(kit.pins.light)"),
              ("distance_sensor", "the distance sensor", "超声波传感器",
               "sonar = kit.distance_sensor(kit.pins.trigger, kit.pins.echo)"),
              ("led", "the lamp (LED)", "台灯（LED）", "lamp = kit.led(kit.pins.lamp)"))
    return [run.fail(f"Your program never set up {en}.", f"你的程序没有创建{zh}。",
                     f"Add at the start of main: {code}", f"在 main 的开头加上：{code}")
            for kind, en, zh, code in wanted if not run.devices_of(kind)]


def check(run):
    findings = _check_parts(run)
    if findings:
        return findings
    guesses = _guesses(run)
    if not run.is_sim:
        if not guesses:
            return _check_guesses(run, guesses)
        return [run.ok(f"Your program printed {len(guesses)} guesses.", f"你的程序打印了 {len(guesses)} 次猜测。"),
                run.needs_sim("whether the guesses are right for situations the checker knows",
                              "在检查程序知道答案的情况下，猜测是否正确")]
    findings = _check_guesses(run, guesses)
    if guesses:
        findings += _check_lamp(run, guesses)
    return findings
