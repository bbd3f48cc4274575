"""Checker of lesson 15: a greenhouse alarm with two thresholds (hysteresis), events and a buzzer.

The alarm goes on when the temperature reaches 30 °C (HIGH) and clears only when it has fallen to
28 °C (LOW). When it goes on the program sends ``kit.event("alarm", temperature=...)`` and sounds the
buzzer; when it clears it sends ``kit.event("all_clear", temperature=...)`` and stops the buzzer. One
event per change of state, never one per loop.

On the virtual kit the scenario warms the greenhouse to 30 °C, lets it hover at 29-30 °C (inside the
band: the alarm must stay on), cools it to 27 °C, warms it to 29 °C (still inside the band: the alarm
must stay off), then a hot spell and a cool-down. The checker compares the events and the buzzer with
what the temperature asked for. On a real kit it checks that the events alternate and carry
temperatures on the right side of the thresholds; the timing needs the virtual kit.
"""

HIGH = 30.0                    # °C: the alarm goes on at this temperature or above
LOW = 28.0                     # °C: ... and clears at this temperature or below
REACT = 3.5                    # seconds the program may take to notice (the DHT11 measures every 2 s)
ON, CLEAR = "alarm", "all_clear"
SAMPLE = 0.5                   # seconds between two looks at the buzzer
CYCLE = 46.0                   # seconds: `lesson run` repeats the weather

# (start, °C, what happens in English, in Chinese)
GREENHOUSE = (
    (0.0, 24.0, "the greenhouse is 24 °C", "温室里是 24 °C"),
    (6.0, 30.0, "the sun heats the greenhouse to 30 °C", "太阳把温室晒到了 30 °C"),
    (12.0, 29.0, "it is 29 °C: still inside the band", "现在是 29 °C：还在回差范围里"),
    (16.0, 30.0, "back to 30 °C", "又回到 30 °C"),
    (22.0, 27.0, "the window opens: 27 °C", "开窗通风：27 °C"),
    (28.0, 29.0, "29 °C: warm, but below the alarm", "29 °C：有点热，但还没到报警温度"),
    (34.0, 31.0, "a hot spell: 31 °C", "一阵高温：31 °C"),
    (40.0, 25.0, "evening: 25 °C", "傍晚：25 °C"),
)

FIX_STATE_EN = ("Keep the state in a variable: alarm_on = False before the loop; raise the alarm only "
                "`if not alarm_on and temperature >= HIGH:` and clear it only `elif alarm_on and temperature <= LOW:`.")
FIX_STATE_ZH = ("用一个变量记住状态：循环前面写 alarm_on = False；只有 `if not alarm_on and temperature >= HIGH:` "
                "时才报警，只有 `elif alarm_on and temperature <= LOW:` 时才解除。")


def _steps(run):
    horizon = run.seconds or 300.0
    steps, offset = [], 0.0
    while offset < horizon:
        steps += [(offset + s, temp, en, zh) for s, temp, en, zh in GREENHOUSE if offset + s < horizon]
        offset += CYCLE
    return steps


def scenario(run):
    for start, temp, en, zh in _steps(run):
        run.at(start, lambda w, temp=temp: w.set_temperature(temp), en, zh)


def _temperature_at(steps, t):
    value = steps[0][1]
    for start, temp, _, _ in steps:
        if start <= t:
            value = temp
    return value


def _expected(run):
    """The changes of the alarm the temperature asks for: [(t, name, °C)]."""
    on, out = False, []
    for start, temp, _, _ in _steps(run):
        if start >= run.elapsed:
            break
        if not on and temp >= HIGH:
            on = True
            out.append((start, ON, temp))
        elif on and temp <= LOW:
            on = False
            out.append((start, CLEAR, temp))
    return out


def _state_at(expected, t):
    """True while the alarm should be on at ``t`` (None within REACT seconds of a change)."""
    state = False
    for start, name, _ in expected:
        if start <= t < start + REACT:
            return None
        if start <= t:
            state = name == ON
    return state


def _check_parts(run):
    findings = []
    if not run.devices_of("dht11", "dht22"):
        findings.append(run.fail("Your program never set up the DHT11 sensor.", "你的程序没有创建 DHT11 传感器。",
                                 "Add before the loop: sensor = kit.dht11(kit.pins.dht)",
                                 "在循环前面加上：sensor = kit.dht11(kit.pins.dht)"))
    if not run.devices_of("buzzer"):
        findings.append(run.fail("Your program never set up the buzzer.", "你的程序没有创建蜂鸣器。",
                                 "Add before the loop: buzzer = kit.buzzer(kit.pins.buzzer)",
                                 "在循环前面加上：buzzer = kit.buzzer(kit.pins.buzzer)"))
    return findings


