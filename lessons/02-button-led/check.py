"""Checker of lesson 02: the LED is on exactly while the button is held down.

On the virtual kit the scenario presses the button (long presses, so a program that looks at the
button every half second still passes). On a real kit the checker uses the presses it saw: press
the button a few times while the check runs.
"""

PRESSES = ((1.0, 2.5), (4.0, 5.0), (6.5, 8.5))   # (press, release), seconds into the run
CYCLE = 10.0           # `lesson run --sim` repeats the presses every 10 s
REACT = 0.5            # the LED must follow within this many seconds


def scenario(run):
    pin = run.lesson_pin("button")
    horizon = run.seconds or 300.0
    start = 0.0
    while start < horizon:
        for down, up in PRESSES:
            if start + down < horizon:
                run.at(start + down, lambda w: w.press(run.pin("button")),
                       f"button {pin} pressed", f"按下按钮 {pin}")
                run.at(start + up, lambda w: w.release(run.pin("button")),
                       f"button {pin} released", f"松开按钮 {pin}")
        start += CYCLE


def _real_presses(run, pin):
    """Press windows seen on a real kit: from the kit's input reports, else the script's reads."""
    edges = [(e.t, e.level == 0) for e in run.inputs if e.pin == pin]
    if not edges:
        edges = [(r.t, bool(r.value)) for r in run.readings_of("is_pressed", "button")]
    windows, down, state = [], None, False
    for t, pressed in edges:
        if pressed and not state:
            down = t
        elif state and not pressed and down is not None:
            windows.append((down, t))
        state = pressed
    return [(d, u) for d, u in windows if u - d >= 2 * REACT]


def check(run):
    if not run.devices_of("button"):
        return [run.fail("Your program never set up the button.", "你的程序没有创建按钮。",
                         "Add: button = kit.button(kit.pins.button)", "加上这一句：button = kit.button(kit.pins.button)")]
    if not run.devices_of("led", "pwm_led"):
        return [run.fail("Your program never set up an LED.", "你的程序没有创建 LED。",
                         'Add: led = kit.led(kit.pins.led)', '加上这一句：led = kit.led(kit.pins.led)')]
    led, button = run.pin("led"), run.pin("button")
    if run.is_sim:
        presses = [(d, u) for d, u in PRESSES if u + REACT <= run.elapsed]
        if not presses:
            return [run.fail(
                f"Your program stopped after {run.elapsed:.1f} s, before the button was pressed.",
                f"你的程序只运行了 {run.elapsed:.1f} 秒就结束了，还没来得及按按钮。",
                "Put the lines that look at the button inside `while True:`.",
                "把检查按钮的几行放进 `while True:` 循环里。")]
    else:
        presses = _real_presses(run, button)
        if not presses:
            return [run.skip(
                f"No button press on {button} was seen. Run the check again and hold the button "
                "down for a second, a few times.",
                f"没有检测到 {button} 上的按钮被按下。请再检查一次，检查时把按钮按住一秒钟，多按几次。")]

    findings = []
    before = run.level_at(led, presses[0][0] - 0.05)
    if before:
        findings.append(run.fail(
            f"The LED on {led} was already on before the button was pressed.",
            f"按钮还没按下，{led} 上的 LED 就已经亮了。",
            "Only call led.on() inside `if button.is_pressed:`.",
            "只在 `if button.is_pressed:` 里面调用 led.on()。"))
    late_on = [d for d, _ in presses if not run.level_at(led, d + REACT)]
    if late_on:
        findings.append(run.fail(
            f"The button was pressed at {late_on[0]:.1f} s, but the LED on {led} did not light up.",
            f"第 {late_on[0]:.1f} 秒按下了按钮，但是 {led} 上的 LED 没有亮。",
            "Inside your loop: `if button.is_pressed:` then `led.on()`, and keep the wait short "
            "(kit.sleep(0.05)).",
            "在循环里写：`if button.is_pressed:`，下面一行 `led.on()`；等待时间要短一些（kit.sleep(0.05)）。"))
    else:
        findings.append(run.ok(f"The LED on {led} lit up each time the button on {button} was pressed.",
                               f"每次按下 {button} 上的按钮，{led} 上的 LED 都亮了。"))
    late_off = [u for _, u in presses if run.level_at(led, u + REACT)]
    if late_off:
        findings.append(run.fail(
            f"The button was let go at {late_off[0]:.1f} s, but the LED on {led} stayed on.",
            f"第 {late_off[0]:.1f} 秒松开了按钮，但是 {led} 上的 LED 还亮着。",
            "Add `else:` with `led.off()` under your `if`, so the light goes off when the button "
            "is not pressed.",
            "在 `if` 下面加上 `else:` 和 `led.off()`，这样没按按钮的时候灯就会熄灭。"))
    else:
        findings.append(run.ok(f"The LED went off each time the button was let go.",
                               "每次松开按钮，LED 都熄灭了。"))
    return findings
