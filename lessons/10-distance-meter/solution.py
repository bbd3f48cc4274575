"""第 10 课：超声波倒车雷达（参考答案）  ·  Lesson 10: distance meter (solution)"""


def main(kit):
    sonar = kit.distance_sensor(kit.pins.trigger, kit.pins.echo)
    buzzer = kit.buzzer(kit.pins.buzzer)

    while True:
        cm = sonar.distance_cm
        print(f"{cm:.0f} cm")
        buzzer.play(880, 0.05)
        pause = min(cm, 100) / 100      # 15 厘米 → 0.15 秒，100 厘米以上 → 1 秒 / 15 cm -> 0.15 s, 100 cm or more -> 1 s
        kit.sleep(0.05 + pause)