def _explain_extra(event, steps, on_before):
    """Why an event that the temperature did not ask for is wrong: (en, zh, fix_en, fix_zh)."""
    temp = _temperature_at(steps, event.t)
    where_en, where_zh = f"At {event.t:.1f} s ({temp:g} °C)", f"第 {event.t:.1f} 秒（{temp:g} °C）"
    if event.name == ON and on_before:
        return (f"{where_en} your program sent '{ON}' again, but the alarm was already on.",
                f"{where_zh}你的程序又发送了“{ON}”，可是报警器本来就已经开着。", FIX_STATE_EN, FIX_STATE_ZH)
    if event.name == ON:
        return (f"{where_en} your program sent '{ON}', but the alarm goes on only at {HIGH:g} °C or above.",
                f"{where_zh}你的程序发送了“{ON}”，可是只有到 {HIGH:g} °C 或更高才报警。",
                f"Raise the alarm only when temperature >= HIGH (HIGH = {HIGH:g}).",
                f"只有 temperature >= HIGH（HIGH = {HIGH:g}）时才报警。")
    if not on_before:
        return (f"{where_en} your program sent '{CLEAR}', but the alarm was not on.",
                f"{where_zh}你的程序发送了“{CLEAR}”，可是报警器并没有开着。", FIX_STATE_EN, FIX_STATE_ZH)
    return (f"{where_en} your program cleared the alarm, but {temp:g} °C is still inside the band: it clears only "
            f"at {LOW:g} °C or below (hysteresis), so it does not flicker on and off.",
            f"{where_zh}你的程序解除了报警，可是 {temp:g} °C 还在回差范围里：降到 {LOW:g} °C 或更低才解除，"
            "这样报警器才不会一会儿响一会儿停。",
            f"Clear the alarm only when temperature <= LOW (LOW = {LOW:g}), not as soon as it is below HIGH.",
            f"只有 temperature <= LOW（LOW = {LOW:g}）时才解除，而不是一低于 HIGH 就解除。")


def _match_events(run, events):
    """Pair the program's events with the expected changes: (missing, first extra, extra count)."""
    expected, steps = _expected(run), _steps(run)
    unmatched, extra, first_extra = list(expected), 0, None
    on = False
    for event in events:
        hit = next((e for e in unmatched if e[1] == event.name and e[0] <= event.t <= e[0] + REACT), None)
        if hit is not None:
            unmatched.remove(hit)
        else:
            extra += 1
            if first_extra is None:
                first_extra = _explain_extra(event, steps, on)
        on = event.name == ON
    return unmatched, first_extra, extra


def _check_events(run, events):
    if not events:
        return [run.fail(
            "Your program sent no alarm events: the class dashboard never hears of the heat.",
            "你的程序没有发送报警事件：班级数据看板不知道温室太热了。",
            f'When the alarm goes on, send kit.event("{ON}", temperature=temperature); when it clears, '
            f'kit.event("{CLEAR}", temperature=temperature).',
            f'报警时发送 kit.event("{ON}", temperature=temperature)；解除时发送 '
            f'kit.event("{CLEAR}", temperature=temperature)。')]
    missing, first_extra, extra = _match_events(run, events)
    findings = []
    if first_extra is not None:
        en, zh, fix_en, fix_zh = first_extra
        if extra > 1:
            en, zh = en + f" ({extra} events too many in all.)", zh + f"（一共多发了 {extra} 个事件。）"
        findings.append(run.fail(en, zh, fix_en, fix_zh))
    for t, name, temp in missing:
        findings.append(run.fail(
            f"At {t:.0f} s the temperature became {temp:g} °C, but no '{name}' event came within {REACT:g} s.",
            f"第 {t:.0f} 秒温度变成了 {temp:g} °C，可是 {REACT:g} 秒内没有收到“{name}”事件。",
            f'Send kit.event("{name}", temperature=temperature) at the moment the state changes.',
            f'在状态改变的那一刻发送 kit.event("{name}", temperature=temperature)。'))
    if not findings:
        findings.append(run.ok(f"Every change of the alarm sent one event ({len(events)} events, none too many).",
                               f"报警器每次改变状态都发送了一个事件（共 {len(events)} 个，一个不多）。"))
    return findings + _check_event_data(run, events)


def _check_event_data(run, events):
    bare = [e for e in events if not isinstance(e.data.get("temperature"), (int, float))]
    if bare:
        return [run.fail(
            f"The '{bare[0].name}' event at {bare[0].t:.1f} s does not say how warm it was.",
            f"第 {bare[0].t:.1f} 秒的“{bare[0].name}”事件没有说明当时的温度。",
            f'Add the temperature to the event: kit.event("{bare[0].name}", temperature=temperature)',
            f'在事件里加上温度：kit.event("{bare[0].name}", temperature=temperature)')]
    return [run.ok("Every event says the temperature.", "每个事件都带上了温度。")]


