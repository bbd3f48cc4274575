"""Checker of lesson 03: readings every 2 seconds, printed with units, following the temperature.

On the virtual kit the scenario makes the room warm up from 18 °C to 30 °C after 6 seconds (and
the air more humid); the printed temperatures must follow. On a real kit the pace and the units
are checked, and the follow-the-temperature part needs the virtual kit.
"""

import re

INTERVAL = 2.0                 # seconds between measurements the lesson asks for
PACE = (1.5, 3.0)              # accepted median time between measurements
COOL, WARM = 18.0, 30.0        # °C, the scenario's temperatures
DRY, HUMID = 40.0, 65.0        # %
CHANGE_EVERY = 6.0             # seconds: the first change comes at 6 s, then every 15 s in `lesson run`
SETTLE = 2 * INTERVAL + 0.5    # the sensor measures every 2 s, the program reads every 2 s
TOLERANCE = 1.5                # °C (a DHT11 measures in whole degrees)

TEMP = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:°\s*[Cc]|℃|摄氏度|度)")
HUMIDITY = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|％)")


def _changes(run):
    """The scenario's (time, temperature, humidity) steps."""
    horizon = run.seconds or 300.0
    steps, t, warm = [(0.0, COOL, DRY)], CHANGE_EVERY, True
    while t < horizon:
        steps.append((t, WARM, HUMID) if warm else (t, COOL, DRY))
        t, warm = t + 15.0, not warm
    return steps


def scenario(run):
    for t, temp, hum in _changes(run):
        run.at(t, lambda w, temp=temp, hum=hum: (w.set_temperature(temp), w.set_humidity(hum)),
               f"the room is now {temp:.0f} °C, {hum:.0f} % humidity",
               f"房间现在是 {temp:.0f} °C，湿度 {hum:.0f} %")


def _expected(run, t):
    value = None
    for start, temp, _ in _changes(run):
        if start <= t:
            value = (start, temp)
    return value


def _measure_times(run):
    """When the program read the sensor (reads less than 0.05 s apart count as one measurement)."""
    times = []
    for r in run.readings_of("temperature", "dht11", "dht22"):
        if not times or r.t - times[-1] > 0.05:
            times.append(r.t)
    return times


