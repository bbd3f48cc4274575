"""第 9 课：自动小夜灯  ·  Lesson 9: night light

运行 / Run:    makerkit lesson run 09-night-light --sim
检查 / Check:  makerkit lesson check 09-night-light --sim
"""

THRESHOLD = 0.35     # 比这个暗就开灯 / darker than this: light on


def main(kit):
    light = kit.light_sensor(kit.pins.light)    # 0（暗）~ 1（亮） / 0 (dark) .. 1 (bright)
    led = kit.led(kit.pins.led)

    while True:
        if light.value < THRESHOLD:
            led.on()
        else:
            led.off()
        # 你的任务：黄昏时读数在阈值附近晃动，灯会一闪一闪。改用两个阈值：
        # 低于 DARK 开灯，高于 BRIGHT 才关灯，中间什么也不做。
        # Your turn: at dusk the reading wanders around the threshold and the light flickers.
        # Use two thresholds: on below DARK, off only above BRIGHT, and in between do nothing.
        kit.sleep(0.1)
