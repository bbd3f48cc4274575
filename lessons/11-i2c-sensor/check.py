"""Checker of lesson 11: an AHT20 read through Adafruit's CircuitPython driver, printed with units.

On the virtual kit the AHT20 sits on the I2C bus at 0x38, register by register as its datasheet
says (makerkit.sim.parts.aht20), and the real ``adafruit_ahtx0`` driver talks to it through
``kit.i2c()``. The scenario breathes on the sensor after 5 seconds (warm, humid air) and lets it
recover after 10; the printed temperature and humidity must follow. On a real kit the units and the
ranges are checked, and following the air needs the virtual kit.
"""

import re

STEPS = ((0.0, 22.0, 45.0), (5.0, 31.0, 85.0), (10.0, 22.0, 45.0))   # (seconds, °C, %); then it repeats
PERIOD = 15.0
SETTLE = 2.5          # seconds after a change before a printed reading must show it (one 2 s loop)
TEMP_TOLERANCE = 1.0  # °C (the AHT20 is good to ±0.3 °C)
HUM_TOLERANCE = 3.0   # % (±2 % on the datasheet)

TEMP = re.compile(r"(-?\d+(?:\.\d+)?)\s*(?:°\s*[Cc]|℃|摄氏度|度)")
HUMIDITY = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|％)")


def air_at(t):
    """(since, °C, %) of the air around the sensor at ``t`` seconds."""
    cycle = (t // PERIOD) * PERIOD
    since, temp, hum = STEPS[0]
    for start, c, h in STEPS:
        if start <= t - cycle:
            since, temp, hum = cycle + start, c, h
    return since, temp, hum


def scenario(run):
    horizon = run.seconds or 300.0
    start = 0.0
    while start < horizon:
        for t, temp, hum in STEPS:
            if start + t < horizon:
                breath = temp > STEPS[0][1]
                en = ("someone breathes on the sensor" if breath else "the air is fresh again")
                zh = ("有人对着传感器哈了一口气" if breath else "空气又恢复正常了")
                run.at(start + t, lambda w, temp=temp, hum=hum: (w.set_temperature(temp), w.set_humidity(hum)),
                       f"{en}: {temp:g} °C, {hum:g} %", f"{zh}：{temp:g} °C，{hum:g} %")
        start += PERIOD


def _readings(run):
    """[(t, °C or None, % or None)] from the printed lines, and the printed lines themselves."""
    lines = [o for o in run.outputs if o.text.strip()]
    out = []
    for o in lines:
        temp, hum = TEMP.search(o.text), HUMIDITY.search(o.text)
        out.append((o.t, float(temp.group(1)) if temp else None, float(hum.group(1)) if hum else None))
    return out, lines


def _units(run, readings, lines):
    """A failed finding when the printed lines lack a reading or its unit, else None."""
    if not lines:
        return run.fail("The program printed nothing.", "程序什么也没有打印。",
                        'Print each measurement: print(f"{sensor.temperature:.1f} °C  {sensor.relative_humidity:.0f} %")',
                        '把每次的测量结果打印出来：print(f"{sensor.temperature:.1f} °C  {sensor.relative_humidity:.0f} %")')
    if not any(temp is not None for _, temp, _ in readings):
        return run.fail(
            f"The printed lines have no temperature unit (for example: {lines[0].text.strip()[:40]!r}).",
            f"打印出来的内容没有温度单位（例如：{lines[0].text.strip()[:40]!r}）。",
            'Write the unit after the number: print(f"{sensor.temperature:.1f} °C")',
            '在数字后面写上单位：print(f"{sensor.temperature:.1f} °C")')
    if not any(hum is not None for _, _, hum in readings):
        return run.fail("The printed lines show the temperature but not the humidity with its unit (%).",
                        "打印出来的内容有温度，但没有带单位（%）的湿度。",
                        'Read sensor.relative_humidity too and print it with "%".',
                        '也读出 sensor.relative_humidity，打印时加上 "%"。')
    return None


def _follows(run, readings):
    """Whether the printed readings followed the air: a finding."""
    settled = [(t, temp, hum, air_at(t)) for t, temp, hum in readings if t >= air_at(t)[0] + SETTLE]
    for t, temp, hum, (_, want_t, want_h) in settled:
        if temp is not None and abs(temp - want_t) > TEMP_TOLERANCE:
            return run.fail(
                f"At {t:.1f} s the program printed {temp:g} °C, but the air at the sensor was {want_t:g} °C.",
                f"第 {t:.1f} 秒程序打印的是 {temp:g} °C，可是传感器周围的空气是 {want_t:g} °C。",
                "Read sensor.temperature again every time round the loop (inside `while True:`) and print that value.",
                "每次循环都重新读取 sensor.temperature（写在 `while True:` 里面），再打印这个新的值。")
        if hum is not None and abs(hum - want_h) > HUM_TOLERANCE:
            return run.fail(
                f"At {t:.1f} s the program printed {hum:g} %, but the air at the sensor was {want_h:g} %.",
                f"第 {t:.1f} 秒程序打印的湿度是 {hum:g} %，可是传感器周围的空气是 {want_h:g} %。",
                "Read sensor.relative_humidity again every time round the loop and print that value.",
                "每次循环都重新读取 sensor.relative_humidity，再打印这个新的值。")
    breath = STEPS[1]
    if not any(want_t == breath[1] for *_, (_, want_t, _) in settled):
        return run.fail(
            f"Someone breathed on the sensor at {breath[0]:g} s ({breath[1]:g} °C, {breath[2]:g} %), "
            "but the program printed no reading after that.",
            f"第 {breath[0]:g} 秒有人对着传感器哈气（{breath[1]:g} °C，{breath[2]:g} %），但是程序之后没有再打印读数。",
            "Keep measuring in a `while True:` loop with kit.sleep(2) at the end.",
            "用 `while True:` 循环一直测量，最后加上 kit.sleep(2)。")
    return run.ok(f"The printed readings followed the air from {STEPS[0][1]:g} °C to {breath[1]:g} °C and back.",
                  f"打印的读数跟着空气从 {STEPS[0][1]:g} °C 变到 {breath[1]:g} °C，又变了回来。")


def check(run):
    readings, lines = _readings(run)
    missing = _units(run, readings, lines)
    if missing is not None:
        return [missing]
    findings = [run.ok(f"The readings were printed with their units ({len(readings)} lines).",
                       f"测量结果打印时带上了单位（共 {len(readings)} 行）。")]
    if not run.is_sim:
        odd = [r for r in readings if (r[1] is not None and not -40 <= r[1] <= 85)
               or (r[2] is not None and not 0 <= r[2] <= 100)]
        if odd:
            findings.append(run.fail(
                "Some printed readings are outside what an AHT20 measures (-40 to 85 °C, 0 to 100 %).",
                "有些打印出来的读数超出了 AHT20 的测量范围（-40~85 °C，0~100 %）。",
                "Print sensor.temperature and sensor.relative_humidity themselves, not other values.",
                "打印的应该是 sensor.temperature 和 sensor.relative_humidity 本身。"))
        findings.append(run.needs_sim("whether the readings follow a breath on the sensor",
                                      "读数是否跟着哈气变化"))
        return findings
    findings.append(_follows(run, readings))
    return findings
