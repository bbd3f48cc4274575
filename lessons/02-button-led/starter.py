"""第 2 课：按钮控制 LED  ·  Lesson 2: a button controls the LED

按钮一只脚接 D4（ESP32 上是 GPIO4），对角线上的另一只脚接 GND。
Wire one leg of the button to D4 (GPIO4 on an ESP32) and the opposite leg to GND.

运行 / Run:    makerkit lesson run 02-button-led --sim
检查 / Check:  makerkit lesson check 02-button-led --sim
"""

BUTTON = "D4"           # 掌控板用 "P5"（A 键） / on the mPython board use "P5" (button A)
LED_PIN = "LED_BUILTIN"  # 掌控板用 "P8"，ESP32-S3 用 "GPIO2" / mPython board: "P8", ESP32-S3: "GPIO2"


def main(kit):
    led = kit.led(LED_PIN)
    button = kit.button(BUTTON)

    while True:
        if button.is_pressed:     # 按钮按下了吗？ / is the button pressed?
            led.on()
        # 你的任务：按钮松开的时候，让灯熄灭。（提示：else:）
        # Your turn: when the button is let go, turn the light off. (Hint: else:)
        kit.sleep(0.05)
