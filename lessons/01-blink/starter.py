"""第 1 课：让板载 LED 闪烁  ·  Lesson 1: blink the built-in LED

运行 / Run:    makerkit lesson run 01-blink --sim
检查 / Check:  makerkit lesson check 01-blink --sim
"""


def main(kit):
    # kit.pins.led 是接线表里 LED 的引脚：Uno 上是 D13（板载 LED），掌控板上是 P8。
    # kit.pins.led is the LED's pin in the wiring table: D13 on an Uno (the built-in LED), P8 on the mPython board.
    led = kit.led(kit.pins.led)

    led.on()          # 开灯 / light on
    kit.sleep(0.5)    # 等 0.5 秒 / wait half a second

    # 你的任务：让灯熄灭，再等 0.5 秒，然后用 while True: 让这几步一直重复。
    # Your turn: turn the light off, wait 0.5 s, and repeat it all forever with while True:
