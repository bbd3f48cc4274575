"""第 4 课：红绿灯（参考答案）  ·  Lesson 4: traffic light (solution)"""

GREEN_S, YELLOW_S, RED_S = 3, 1, 3      # 每种灯亮几秒 / seconds of each light


def show(kit, led, seconds):
    """让一个灯亮 seconds 秒，然后熄灭。 / Light one LED for `seconds`, then turn it off."""
    led.on()
    kit.sleep(seconds)
    led.off()


def main(kit):
    red = kit.led(kit.pins.red)
    yellow = kit.led(kit.pins.yellow)
    green = kit.led(kit.pins.green)

    while True:
        print("绿灯 green")
        show(kit, green, GREEN_S)
        print("黄灯 yellow")
        show(kit, yellow, YELLOW_S)
        print("红灯 red")
        show(kit, red, RED_S)
