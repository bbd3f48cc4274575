"""第 1 课：让板载 LED 闪烁  ·  Lesson 1: blink the built-in LED

运行 / Run:    makerkit lesson run 01-blink --sim
检查 / Check:  makerkit lesson check 01-blink --sim
"""

# LED_BUILTIN 是开发板自带的小灯（Uno 上是 D13，ESP32 上是 GPIO2）。
# 掌控板改成 "P8"，ESP32-S3 改成 "GPIO2"，并按接线表接一个 LED。
# LED_BUILTIN is the light built into the board (D13 on an Uno, GPIO2 on an ESP32).
# On the mPython board use "P8", on an ESP32-S3 "GPIO2", with an LED wired as the table shows.
LED_PIN = "LED_BUILTIN"


def main(kit):
    led = kit.led(LED_PIN)

    led.on()          # 开灯 / light on
    kit.sleep(0.5)    # 等 0.5 秒 / wait half a second

    # 你的任务：让灯熄灭，再等 0.5 秒，然后用 while True: 让这几步一直重复。
    # Your turn: turn the light off, wait 0.5 s, and repeat it all forever with while True:
