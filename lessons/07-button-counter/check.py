"""Checker of lesson 07: the printed count goes up by exactly one at each press, bounces included.

On the virtual kit the scenario presses the button 4 times, and each press and release bounces
(the contact opens and closes a few times within 8 ms) as a real button does. The count is read
from what the program printed: the last number on each printed line.
"""

import re

PRESSES = (1.0, 3.0, 5.0, 7.0)   # seconds into the run
HOLD = 0.6                       # seconds each press is held
BOUNCES = (0.0, 0.002, 0.004, 0.006, 0.008)   # contact changes of one bounce, seconds apart from its start
REACT = 0.5                      # the count must follow a press within this many seconds
NUMBER = re.compile(r"(-?\d+)\s*$")


def _bounce(run, pin, t, down):
    for i, dt in enumerate(BOUNCES):
        closed = (i % 2 == 0) == down        # ends closed for a press, open for a release
        if closed:
            run.at(t + dt, lambda w: w.press(run.pin("button")))
        else:
            run.at(t + dt, lambda w: w.release(run.pin("button")))


def scenario(run):
    pin = run.lesson_pin("button")
    horizon = run.seconds or 300.0
    start = 0.0
    while start < horizon:
        for t in PRESSES:
            if start + t + HOLD < horizon:
                _bounce(run, pin, start + t, True)
                run.at(start + t, lambda w: None, f"button {pin} pressed (it bounces)", f"按下按钮 {pin}（有抖动）")
                _bounce(run, pin, start + t + HOLD, False)
        start += 10.0


def _counts(run):
    out = []
    for o in run.outputs:
        m = NUMBER.search(o.text.strip())
        if m:
            out.append((o.t, int(m.group(1))))
    return out


def check(run):
    if not run.devices_of("button"):
        return [run.fail("Your program never set up the button.", "你的程序没有创建按钮。",
                         "Add: button = kit.button(kit.pins.button)", "加上这一句：button = kit.button(kit.pins.button)")]
    counts = _counts(run)
    if not counts:
        return [run.fail("Your program printed no count.", "你的程序没有打印计数。",
                         'Print the count each time it goes up: print("count", count)',
                         '每次计数增加时打印出来：print("count", count)')]
    if not run.is_sim:
        return [run.needs_sim("whether each press counts exactly once, bounces included",
                              "每次按下（包括抖动）是不是正好数一次")]
    presses = [t for t in PRESSES if t + REACT <= run.elapsed]
    final = counts[-1][1]
    if final > len(presses):
        extra = next(t for t, n in counts if n > len(presses) or n > sum(1 for p in PRESSES if p <= t))
        return [run.fail(
            f"The button was pressed {len(presses)} times, but your count reached {final} "
            f"(the first extra count came at {extra:.2f} s).",
            f"按钮按了 {len(presses)} 次，可是你的计数到了 {final}（第 {extra:.2f} 秒开始多数了）。",
            "Count only when the button goes from not pressed to pressed (remember was_pressed), and after a new "
            "press wait kit.sleep(0.05) and look again, so the bounce does not count.",
            "只在按钮从“没按”变成“按下”时才数（记住 was_pressed）；看到新的按下后先 kit.sleep(0.05) 再看一次，"
            "这样抖动就不会被数进去。")]
    for i, t in enumerate(presses, start=1):
        seen = [n for s, n in counts if s <= t + REACT]
        if not seen or seen[-1] != i:
            got = seen[-1] if seen else 0
            return [run.fail(
                f"After press {i} (at {t:.1f} s) the count was {got}; it should be {i}.",
                f"第 {i} 次按下（第 {t:.1f} 秒）之后计数是 {got}；应该是 {i}。",
                "Look at the button often (kit.sleep(0.01) in the loop) and add one at each new press.",
                "经常看一看按钮（循环里 kit.sleep(0.01)），每次新的按下都加一。")]
    return [run.ok(f"Each of the {len(presses)} bouncy presses counted exactly once (count {final}).",
                   f"{len(presses)} 次带抖动的按下，每次都正好数了一次（计数 {final}）。")]
