"""Checker of lesson 16: a window (a servo) opened and closed from the class dashboard over MQTT.

The teacher's dashboard (or ``makerkit class say``) sends short messages: ``open`` / ``打开`` /
``开`` (90°), ``close`` / ``关闭`` / ``关`` (0°), or a number of degrees (``45``). The program hears
them with ``kit.when_message``, turns the servo, and reports where the window is now with
``kit.event("window", angle=...)``. A message it does not know leaves the window where it is.

On the virtual kit the scenario plays the teacher: it sends the messages below, through the same
path a real message takes (the firmware of a board with WiFi, the computer of a tethered board).
On a real kit nobody sends anything the checker knows of: the servo is checked, the rest needs the
virtual kit.
"""

OPEN, CLOSED = 90, 0
REACT = 0.5                    # seconds the window may take to start moving after a message
REPORT = 1.0                   # seconds within which the "window" event must follow
TOLERANCE = 3.0                # degrees
EVENT = "window"
MAX_FINDINGS = 3               # wrong moves reported one by one, at most this many

# (time, the teacher's message, the angle it asks for; None: a message the window does not know)
MESSAGES = (
    (2.0, "open", OPEN),
    (5.0, "close", CLOSED),
    (8.0, "45", 45),
    (11.0, "打开", OPEN),
    (14.0, "dance", None),
    (17.0, "关闭", CLOSED),
)


def scenario(run):
    for t, text, _ in MESSAGES:
        run.at(t, lambda w, text=text: run.send_control(text, by="7a.teacher"),
               f"the teacher sends '{text}'", f"老师发来“{text}”")


def _plan():
    """[(t, text, angle the window should have from then on, known)]: an unknown message keeps it."""
    angle, plan = CLOSED, []
    for t, text, wanted in MESSAGES:
        if wanted is not None:
            angle = wanted
        plan.append((t, text, angle, wanted is not None))
    return plan


def _angle_at(run, pin, t):
    angle = None
    for ev in run.trace(pin, "servo"):
        if ev.t > t:
            break
        angle = ev.value
    return angle


def _describe(angle):
    return ("not set", "没有设置") if angle is None else (f"{angle:.0f}°", f"{angle:.0f}°")


def _fix_for(text, known):
    if not known:
        return ("When a message is not a word you know or a number from 0 to 180, do nothing (return).",
                "如果消息既不是你认识的词，也不是 0 到 180 之间的数，就什么也不做（return）。")
    if text.isdigit():
        return ("A number means degrees: if text.isdigit(): window.angle = int(text)",
                "数字就是角度：if text.isdigit(): window.angle = int(text)")
    return (f"Handle '{text}' too: a dictionary such as WORDS = {{\"open\": 90, \"打开\": 90, \"close\": 0, "
            "\"关闭\": 0} keeps all the words in one place.",
            f"也要处理“{text}”：用一个字典，例如 WORDS = {{\"open\": 90, \"打开\": 90, \"close\": 0, "
            "\"关闭\": 0}，把所有的词放在一起。")


def _check_moves(run, pin):
    plan, wrong = _plan(), []
    for i, (t, text, want, known) in enumerate(plan):
        until = plan[i + 1][0] if i + 1 < len(plan) else run.elapsed
        for when in (t + REACT, until - 0.05):
            got = _angle_at(run, pin, when)
            if when <= run.elapsed and (got is None or abs(got - want) > TOLERANCE):
                wrong.append((t, text, want, known, got))
                break
    if not wrong:
        return [run.ok(f"The window followed all {len(plan)} messages of the teacher.",
                       f"窗户按照老师的 {len(plan)} 条消息正确地动了。")]
    findings = []
    for t, text, want, known, got in wrong[:MAX_FINDINGS]:
        got_en, got_zh = _describe(got)
        head_en = f"At {t:.0f} s the teacher sent '{text}'"
        head_zh = f"第 {t:.0f} 秒老师发来“{text}”"
        if known:
            en, zh = f"{head_en}: the window should be at {want}°, but it was {got_en}.", \
                f"{head_zh}：窗户应该在 {want}°，可它是 {got_zh}。"
        else:
            en, zh = f"{head_en}, which the window does not know: it should stay at {want}°, but it was {got_en}.", \
                f"{head_zh}，窗户不认识这个命令：它应该停在 {want}°，可它是 {got_zh}。"
        findings.append(run.fail(en, zh, *_fix_for(text, known)))
    return findings


def _check_reports(run):
    events = run.events_named(EVENT)
    if not events:
        return [run.fail(
            "Your program never told the dashboard where the window is.",
            "你的程序从来没有告诉看板窗户现在在哪里。",
            f'After each move send kit.event("{EVENT}", angle=angle).',
            f'每次转动之后发送 kit.event("{EVENT}", angle=angle)。')]
    for t, text, want, known in _plan():
        if not known:
            continue
        if not any(t <= e.t <= t + REPORT and e.data.get("angle") == want for e in events):
            return [run.fail(
                f"After '{text}' at {t:.0f} s no '{EVENT}' event said angle={want}.",
                f"第 {t:.0f} 秒的“{text}”之后，没有“{EVENT}”事件说 angle={want}。",
                f'Send kit.event("{EVENT}", angle=angle) right after window.angle = angle, with the new angle.',
                f'在 window.angle = angle 之后马上发送 kit.event("{EVENT}", angle=angle)，带上新的角度。')]
    return [run.ok("After every move the dashboard heard where the window is.",
                   "每次转动之后，看板都知道了窗户的位置。")]


def check(run):
    if not run.devices_of("servo"):
        return [run.fail("Your program never set up the servo.", "你的程序没有创建舵机。",
                         "Add before anything else: window = kit.servo(kit.pins.servo)",
                         "在最前面加上：window = kit.servo(kit.pins.servo)")]
    if not run.is_sim:
        return [run.ok("The servo is set up.", "舵机已经创建好了。"),
                run.needs_sim("whether the window follows the teacher's messages",
                              "窗户是否按照老师的消息转动")]
    pin = run.pin("servo")
    first = MESSAGES[0][0]
    if not [ev for ev in run.trace(pin, "servo") if ev.t >= first]:
        return [run.fail(
            "The teacher sent messages, but the window never moved: your program does not listen.",
            "老师发来了消息，可是窗户一直没有动：你的程序没有在听。",
            "Write a function on_message(message), give it to kit.when_message(on_message), and end "
            "main with kit.pause().",
            "写一个函数 on_message(message)，用 kit.when_message(on_message) 交给套件，main 的最后写 kit.pause()。")]
    return _check_moves(run, pin) + _check_reports(run)
