"""第 17 课：会学习的台灯（参考答案）  ·  Lesson 17: the lamp that learns (solution)"""

EXAMPLES = ["away", "reading", "sunny", "away", "reading", "sunny"]   # 老师依次布置的场景 / the situations shown, in order
SHOW = 2            # 秒：每个示例展示多久 / seconds each example is shown
FAR = 200           # 厘米：把距离变成 0 到 1 / centimetres: turns a distance into 0..1


def measure(light, sonar):
    """一次测量：(光照 0..1, 距离 0..1) / one measurement: (light 0..1, distance 0..1)"""
    distance = min(sonar.distance_cm, FAR) / FAR
    return (light.value, distance)


def classify(examples, reading):
    """最近邻：找出和新读数最像的示例，用它的标签 / nearest neighbour: the label of the closest example"""
    best_label, best_gap = None, None
    for (light, distance), label in examples:
        gap = (reading[0] - light) ** 2 + (reading[1] - distance) ** 2
        if best_gap is None or gap < best_gap:
            best_label, best_gap = label, gap
    return best_label


def main(kit):
    light = kit.light_sensor(kit.pins.light)
    sonar = kit.distance_sensor(kit.pins.trigger, kit.pins.echo)
    lamp = kit.led(kit.pins.lamp)

    # 1. 训练：记下每个示例的测量结果和标签 / training: keep each example's measurement and its label
    examples = []
    for label in EXAMPLES:
        print("示例 example:", label)
        kit.sleep(SHOW / 2)                        # 等场景布置好 / wait until the situation is ready
        examples.append((measure(light, sonar), label))
        kit.sleep(SHOW / 2)

    # 2. 使用：给每个新的读数分类 / use it: classify every new reading
    guess = None
    while True:
        new_guess = classify(examples, measure(light, sonar))
        if new_guess != guess:
            guess = new_guess
            print("我猜 I think:", guess)
            if guess == "reading":
                lamp.on()
            else:
                lamp.off()
        kit.sleep(0.5)