def check(run):
    if not run.devices_of("dht11", "dht22"):
        return [run.fail("Your program never set up the DHT11 sensor.", "你的程序没有创建 DHT11 传感器。",
                         "Add: sensor = kit.dht11(kit.pins.dht)", "加上这一句：sensor = kit.dht11(kit.pins.dht)")]
    findings = []

    times = _measure_times(run)
    if len(times) < 4 and run.ended == "finished":
        findings.append(run.fail(
            f"The program measured the temperature only {len(times)} time(s), then it ended "
            f"(after {run.elapsed:.1f} s).",
            f"程序只测了 {len(times)} 次温度就结束了（运行了 {run.elapsed:.1f} 秒）。",
            "Put the reading and printing inside `while True:` with kit.sleep(2) at the end.",
            "把读取和打印放进 `while True:` 循环，最后加上 kit.sleep(2)。"))
    elif len(times) < 4:
        findings.append(run.fail(
            f"The program measured the temperature only {len(times)} time(s) in {run.elapsed:.1f} seconds.",
            f"程序在 {run.elapsed:.1f} 秒里只测了 {len(times)} 次温度。",
            "Put the reading and printing inside `while True:` with kit.sleep(2) at the end.",
            "把读取和打印放进 `while True:` 循环，最后加上 kit.sleep(2)。"))
    else:
        gaps = sorted(b - a for a, b in zip(times, times[1:]))
        median = gaps[len(gaps) // 2]
        if not PACE[0] <= median <= PACE[1]:
            findings.append(run.fail(
                f"The program measured every {median:.1f} s; the lesson asks for every {INTERVAL:.0f} s.",
                f"程序每 {median:.1f} 秒测一次；这节课要求每 {INTERVAL:.0f} 秒测一次。",
                f"End the loop with kit.sleep({INTERVAL:.0f}). (A DHT11 cannot measure faster than "
                "once a second anyway.)",
                f"在循环的最后写 kit.sleep({INTERVAL:.0f})。（DHT11 本来就没法每秒测量超过一次。）"))
        else:
            findings.append(run.ok(f"The program measured every {median:.1f} s ({len(times)} times).",
                                   f"程序每 {median:.1f} 秒测一次（共 {len(times)} 次）。"))

    lines = [o for o in run.outputs if o.text.strip()]
    temps = [(o.t, float(m.group(1))) for o in lines for m in [TEMP.search(o.text)] if m]
    hums = [o for o in lines if HUMIDITY.search(o.text)]
    if not lines:
        findings.append(run.fail(
            "The program printed nothing.", "程序什么也没有打印。",
            'Print each measurement, for example: print(f"{temperature} °C  {humidity} %")',
            '把每次的测量结果打印出来，例如：print(f"{temperature} °C  {humidity} %")'))
    elif not temps:
        findings.append(run.fail(
            f"The printed lines have no temperature unit (for example: {lines[0].text.strip()[:40]!r}).",
            f"打印出来的内容没有温度单位（例如：{lines[0].text.strip()[:40]!r}）。",
            'Write the unit after the number: print(temperature, "°C")',
            '在数字后面写上单位：print(temperature, "°C")'))
    elif not hums:
        findings.append(run.fail(
            "The printed lines show the temperature but not the humidity with its unit (%).",
            "打印出来的内容有温度，但没有带单位（%）的湿度。",
            'Read sensor.humidity too and print it with "%".',
            '也读出 sensor.humidity，打印时加上 "%"。'))
    else:
        findings.append(run.ok(f"The readings were printed with their units ({len(temps)} lines).",
                               f"测量结果打印时带上了单位（共 {len(temps)} 行）。"))

    if not run.is_sim:
        findings.append(run.needs_sim("whether the readings follow a change of temperature",
                                      "测量结果是否跟着温度变化"))
        if temps and not all(-10 <= v <= 60 for _, v in temps):
            findings.append(run.fail(
                "Some printed temperatures are outside what a DHT11 can measure (0-50 °C).",
                "有些打印出来的温度超出了 DHT11 的测量范围（0~50 °C）。",
                "Check that you print sensor.temperature, not another value.",
                "检查一下打印的是不是 sensor.temperature。"))
        return findings

    settled = []      # readings the sensor had time to take since the room last changed (its first
    for t, value in temps:       # one may still be a measurement from before the check began)
        start, want = _expected(run, t)
        if t >= start + SETTLE:
            settled.append((t, value, want))
    wrong = [(t, v, w) for t, v, w in settled if abs(v - w) > TOLERANCE]
    warm_seen = any(w == WARM for _, _, w in settled)
    if wrong:
        t, v, w = wrong[0]
        findings.append(run.fail(
            f"At {t:.1f} s the program printed {v:g} °C, but the room was {w:g} °C.",
            f"第 {t:.1f} 秒程序打印的是 {v:g} °C，可是房间的温度是 {w:g} °C。",
            "Read sensor.temperature again every time round the loop (inside `while True:`), "
            "and print that new value.",
            "每次循环都要重新读取 sensor.temperature（写在 `while True:` 里面），再打印这个新的值。"))
    elif not warm_seen:
        findings.append(run.fail(
            f"The room warmed up to {WARM:g} °C at {CHANGE_EVERY:g} s, but the program printed no "
            "temperature after that.",
            f"第 {CHANGE_EVERY:g} 秒房间升温到了 {WARM:g} °C，但是程序之后没有再打印温度。",
            "Keep measuring in a `while True:` loop.", "用 `while True:` 循环一直测量下去。"))
    else:
        findings.append(run.ok(
            f"The printed temperature followed the room from {COOL:g} °C to {WARM:g} °C.",
            f"打印的温度跟着房间从 {COOL:g} °C 变到了 {WARM:g} °C。"))
    return findings
