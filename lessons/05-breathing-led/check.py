"""Checker of lesson 05: the LED fades up and down smoothly, again and again.

Graded from the PWM duty of the pin (the simulated pin on the virtual kit, the values the script set
on a real one): many brightness levels, no big jump (a dark-all-at-once drop is one), and at least two
full breaths in the checked seconds.
"""

MIN_LEVELS = 8          # different brightness levels seen
MAX_JUMP = 0.25         # the largest change of brightness in one step that still looks smooth
MIN_BREATHS = 2


def check(run):
    pin = run.pin("led")
    if not run.devices_of("pwm_led"):
        if run.devices_of("led"):
            return [run.fail("Your LED can only be on or off: it was made with kit.led().",
                             "你的 LED 只能亮或灭：它是用 kit.led() 创建的。",
                             "Make it with led = kit.pwm_led(kit.pins.led), then set led.value = 0.5.",
                             "改成 led = kit.pwm_led(kit.pins.led)，再用 led.value = 0.5 设置亮度。")]
        return [run.fail("Your program never set up an LED.", "你的程序没有创建 LED。",
                         "Add: led = kit.pwm_led(kit.pins.led)", "加上这一句：led = kit.pwm_led(kit.pins.led)")]
    levels = run.output_levels(pin)
    values = {round(lv.level, 2) for lv in levels}
    if len(values) < MIN_LEVELS:
        return [run.fail(
            f"The LED on {pin} had only {len(values)} brightness level(s); breathing needs many small steps.",
            f"{pin} 上的 LED 只有 {len(values)} 种亮度；呼吸灯需要很多小小的变化。",
            "Change led.value a little at a time inside a loop, for example in 20 steps from 0 to 1.",
            "在循环里一点一点地改变 led.value，例如分 20 步从 0 变到 1。")]
    for a, b in zip(levels, levels[1:]):
        if abs(b.level - a.level) > MAX_JUMP:
            if b.level < a.level:
                return [run.fail(
                    f"At {b.t:.2f} s the LED on {pin} dropped from {a.level:.0%} to {b.level:.0%} at once.",
                    f"第 {b.t:.2f} 秒 {pin} 上的 LED 一下子从 {a.level:.0%} 变成了 {b.level:.0%}。",
                    "Breathe out slowly too: a second loop that makes the brightness smaller step by step.",
                    "呼气也要慢慢来：再写一个循环，让亮度一步一步变小。")]
            return [run.fail(
                f"At {b.t:.2f} s the LED on {pin} jumped from {a.level:.0%} to {b.level:.0%} at once.",
                f"第 {b.t:.2f} 秒 {pin} 上的 LED 一下子从 {a.level:.0%} 跳到了 {b.level:.0%}。",
                "Use smaller steps (for example 1/20) with a short kit.sleep() between them.",
                "每一步变小一些（例如 1/20），每步之间用 kit.sleep() 等一小会儿。")]
    peaks = 0
    rising = None
    for a, b in zip(levels, levels[1:]):
        up = b.level > a.level
        if rising and not up and a.level >= 0.9:
            peaks += 1
        rising = up
    if peaks < MIN_BREATHS:
        return [run.fail(
            f"The LED on {pin} reached full brightness and dimmed again only {peaks} time(s) in {run.elapsed:.0f} s.",
            f"{run.elapsed:.0f} 秒里 {pin} 上的 LED 只完整地变亮又变暗了 {peaks} 次。",
            "Go all the way up to 1 and down to 0, inside `while True:`, with waits of about 0.05 s per step.",
            "在 `while True:` 里一直变到 1、再变回 0，每一步等大约 0.05 秒。")]
    return [run.ok(f"The LED on {pin} breathed {peaks} times, smoothly, through {len(values)} brightness levels.",
                   f"{pin} 上的 LED 平稳地“呼吸”了 {peaks} 次，用了 {len(values)} 种亮度。")]
