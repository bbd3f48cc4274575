"""第 9 课：自动小夜灯（参考答案）  ·  Lesson 9: night light (solution)"""

DARK = 0.30      # 比这个暗：开灯 / darker than this: light on
BRIGHT = 0.45    # 比这个亮：关灯 / brighter than this: light off


def main(kit):
    light = kit.light_sensor(kit.pins.light)
    led = kit.led(kit.pins.led)

    while True:
        value = light.value
        if value < DARK:
            led.on()
        elif value > BRIGHT:
            led.off()
        # 在 DARK 和 BRIGHT 之间：灯保持原样 / between DARK and BRIGHT: the light stays as it is
        kit.sleep(0.1)
