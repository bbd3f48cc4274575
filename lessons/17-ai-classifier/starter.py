"""第 17 课：会学习的台灯  ·  Lesson 17: the lamp that learns

光线传感器的 AO 接 kit.pins.light（掌控板用板载光线传感器）；超声波传感器的 Trig 接 kit.pins.trigger，
Echo 接 kit.pins.echo；LED（台灯）接 kit.pins.lamp。
Wire the light sensor's AO to kit.pins.light (the mPython board uses its own), the HC-SR04's Trig to
kit.pins.trigger and Echo to kit.pins.echo, and an LED (the lamp) to kit.pins.lamp.

运行 / Run:    makerkit lesson run 17-ai-classifier --sim
检查 / Check:  makerkit lesson check 17-ai-classifier --sim
"""

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
        # 现在只比较了光照。你的任务：让 gap 同时考虑光照和距离（两个差都平方，再加起来）。
        # So far it compares only the light. Your turn: make the gap use the light AND the distance
        # (square both differences and add them up).
        gap = abs(reading[0] - light)
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
