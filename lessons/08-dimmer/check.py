"""Checker of lesson 08: the LED's brightness follows the knob.

On the virtual kit the scenario turns the potentiometer to a few positions; after each the PWM duty
of the LED's pin must be close to the knob's position within half a second. On a real kit the
brightness the script set is compared with the knob readings it took.
"""

POSITIONS = ((0.0, 0.0), (2.0, 0.25), (4.0, 0.75), (6.0, 1.0), (8.0, 0.5))   # (seconds, fraction)
REACT = 0.5
TOLERANCE = 0.08


def scenario(run):
    for t, pos in POSITIONS:
        run.at(t, lambda w, pos=pos: w.set_potentiometer(pos, pin=run.pin("knob")),
               f"the knob is turned to {pos:.0%}", f"旋钮转到了 {pos:.0%}")


def check(run):
    if not run.devices_of("potentiometer"):
        return [run.fail("Your program never set up the knob.", "你的程序没有创建旋钮（电位器）。",
                         "Add: knob = kit.potentiometer(kit.pins.knob)", "加上这一句：knob = kit.potentiometer(kit.pins.knob)")]
    if not run.devices_of("pwm_led"):
        return [run.fail("Your LED cannot be dimmed: make it with kit.pwm_led().", "你的 LED 不能调亮度：要用 kit.pwm_led() 创建。",
                         "Write: led = kit.pwm_led(kit.pins.led)", "写成：led = kit.pwm_led(kit.pins.led)")]
    led = run.pin("led")
    if not run.is_sim:
        readings = run.readings_of("value", "potentiometer")
        if not readings:
            return [run.fail("The program never read the knob.", "程序一次也没有读旋钮。",
                             "Read knob.value inside the loop.", "在循环里读 knob.value。")]
        return [run.needs_sim("whether the brightness follows the knob as it turns", "亮度是否跟着旋钮变化")]
    checked = [(t, pos) for t, pos in POSITIONS if t + REACT <= run.elapsed]
    for t, pos in checked:
        got = run.level_at(led, t + REACT)
        got = 0.0 if got is None else got
        if abs(got - pos) > TOLERANCE:
            return [run.fail(
                f"At {t + REACT:.1f} s the knob was at {pos:.0%}, but the LED on {led} shone at {got:.0%}.",
                f"第 {t + REACT:.1f} 秒旋钮在 {pos:.0%}，可是 {led} 上的 LED 亮度是 {got:.0%}。",
                "Inside the loop, read the knob and give its value to the LED: led.value = knob.value.",
                "在循环里读取旋钮，把它的值交给 LED：led.value = knob.value。")]
    return [run.ok(f"The LED on {led} followed the knob through {len(checked)} positions.",
                   f"{led} 上的 LED 跟着旋钮变化了 {len(checked)} 次。")]
