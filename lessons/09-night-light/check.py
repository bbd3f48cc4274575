"""Checker of lesson 09: the night light turns on when the room gets dark, off when it gets bright,
and never flickers on the way.

On the virtual kit the scenario dims the room slowly from bright to dark and brightens it again, with
noise on every reading (as a real light sensor has: a lamp's 50 Hz, a shadow passing). A program with
one threshold switches many times while the light wanders around it; one with two thresholds
(hysteresis) switches exactly once at dusk and once at dawn. On a real kit the checker looks for
quick flickering in what the program did, and needs the virtual kit for the rest.
"""

import random

BRIGHT, DARK = 0.80, 0.10      # the room's light level, 0..1, in daylight and at night
NOISE = 0.05                   # every reading wanders up to this much either way
STEP = 0.1                     # seconds between changes of the light
CYCLE = (                      # (start, end, what the light does), seconds; then it all repeats
    (0.0, 2.0, "day"), (2.0, 9.0, "dusk"), (9.0, 12.0, "night"), (12.0, 19.0, "dawn"), (19.0, 22.0, "day"))
PERIOD = CYCLE[-1][1]
REACT = 0.5                    # the LED must follow within this many seconds
QUICK = 0.5                    # on a real kit: two switches closer than this are a flicker
SEED = 9


def light_at(t):
    """The room's light level without the noise at ``t`` seconds."""
    t = t % PERIOD
    for start, end, phase in CYCLE:
        if start <= t < end:
            part = (t - start) / (end - start)
            if phase == "dusk":
                return BRIGHT + (DARK - BRIGHT) * part
            if phase == "dawn":
                return DARK + (BRIGHT - DARK) * part
            return DARK if phase == "night" else BRIGHT
    return BRIGHT


_SAYS = {"dusk": ("the room starts getting dark slowly", "房间开始慢慢变暗"),
         "night": ("it is night: the room is dark", "天黑了：房间很暗"),
         "dawn": ("the sun rises: the room gets bright slowly", "太阳升起来了：房间慢慢变亮"),
         "day": ("it is day: the room is bright", "白天了：房间很亮")}


