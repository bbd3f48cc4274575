"""第 6 课：蜂鸣器演奏《小星星》（参考答案）  ·  Lesson 6: buzzer melody (solution)"""

BEAT = 0.4                                       # 一拍多少秒 / seconds of one beat
NOTES = [262, 262, 392, 392, 440, 440, 392]      # do do sol sol la la sol
BEATS = [1, 1, 1, 1, 1, 1, 2]                    # 每个音几拍 / beats of each note


def main(kit):
    buzzer = kit.buzzer(kit.pins.buzzer)
    while True:
        for note, beats in zip(NOTES, BEATS):
            buzzer.play(note, beats * BEAT * 0.9)
            kit.sleep(beats * BEAT)
        kit.sleep(1)                             # 唱完歇一会儿 / a rest after the song
