"""Checker of lesson 10: a parking sensor that prints the distance in cm and beeps faster when closer.

On the virtual kit the scenario moves an obstacle in front of the HC-SR04 (80, 40, 15 and 60 cm).
Every printed distance must match where the obstacle was when the program measured it, and the
beeps (notes on the buzzer's pin, or the pin switched on) must come faster at a shorter distance.
On a real kit the printed distances are checked for their unit and range; the rest needs the
virtual kit.
"""

import re

STEPS = ((0.0, 80), (3.0, 40), (6.0, 15), (9.0, 60))   # (seconds, cm): the obstacle; then it repeats
PERIOD = 12.0
LAG = 0.25           # seconds a printed distance may be behind the obstacle (it measures every 50 ms)
TOLERANCE = 2.0      # cm
SETTLE = 0.5         # seconds after a move before the beeps are timed
FASTER = 0.85        # a closer obstacle's beeps come at most this fraction of a farther one's interval apart
CM = re.compile(r"(\d+(?:\.\d+)?)\s*(?:cm|厘米|公分)", re.IGNORECASE)
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def distance_at(t):
    """Where the obstacle is at ``t`` seconds (cm)."""
    t = t % PERIOD
    cm = STEPS[0][1]
    for start, d in STEPS:
        if start <= t:
            cm = d
    return cm


def scenario(run):
    horizon = run.seconds or 300.0
    start = 0.0
    while start < horizon:
        for t, cm in STEPS:
            if start + t < horizon:
                run.at(start + t, lambda w, cm=cm: w.set_distance_cm(cm),
                       f"an obstacle is {cm} cm in front of the sensor", f"传感器前方 {cm} 厘米处有障碍物")
        start += PERIOD


def _phases(run):
    """(start, end, cm) of every obstacle position the run lived through to its end."""
    out, cycle = [], 0.0
    while cycle < run.elapsed:
        for i, (t, cm) in enumerate(STEPS):
            end = cycle + (STEPS[i + 1][0] if i + 1 < len(STEPS) else PERIOD)
            if end <= run.elapsed + 1e-9:
                out.append((cycle + t, end, cm))
        cycle += PERIOD
    return out


def _printed(run):
    """[(t, cm)] from the printed lines, and the lines that carry a number without the unit."""
    values, bare = [], []
    for o in run.outputs:
        m = CM.search(o.text)
        if m:
            values.append((o.t, float(m.group(1))))
        elif NUMBER.search(o.text):
            bare.append(o.text.strip())
    return values, bare


def _beeps(run, pin):
    """Times a beep started: a note began on the pin, or the pin was switched on."""
    return [ev.t for ev in run.trace(pin) if ev.value and ev.kind in ("tone", "digital", "pwm")]


def _print_findings(run, values, bare):
    if not values and bare:
        return run.fail(f"The printed distances have no unit (for example: {bare[0][:40]!r}).",
                        f"打印出来的距离没有单位（例如：{bare[0][:40]!r}）。",
                        'Write the unit after the number: print(f"{cm:.0f} cm")',
                        '在数字后面写上单位：print(f"{cm:.0f} cm")')
    if not values:
        return run.fail("The program printed no distance.", "程序没有打印距离。",
                        'Print each measurement in centimetres: print(f"{cm:.0f} cm")',
                        '把每次测到的距离以厘米为单位打印出来：print(f"{cm:.0f} cm")')
    for t, cm in values:
        want = [distance_at(t), distance_at(max(0.0, t - LAG))]
        if all(abs(cm - w) > TOLERANCE for w in want):
            return run.fail(
                f"At {t:.1f} s the program printed {cm:g} cm, but the obstacle was {want[0]} cm away.",
                f"第 {t:.1f} 秒程序打印的是 {cm:g} 厘米，可是障碍物在 {want[0]} 厘米外。",
                "Measure again every time round the loop (cm = sonar.distance_cm inside `while True:`) "
                "and print that centimetre value.",
                "每次循环都重新测量（在 `while True:` 里写 cm = sonar.distance_cm），再打印这个厘米数。")
    for start, end, cm in _phases(run):
        if not any(start + LAG <= t < end for t, _ in values):
            return run.fail(
                f"While the obstacle was {cm} cm away ({start:.0f}-{end:.0f} s) the program printed no distance.",
                f"障碍物在 {cm} 厘米外的时候（第 {start:.0f}~{end:.0f} 秒），程序没有打印距离。",
                "Keep measuring and printing in a `while True:` loop; wait at most about 1 s each time.",
                "用 `while True:` 循环一直测量和打印；每次最多等 1 秒左右。")
    return run.ok(f"The {len(values)} printed distances matched the obstacle.",
                  f"打印出来的 {len(values)} 个距离都和障碍物的位置一致。")


