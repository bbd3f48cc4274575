"""第 10 课：超声波倒车雷达  ·  Lesson 10: distance meter (a parking sensor)

运行 / Run:    makerkit lesson run 10-distance-meter --sim
检查 / Check:  makerkit lesson check 10-distance-meter --sim
"""


def main(kit):
    sonar = kit.distance_sensor(kit.pins.trigger, kit.pins.echo)   # HC-SR04
    buzzer = kit.buzzer(kit.pins.buzzer)

    while True:
        cm = sonar.distance_cm            # 到障碍物的距离（厘米） / centimetres to the obstacle
        print(f"{cm:.0f} cm")
        buzzer.play(880, 0.05)            # 嘀一声 / a short beep
        kit.sleep(0.5)
        # 你的任务：障碍物越近，嘀嘀声越快。让等待的时间跟着距离变，比如 kit.sleep(0.05 + min(cm, 100) / 100)
        # Your turn: the closer the obstacle, the faster the beeps. Make the pause depend on the distance,
        # for example kit.sleep(0.05 + min(cm, 100) / 100)
