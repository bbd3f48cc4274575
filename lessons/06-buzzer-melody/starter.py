"""第 6 课：蜂鸣器演奏《小星星》  ·  Lesson 6: buzzer melody

运行 / Run:    makerkit lesson run 06-buzzer-melody --sim
检查 / Check:  makerkit lesson check 06-buzzer-melody --sim
"""

BEAT = 0.4                        # 一拍多少秒 / seconds of one beat
NOTES = [262, 262, 392, 392]      # do do sol sol …… 还没写完 / not finished yet

# 你的任务：
#   1. 把剩下的音 440, 440, 392 加进 NOTES；
#   2. 写一个列表 BEATS = [1, 1, 1, 1, 1, 1, 2]，用 zip(NOTES, BEATS) 让最后一个音响两拍；
#   3. 唱完等 1 秒，用 while True: 一直唱下去。
# Your turn:
#   1. add the rest of the notes, 440, 440, 392, to NOTES;
#   2. make a list BEATS = [1, 1, 1, 1, 1, 1, 2] and use zip(NOTES, BEATS) so the last note lasts two beats;
#   3. wait 1 s after the song and sing it again and again with while True:.


def main(kit):
    buzzer = kit.buzzer(kit.pins.buzzer)
    for note in NOTES:
        buzzer.play(note, BEAT * 0.9)     # 响一拍的九成 / sound for nine tenths of a beat
        kit.sleep(BEAT)