def _sounding(run, pin, t):
    """Is the buzzer on ``pin`` sounding at ``t`` (a tone, or a high pin for an active buzzer)?"""
    tone, level = None, 0
    for ev in run.trace(pin):
        if ev.t > t:
            break
        if ev.kind == "tone":
            tone = ev.value
        elif ev.kind == "digital":
            level = ev.value
    return bool(tone) or level == 1


def _check_buzzer(run):
    pin, steps, expected = run.pin("buzzer"), _steps(run), _expected(run)
    t = SAMPLE
    while t < run.elapsed:
        want = _state_at(expected, t)
        if want is not None and want != _sounding(run, pin, t):
            temp = _temperature_at(steps, t)
            if want and LOW < temp < HIGH:
                return [run.fail(
                    f"At {t:.1f} s ({temp:g} °C) the buzzer was silent, but {temp:g} °C is inside the band: the "
                    f"alarm stays on until it is {LOW:g} °C or below (hysteresis).",
                    f"第 {t:.1f} 秒（{temp:g} °C）蜂鸣器没有响，可是 {temp:g} °C 还在回差范围里：要降到 "
                    f"{LOW:g} °C 或更低才解除报警。",
                    f"Stop the buzzer only when the alarm clears, at temperature <= LOW (LOW = {LOW:g}). " + FIX_STATE_EN,
                    f"只有在 temperature <= LOW（LOW = {LOW:g}）解除报警时才让蜂鸣器停下。" + FIX_STATE_ZH)]
            if want:
                return [run.fail(
                    f"At {t:.1f} s ({temp:g} °C) the alarm should be on, but the buzzer was silent.",
                    f"第 {t:.1f} 秒（{temp:g} °C）应该在报警，可是蜂鸣器没有响。",
                    "Start the buzzer when the alarm goes on (buzzer.play(880)) and stop it only when it clears.",
                    "报警时让蜂鸣器响起来（buzzer.play(880)），解除报警时才让它停（buzzer.stop()）。")]
            return [run.fail(
                f"At {t:.1f} s ({temp:g} °C) there is no alarm, but the buzzer was sounding.",
                f"第 {t:.1f} 秒（{temp:g} °C）没有报警，可是蜂鸣器在响。",
                "Stop the buzzer when the alarm clears: buzzer.stop()", "解除报警时让蜂鸣器停下：buzzer.stop()")]
        t += SAMPLE
    return [run.ok("The buzzer sounded exactly while the alarm was on.", "蜂鸣器只在报警的时候响。")]


def _check_real_kit(run, events):
    """No world to compare with: the events must alternate and carry temperatures that fit."""
    on, findings = False, []
    for event in events:
        temp = event.data.get("temperature")
        if (event.name == ON) == on:
            findings.append(run.fail(
                f"At {event.t:.1f} s your program sent '{event.name}' twice in a row.",
                f"第 {event.t:.1f} 秒你的程序连续两次发送了“{event.name}”。", FIX_STATE_EN, FIX_STATE_ZH))
            break
        if isinstance(temp, (int, float)) and ((event.name == ON and temp < HIGH) or (event.name == CLEAR and temp > LOW)):
            findings.append(run.fail(
                f"At {event.t:.1f} s your program sent '{event.name}' at {temp:g} °C.",
                f"第 {event.t:.1f} 秒你的程序在 {temp:g} °C 时发送了“{event.name}”。",
                f"Raise the alarm at {HIGH:g} °C or above, clear it at {LOW:g} °C or below.",
                f"{HIGH:g} °C 或更高时报警，{LOW:g} °C 或更低时解除。"))
            break
        on = event.name == ON
    if not findings:
        findings.append(run.ok(f"The {len(events)} events alternate and fit the thresholds.",
                               f"{len(events)} 个事件交替出现，温度也符合两个阈值。"))
    findings.append(run.needs_sim("whether the alarm followed a greenhouse that warms and cools",
                                  "报警器是否跟着温室的升温和降温工作"))
    return findings


def check(run):
    findings = _check_parts(run)
    events = [e for e in run.events if e.name in (ON, CLEAR)]
    others = sorted({e.name for e in run.events} - {ON, CLEAR})
    if others and not events:
        findings.append(run.fail(
            f"Your program sent the event {others[0]}, but the dashboard listens for '{ON}' and '{CLEAR}'.",
            f"你的程序发送的事件叫 {others[0]}，可是看板只认识“{ON}”和“{CLEAR}”。",
            f'Name the events exactly kit.event("{ON}", ...) and kit.event("{CLEAR}", ...).',
            f'事件的名字要写成 kit.event("{ON}", ...) 和 kit.event("{CLEAR}", ...)。'))
        return findings
    if not run.is_sim:
        return findings + (_check_real_kit(run, events) if events else _check_events(run, events))
    findings += _check_events(run, events)
    if run.devices_of("buzzer"):
        findings += _check_buzzer(run)
    return findings
