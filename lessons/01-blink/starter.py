"""第 1 课：让板载 LED 闪烁  ·  Lesson 1: blink the built-in LED

运行 / Run:    makerkit lesson run 01-blink --sim
检查 / Check:  makerkit lesson check 01-blink --sim
"""


def main(kit):
    # LED_BUILTIN 是开发板自带的小灯（Uno 上是 D13，ESP32 上是 GPIO2）。
    # LED_BUILTIN is the light built into the board (D13 on an Uno, GPIO2 on an ESP32).
    led = kit.led("LED_BUILTIN")

    led.on()          # 开灯 / light on
    kit.sleep(0.5)    # 等 0.5 秒 / wait half a second

    # 你的任务：让灯熄灭，再等 0.5 秒，然后用 while True: 让这几步一直重复。
    # Your turn: turn the light off, wait 0.5 s, and repeat it all forever with while True:
