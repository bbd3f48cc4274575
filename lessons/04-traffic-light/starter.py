"""第 4 课：红绿灯  ·  Lesson 4: traffic light

运行 / Run:    makerkit lesson run 04-traffic-light --sim
检查 / Check:  makerkit lesson check 04-traffic-light --sim
"""


def show(kit, led, seconds):
    """让一个灯亮 seconds 秒，然后熄灭。 / Light one LED for `seconds`, then turn it off."""
    led.on()
    kit.sleep(seconds)
    led.off()


def main(kit):
    red = kit.led(kit.pins.red)           # 接线表里的三个引脚 / the three pins of the wiring table
    yellow = kit.led(kit.pins.yellow)
    green = kit.led(kit.pins.green)

    while True:
        show(kit, green, 3)                  # 绿灯 3 秒 / green for 3 s
        show(kit, red, 3)                    # 红灯 3 秒 / red for 3 s
        # 你的任务：绿灯和红灯之间，黄灯要亮 1 秒。用 show(kit, yellow, 1) 加上这一步。
        # Your turn: between green and red the yellow light shows for 1 s. Add that step: show(kit, yellow, 1).