def scenario(run):
    rng = random.Random(SEED)
    pin = run.lesson_pin("light")
    horizon = run.seconds or 300.0
    steps = int(horizon / STEP) + 1
    for i in range(steps):
        t = i * STEP
        value = min(1.0, max(0.0, light_at(t) + rng.uniform(-NOISE, NOISE)))
        run.at(t, lambda w, value=value: w.set_light(value, pin=run.pin("light")))
    for cycle in range(int(horizon // PERIOD) + 1):
        for start, _, phase in CYCLE[1:]:
            t = cycle * PERIOD + start
            if 0 < t < horizon:
                en, zh = _SAYS[phase]
                run.at(t, lambda w: None, f"{en} (light sensor on {pin})", f"{zh}（光线传感器接在 {pin}）")


def _is_on(run, led, t):
    level = run.level_at(led, t)
    return bool(level)


def _phases(run, name):
    """The (start, end) of every phase called ``name`` that the run lived through."""
    out, cycle = [], 0
    while cycle * PERIOD < run.elapsed:
        for start, end, phase in CYCLE:
            a, b = cycle * PERIOD + start, cycle * PERIOD + end
            if phase == name and b <= run.elapsed:
                out.append((a, b))
        cycle += 1
    return out


def _switches(run, led, a, b):
    """Times the LED went from off to on or on to off between ``a`` and ``b``."""
    out, was = [], _is_on(run, led, a)
    for lv in run.output_levels(led):
        if a < lv.t <= b and bool(lv.level) != was:
            was = bool(lv.level)
            out.append(lv.t)
    return out


def _held(run, led):
    """A failed finding when the LED was wrong in full daylight or at night, else None."""
    for name, want in (("night", True), ("day", False)):
        for a, b in _phases(run, name):
            t = a + REACT
            while t < b:
                if _is_on(run, led, t) != want:
                    if want:
                        return run.fail(
                            f"At {t:.1f} s the room was dark (light {light_at(t):.2f}), but the LED on {led} was off.",
                            f"第 {t:.1f} 秒房间很暗（光线 {light_at(t):.2f}），可是 {led} 上的 LED 是灭的。",
                            "Turn the LED on when light.value is below your DARK threshold: "
                            "if light.value < DARK: led.on()",
                            "光线读数低于 DARK 阈值时把灯打开：if light.value < DARK: led.on()")
                    return run.fail(
                        f"At {t:.1f} s the room was bright (light {light_at(t):.2f}), but the LED on {led} was on.",
                        f"第 {t:.1f} 秒房间很亮（光线 {light_at(t):.2f}），可是 {led} 上的 LED 还亮着。",
                        "Turn the LED off when light.value is above your BRIGHT threshold: "
                        "elif light.value > BRIGHT: led.off()",
                        "光线读数高于 BRIGHT 阈值时把灯关掉：elif light.value > BRIGHT: led.off()")
                t += STEP
    return None


def _flicker(run, led):
    """A failed finding for a dusk or dawn in which the LED switched more than once, else a pass."""
    ramps = [(a, b, "dusk") for a, b in _phases(run, "dusk")] + [(a, b, "dawn") for a, b in _phases(run, "dawn")]
    for a, b, name in sorted(ramps):
        times = _switches(run, led, a, b + REACT)
        if len(times) > 1:
            what_en, what_zh = ("got darker", "变暗") if name == "dusk" else ("got brighter", "变亮")
            return run.fail(
                f"While the room slowly {what_en} ({a:.0f}-{b:.0f} s) the LED switched {len(times)} times "
                f"between {times[0]:.1f} s and {times[-1]:.1f} s: it flickered.",
                f"房间慢慢{what_zh}的时候（第 {a:.0f}~{b:.0f} 秒），LED 在第 {times[0]:.1f} 秒到第 {times[-1]:.1f} 秒之间"
                f"开关了 {len(times)} 次：它在闪烁。",
                "The readings wander a little around one threshold. Use two: turn on below DARK (for example 0.3), "
                "turn off only above BRIGHT (for example 0.45), and in between leave the LED as it is. "
                "The gap must be wider than the wandering (about 0.1).",
                "读数会在一个阈值附近来回晃动。改用两个阈值：低于 DARK（比如 0.3）才开灯，高于 BRIGHT（比如 0.45）"
                "才关灯，在两者之间保持 LED 原来的样子不变。两个阈值的差要比晃动的幅度（大约 0.1）更大。")
    return run.ok(f"The LED on {led} switched once at dusk and once at dawn, without flickering.",
                  f"{led} 上的 LED 天黑时开了一次、天亮时关了一次，没有闪烁。")


def _real_kit(run, led):
    if not run.readings_of("value", "light_sensor"):
        return [run.fail("The program never read the light sensor.", "程序一次也没有读光线传感器。",
                         "Read light.value inside the loop.", "在循环里读取 light.value。")]
    times = [lv.t for lv in run.output_levels(led)]
    quick = [(a, b) for a, b in zip(times, times[1:]) if b - a < QUICK]
    findings = []
    if len(quick) >= 2:
        findings.append(run.fail(
            f"The LED on {led} switched {len(quick) + 1} times within half a second of each other "
            f"(from {quick[0][0]:.1f} s): it flickered.",
            f"{led} 上的 LED 在半秒之内连续开关了 {len(quick) + 1} 次（从第 {quick[0][0]:.1f} 秒开始）：它在闪烁。",
            "Use two thresholds: on below DARK, off only above BRIGHT, unchanged in between.",
            "改用两个阈值：低于 DARK 开灯，高于 BRIGHT 才关灯，中间保持不变。"))
    findings.append(run.needs_sim("whether the light turns on at dusk and off at dawn without flickering",
                                  "天黑时开灯、天亮时关灯，而且不闪烁"))
    return findings


def check(run):
    if not run.devices_of("light_sensor"):
        return [run.fail("Your program never set up the light sensor.", "你的程序没有创建光线传感器。",
                         "Add: light = kit.light_sensor(kit.pins.light)",
                         "加上这一句：light = kit.light_sensor(kit.pins.light)")]
    if not run.devices_of("led", "pwm_led"):
        return [run.fail("Your program never set up the LED.", "你的程序没有创建 LED。",
                         "Add: led = kit.led(kit.pins.led)", "加上这一句：led = kit.led(kit.pins.led)")]
    led = run.pin("led")
    if not run.is_sim:
        return _real_kit(run, led)
    if run.elapsed < CYCLE[2][0] + REACT:
        return [run.fail(f"The program stopped after {run.elapsed:.1f} s, before night came.",
                         f"程序运行了 {run.elapsed:.1f} 秒就停了，还没等到天黑。",
                         "Keep watching the light in a `while True:` loop.", "用 `while True:` 循环一直观察光线。")]
    held = _held(run, led)
    findings = [held] if held else [run.ok(f"The LED on {led} was on at night and off in daylight.",
                                           f"{led} 上的 LED 晚上亮、白天灭。")]
    findings.append(_flicker(run, led))
    return findings
