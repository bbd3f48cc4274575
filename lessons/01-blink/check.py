"""Checker of lesson 01: the LED must blink, on and off again and again, slowly enough to see.

Works on the virtual kit (from what the pin really did) and on a real kit (from what the program
told the LED to do).
"""

MIN_BLINKS = 3          # in the 10 checked seconds
MIN_STEP = 0.05         # seconds: faster than this, eyes see a dim steady light


def check(run):
    pin = run.pin("led")
    if not run.devices_of("led", "pwm_led"):
        return [run.fail(
            "Your program never set up an LED.",
            "你的程序没有创建 LED。",
            'Start main with: led = kit.led(kit.pins.led)',
            '在 main 的开头写：led = kit.led(kit.pins.led)')]
    levels = run.output_levels(pin)
    ons = [i for i, lv in enumerate(levels) if lv.level > 0]
    if not ons:
        return [run.fail(
            f"The LED on {pin} never lit up.",
            f"{pin} 上的 LED 一次也没有亮。",
            "Call led.on() to turn it on.",
            "用 led.on() 把灯打开。")]
    changes = levels[ons[0]:]
    offs_after_on = [lv for lv in changes if lv.level == 0]
    if not offs_after_on:
        return [run.fail(
            f"The LED on {pin} turned on, but never turned off again.",
            f"{pin} 上的 LED 亮了，但是再也没有熄灭。",
            "After led.on() and kit.sleep(0.5), add led.off() and kit.sleep(0.5), "
            "and put all four lines inside a `while True:` loop.",
            "在 led.on() 和 kit.sleep(0.5) 后面加上 led.off() 和 kit.sleep(0.5)，"
            "再把这四行放进 `while True:` 循环里。")]
    steps = [b.t - a.t for a, b in zip(changes, changes[1:])]
    too_fast = [s for s in steps if s < MIN_STEP]
    if too_fast:
        return [run.fail(
            f"The LED on {pin} blinks too fast to see (it changed after only {min(too_fast) * 1000:.0f} ms).",
            f"{pin} 上的 LED 闪得太快了，眼睛看不出来（只过了 {min(too_fast) * 1000:.0f} 毫秒就变了）。",
            "Wait between on and off: kit.sleep(0.5) after led.on() and after led.off().",
            "开灯和关灯之后都要等一等：在 led.on() 和 led.off() 后面各加一句 kit.sleep(0.5)。")]
    blinks = sum(1 for lv in changes if lv.level > 0)
    if blinks < MIN_BLINKS:
        return [run.fail(
            f"The LED on {pin} blinked only {blinks} time(s) in {run.elapsed:.1f} seconds.",
            f"{pin} 上的 LED 在 {run.elapsed:.1f} 秒里只闪了 {blinks} 次。",
            "Put the on/off lines inside `while True:` so they repeat, and keep the waits "
            "short (about 0.5 s).",
            "把开灯、关灯的几行放进 `while True:` 里让它们一直重复，等待时间不要太长（0.5 秒左右）。")]
    on_times = [b.t - a.t for a, b in zip(changes, changes[1:]) if a.level > 0]
    off_times = [b.t - a.t for a, b in zip(changes, changes[1:]) if a.level == 0]
    on_s = sum(on_times) / len(on_times)
    off_s = sum(off_times) / len(off_times) if off_times else on_s
    return [run.ok(
        f"The LED on {pin} blinked {blinks} times: on for about {on_s:.2f} s, off for about {off_s:.2f} s.",
        f"{pin} 上的 LED 闪了 {blinks} 次：每次亮约 {on_s:.2f} 秒，灭约 {off_s:.2f} 秒。")]
