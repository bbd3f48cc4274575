"""Checker of lesson 14: the class weather station, graded on what the program published.

The program must send three readings to the class telemetry (``kit.publish``) every 5 seconds:
``temperature`` in °C, ``humidity`` in % and ``light`` in % (0 % dark, 100 % full sun), each with its
unit. On the virtual kit the scenario changes the weather (the sun comes out, then a rain cloud), and
the published values must follow it. On a real kit the names, units and the pace are checked; whether
the values follow the weather needs the virtual kit.
"""

INTERVAL = 5.0                 # seconds between two rounds of readings the lesson asks for
PACE = (4.0, 6.5)              # accepted median time between rounds
ROUND = 1.0                    # publishes less than this apart belong to one round
MIN_ROUNDS = 4                 # rounds needed to judge the pace (the check runs 32 s)
NAMES = ("temperature", "humidity", "light")
UNITS = {"temperature": ("°C", "℃"), "humidity": ("%", "%RH"), "light": ("%",)}
SETTLE = {"temperature": 2.5, "humidity": 2.5, "light": 0.3}   # seconds a sensor needs to see a change
TOLERANCE = {"temperature": 1.5, "humidity": 3.0, "light": 5.0}
CYCLE = 30.0                   # seconds: `lesson run` repeats the weather

# (start, °C, %RH, light fraction, what happens in English, in Chinese)
WEATHER = (
    (0.0, 20.0, 50.0, 0.55, "a mild, cloudy morning: 20 °C, 50 %, light 55 %",
     "多云的早晨：20 °C，湿度 50 %，光照 55 %"),
    (8.0, 27.0, 38.0, 0.90, "the sun comes out: 27 °C, 38 %, light 90 %",
     "太阳出来了：27 °C，湿度 38 %，光照 90 %"),
    (18.0, 22.0, 62.0, 0.20, "a rain cloud: 22 °C, 62 %, light 20 %",
     "一片乌云飘来：22 °C，湿度 62 %，光照 20 %"),
)

FIX_PUBLISH = {
    "temperature": ('Send it in the loop: kit.publish("temperature", sensor.temperature, unit="°C")',
                    '在循环里发送它：kit.publish("temperature", sensor.temperature, unit="°C")'),
    "humidity": ('Send it in the loop: kit.publish("humidity", sensor.humidity, unit="%")',
                 '在循环里发送它：kit.publish("humidity", sensor.humidity, unit="%")'),
    "light": ('light = kit.light_sensor(kit.pins.light) before the loop, then in the loop '
              'kit.publish("light", light.value * 100, unit="%")',
              '在循环前面写 light = kit.light_sensor(kit.pins.light)，在循环里写 '
              'kit.publish("light", light.value * 100, unit="%")'),
}


def _steps(run):
    """The scenario's weather: (start, values by name, en, zh), repeated for a long `lesson run`."""
    horizon = run.seconds or 300.0
    steps, offset = [], 0.0
    while offset < horizon:
        for start, temp, hum, light, en, zh in WEATHER:
            if offset + start < horizon:
                values = {"temperature": temp, "humidity": hum, "light": light * 100.0}
                steps.append((offset + start, values, en, zh))
        offset += CYCLE
    return steps


def scenario(run):
    light_pin = run.pin("light")
    for start, values, en, zh in _steps(run):
        def change(world, values=values):
            world.set_temperature(values["temperature"])
            world.set_humidity(values["humidity"])
            world.set_light(values["light"] / 100.0, pin=light_pin)
        run.at(start, change, en, zh)


def _by_name(run):
    found = {}
    for item in run.published:
        found.setdefault(item.name, []).append(item)
    return found


def _rounds(run):
    """The times each round of readings began."""
    starts = []
    for item in run.published:
        if not starts or item.t - starts[-1] >= ROUND:
            starts.append(item.t)
    return starts


def _check_parts(run):
    findings = []
    if not run.devices_of("dht11", "dht22"):
        findings.append(run.fail(
            "Your program never set up the DHT11 sensor.", "你的程序没有创建 DHT11 传感器。",
            "Add before the loop: sensor = kit.dht11(kit.pins.dht)",
            "在循环前面加上：sensor = kit.dht11(kit.pins.dht)"))
    if not run.devices_of("light_sensor"):
        findings.append(run.fail(
            "Your program never set up the light sensor.", "你的程序没有创建光线传感器。",
            "Add before the loop: light = kit.light_sensor(kit.pins.light)",
            "在循环前面加上：light = kit.light_sensor(kit.pins.light)"))
    return findings


