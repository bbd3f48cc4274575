"""Checker of lesson 06: the buzzer plays C C G G A A G, the last note twice as long, again and again.

Graded from the tone on the buzzer's pin in the simulated world (which frequency, from when to
when). On a real kit nobody listens to the pin: that part needs the virtual kit.
"""

MELODY = (262, 262, 392, 392, 440, 440, 392)
NAMES = {262: ("C (do)", "do"), 392: ("G (sol)", "sol"), 440: ("A (la)", "la")}
PITCH = 3                # Hz either way
REST = 0.7               # seconds of silence that end one playing of the song
LONG = 1.5               # the last note lasts at least this many times the others


def _notes(run, pin):
    """[(start, end, Hz)] from the pin's tone trace."""
    notes, current = [], None
    for ev in run.trace(pin, "tone"):
        if current is not None:
            notes.append((current[0], ev.t, current[1]))
            current = None
        if ev.value:
            current = (ev.t, ev.value)
    if current is not None:
        notes.append((current[0], run.elapsed, current[1]))
    return notes


def _songs(notes):
    songs = []
    for note in notes:
        if songs and note[0] - songs[-1][-1][1] < REST:
            songs[-1].append(note)
        else:
            songs.append([note])
    return songs


def _same(a, b):
    return len(a) == len(b) and all(abs(x - y) <= PITCH for x, y in zip(a, b))


def check(run):
    pin = run.pin("buzzer")
    if not run.devices_of("buzzer"):
        return [run.fail("Your program never set up the buzzer.", "你的程序没有创建蜂鸣器。",
                         "Add: buzzer = kit.buzzer(kit.pins.buzzer)", "加上这一句：buzzer = kit.buzzer(kit.pins.buzzer)")]
    if not run.is_sim:
        return [run.needs_sim("which notes the buzzer played", "蜂鸣器演奏了哪些音")]
    songs = _songs(_notes(run, pin))
    if not songs:
        return [run.fail("The buzzer stayed silent.", "蜂鸣器一直没有响。",
                         "Play each note with buzzer.play(note, BEAT * 0.9).", "用 buzzer.play(note, BEAT * 0.9) 演奏每个音。")]
    song = songs[0]
    heard = [hz for _, _, hz in song]
    findings = []
    if not _same(heard, MELODY):
        merged = [hz for i, hz in enumerate(MELODY) if i == 0 or hz != MELODY[i - 1]]
        if _same(heard, merged):
            findings.append(run.fail(
                "Two equal notes ran together into one long note.", "两个一样的音连成了一个长音。",
                "Leave a short silence after each note: play it for BEAT * 0.9 and wait BEAT.",
                "每个音后面留一点点安静：让它响 BEAT * 0.9 秒，再等 BEAT 秒。"))
        elif _same(heard, MELODY[:len(heard)]):
            nxt = MELODY[len(heard)]
            findings.append(run.fail(
                f"The song had {len(heard)} notes; 'Twinkle, twinkle' has {len(MELODY)}: after {heard[-1]} Hz comes "
                f"{nxt} Hz, {NAMES[nxt][0]}.",
                f"这首歌只唱了 {len(heard)} 个音；《小星星》有 {len(MELODY)} 个音：{heard[-1]} 赫兹后面是 {nxt} 赫兹（{NAMES[nxt][1]}）。",
                "Add the missing notes to the list NOTES: 440, 440, 392.",
                "把缺少的音加进列表 NOTES：440, 440, 392。"))
        else:
            wrong = next(i for i, hz in enumerate(heard) if i >= len(MELODY) or abs(hz - MELODY[i]) > PITCH)
            want = MELODY[wrong] if wrong < len(MELODY) else None
            findings.append(run.fail(
                f"Note {wrong + 1} of the song was {heard[wrong]} Hz" + (f"; it should be {want} Hz." if want else
                                                                         "; the song has only 7 notes."),
                f"第 {wrong + 1} 个音是 {heard[wrong]} 赫兹" + (f"；应该是 {want} 赫兹。" if want else "；这首歌只有 7 个音。"),
                "Compare your list NOTES with 262, 262, 392, 392, 440, 440, 392.",
                "把你的列表 NOTES 和 262, 262, 392, 392, 440, 440, 392 比一比。"))
        return findings
    lengths = [end - start for start, end, _ in song]
    others = sorted(lengths[:-1])[len(lengths[:-1]) // 2]
    if lengths[-1] < LONG * others:
        findings.append(run.fail(
            f"The last note lasted {lengths[-1]:.2f} s, as long as the others; it should last two beats.",
            f"最后一个音只响了 {lengths[-1]:.2f} 秒，和别的音一样长；它应该响两拍。",
            "Make a list BEATS = [1, 1, 1, 1, 1, 1, 2] and play each note for beats * BEAT * 0.9 "
            "(for note, beats in zip(NOTES, BEATS):).",
            "写一个列表 BEATS = [1, 1, 1, 1, 1, 1, 2]，每个音响 beats * BEAT * 0.9 秒"
            "（for note, beats in zip(NOTES, BEATS):）。"))
    if len(songs) < 2:
        findings.append(run.fail(
            f"The song was played once in {run.elapsed:.0f} s.", f"{run.elapsed:.0f} 秒里这首歌只唱了一遍。",
            "Put the song inside `while True:` with kit.sleep(1) after it.",
            "把整首歌放进 `while True:`，唱完以后 kit.sleep(1)。"))
    if not findings:
        findings.append(run.ok(f"The buzzer played C C G G A A G ({len(songs)} times), the last note long.",
                               f"蜂鸣器演奏了 do do sol sol la la sol（{len(songs)} 遍），最后一个音是长音。"))
    return findings