def _pace(run, beeps, start, end):
    times = [t for t in beeps if start + SETTLE <= t < end]
    if len(times) < 2:
        return None
    return (times[-1] - times[0]) / (len(times) - 1)


def _beep_findings(run, pin):
    beeps = _beeps(run, pin)
    if not beeps:
        return run.fail("The buzzer never beeped.", "蜂鸣器一次也没有响。",
                        "Beep once every time round the loop: buzzer.play(880, 0.05)",
                        "每次循环响一声：buzzer.play(880, 0.05)")
    paces = {}
    for start, end, cm in _phases(run):
        pace = _pace(run, beeps, start, end)
        if pace is None:
            return run.fail(
                f"While the obstacle was {cm} cm away ({start:.0f}-{end:.0f} s) the buzzer beeped less than twice.",
                f"障碍物在 {cm} 厘米外的时候（第 {start:.0f}~{end:.0f} 秒），蜂鸣器响了不到两声。",
                "Beep every time round the loop, and keep the pause short: at most about 1 s.",
                "每次循环都响一声，间隔不要太长：最多 1 秒左右。")
        paces.setdefault(cm, pace)
    ordered = sorted(paces.items())
    for (near, near_pace), (far, far_pace) in zip(ordered, ordered[1:]):
        if near_pace > far_pace * FASTER:
            return run.fail(
                f"At {near} cm the beeps came every {near_pace:.2f} s, at {far} cm every {far_pace:.2f} s: "
                "closer should beep faster.",
                f"{near} 厘米时每 {near_pace:.2f} 秒响一声，{far} 厘米时每 {far_pace:.2f} 秒响一声：越近应该响得越快。",
                "Make the pause depend on the distance: kit.sleep(0.05 + min(cm, 100) / 100) "
                "(15 cm: 0.2 s, 100 cm: about 1 s).",
                "让间隔跟着距离变：kit.sleep(0.05 + min(cm, 100) / 100)（15 厘米约 0.2 秒，100 厘米约 1 秒）。")
    said = ", ".join(f"{cm} cm: {pace:.2f} s" for cm, pace in ordered)
    said_zh = "，".join(f"{cm} 厘米：{pace:.2f} 秒" for cm, pace in ordered)
    return run.ok(f"The closer the obstacle, the faster the beeps ({said}).",
                  f"障碍物越近，蜂鸣器响得越快（{said_zh}）。")


def _real_kit(run, values, bare):
    findings = []
    if values and not all(2 <= cm <= 400 for _, cm in values):
        findings.append(run.fail("Some printed distances are outside what an HC-SR04 measures (2-400 cm).",
                                 "有些打印出来的距离超出了 HC-SR04 的测量范围（2~400 厘米）。",
                                 "Print sonar.distance_cm (centimetres), not sonar.distance (metres).",
                                 "打印 sonar.distance_cm（厘米），不要打印 sonar.distance（米）。"))
    elif not values:
        findings.append(_print_findings(run, values, bare))
    else:
        findings.append(run.ok(f"The program printed {len(values)} distances in cm.",
                               f"程序打印了 {len(values)} 个以厘米为单位的距离。"))
    findings.append(run.needs_sim("whether the distances match the obstacle and the beeps speed up when it is closer",
                                  "距离是否和障碍物一致，越近是否响得越快"))
    return findings


def check(run):
    if not run.devices_of("distance_sensor"):
        return [run.fail("Your program never set up the distance sensor.", "你的程序没有创建超声波测距传感器。",
                         "Add: sonar = kit.distance_sensor(kit.pins.trigger, kit.pins.echo)",
                         "加上这一句：sonar = kit.distance_sensor(kit.pins.trigger, kit.pins.echo)")]
    if not run.devices_of("buzzer"):
        return [run.fail("Your program never set up the buzzer.", "你的程序没有创建蜂鸣器。",
                         "Add: buzzer = kit.buzzer(kit.pins.buzzer)", "加上这一句：buzzer = kit.buzzer(kit.pins.buzzer)")]
    values, bare = _printed(run)
    if not run.is_sim:
        return _real_kit(run, values, bare)
    return [_print_findings(run, values, bare), _beep_findings(run, run.pin("buzzer"))]