def _check_names_and_units(run, by_name):
    findings = []
    others = sorted(name for name in by_name if name not in NAMES)
    for name in NAMES:
        items = by_name.get(name, [])
        if not items:
            also = (f" (it did send {', '.join(others)}: the dashboard only knows {', '.join(NAMES)})"
                    if others else "")
            also_zh = (f"（它发送了 {'、'.join(others)}，但看板只认识 {'、'.join(NAMES)}）" if others else "")
            findings.append(run.fail(
                f"Your program never sent a reading called {name}{also}.",
                f"你的程序从来没有发送名叫 {name} 的读数{also_zh}。", *FIX_PUBLISH[name]))
            continue
        units = {item.unit for item in items}
        wanted = UNITS[name]
        if units <= set(wanted):
            findings.append(run.ok(f"{name} was sent {len(items)} times, always in {wanted[0]}.",
                                   f"{name} 发送了 {len(items)} 次，单位都是 {wanted[0]}。"))
        elif None in units or "" in units:
            findings.append(run.fail(
                f"{name} was sent without its unit: on the dashboard nobody knows if 23 means °C, % or minutes.",
                f"发送 {name} 时没有带单位：看板上的人不知道 23 是 °C、% 还是分钟。",
                f'Add the unit: kit.publish("{name}", ..., unit="{wanted[0]}")',
                f'加上单位：kit.publish("{name}", ..., unit="{wanted[0]}")'))
        else:
            shown = ", ".join(sorted(str(u) for u in units - set(wanted)))
            findings.append(run.fail(
                f"{name} was sent in {shown}, but it is measured in {wanted[0]}.",
                f"{name} 发送时的单位是 {shown}，可它的单位应该是 {wanted[0]}。",
                f'Write unit="{wanted[0]}" for {name}.', f'{name} 要写 unit="{wanted[0]}"。'))
    return findings


def _check_pace(run):
    starts = _rounds(run)
    if len(starts) < MIN_ROUNDS:
        ended = " and then it ended" if run.ended == "finished" else ""
        ended_zh = "然后就结束了" if run.ended == "finished" else ""
        return [run.fail(
            f"Your program sent readings only {len(starts)} time(s) in {run.elapsed:.0f} seconds{ended}.",
            f"你的程序在 {run.elapsed:.0f} 秒里只发送了 {len(starts)} 次读数{ended_zh}。",
            f"Measure and send inside `while True:`, ending the loop with kit.sleep({INTERVAL:g}).",
            f"把测量和发送放进 `while True:` 循环，循环最后写 kit.sleep({INTERVAL:g})。")]
    gaps = sorted(b - a for a, b in zip(starts, starts[1:]))
    median = gaps[len(gaps) // 2]
    if not PACE[0] <= median <= PACE[1]:
        return [run.fail(
            f"Your program sent a round of readings every {median:.1f} s; the class stations send every "
            f"{INTERVAL:g} s.",
            f"你的程序每 {median:.1f} 秒发送一轮读数；全班的气象站都是每 {INTERVAL:g} 秒发送一次。",
            f"End the loop with kit.sleep({INTERVAL:g}), once for all three readings.",
            f"在循环最后写一次 kit.sleep({INTERVAL:g})，三个读数共用这一次等待。")]
    return [run.ok(f"A round of readings went out every {median:.1f} s ({len(starts)} rounds).",
                   f"每 {median:.1f} 秒发送一轮读数（共 {len(starts)} 轮）。")]


def _expected(steps, name, t):
    """What ``name`` was at ``t``, or None while the sensor may still be catching up with a change."""
    current = None
    for start, values, _, _ in steps:
        if start <= t:
            current = (start, values[name])
    if current is None or t - current[0] < SETTLE[name]:
        return None
    return current[1]


def _check_values(run, by_name):
    steps = _steps(run)
    findings = []
    for name in NAMES:
        judged = [(item, _expected(steps, name, item.t)) for item in by_name.get(name, [])
                  if isinstance(item.value, (int, float))]
        judged = [(item, want) for item, want in judged if want is not None]
        wrong = [(item, want) for item, want in judged if abs(item.value - want) > TOLERANCE[name]]
        if not judged:
            continue
        if not wrong:
            findings.append(run.ok(f"The {name} you sent followed the weather.",
                                   f"你发送的 {name} 跟着天气变化了。"))
            continue
        item, want = wrong[0]
        fix_en, fix_zh = ("Read the sensor again every time round the loop and send that new value.",
                          "每次循环都要重新读取传感器，再发送这个新的值。")
        if name == "light" and 0 <= item.value <= 1 and want > 2 * TOLERANCE[name]:
            fix_en, fix_zh = ("light.value goes from 0 to 1: send light.value * 100 to get percent.",
                              "light.value 是 0 到 1 之间的数：发送 light.value * 100 才是百分数。")
        findings.append(run.fail(
            f"At {item.t:.1f} s you sent {name} = {item.value:g} {item.unit or ''}, but it was {want:g} "
            f"{UNITS[name][0]}.",
            f"第 {item.t:.1f} 秒你发送的 {name} 是 {item.value:g} {item.unit or ''}，可实际是 {want:g} "
            f"{UNITS[name][0]}。", fix_en, fix_zh))
    return findings


def check(run):
    findings = _check_parts(run)
    by_name = _by_name(run)
    if not run.published:
        findings.append(run.fail(
            "Your program sent nothing to the class telemetry.", "你的程序没有向班级数据看板发送任何读数。",
            'Send each reading: kit.publish("temperature", sensor.temperature, unit="°C")',
            '把每个读数发送出去：kit.publish("temperature", sensor.temperature, unit="°C")'))
        return findings
    findings += _check_names_and_units(run, by_name)
    findings += _check_pace(run)
    if not run.is_sim:
        findings.append(run.needs_sim("whether the values you sent follow a change of weather",
                                      "发送的数值是否跟着天气变化"))
        return findings
    findings += _check_values(run, by_name)
    return findings
