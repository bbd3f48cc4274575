"""第 2 课：按钮控制 LED（参考答案）  ·  Lesson 2: a button controls the LED (solution)"""

BUTTON = "D4"           # 掌控板用 "P5"（A 键） / on the mPython board use "P5" (button A)
LED_PIN = "LED_BUILTIN"  # 掌控板用 "P8"，ESP32-S3 用 "GPIO2" / mPython board: "P8", ESP32-S3: "GPIO2"


def main(kit):
    led = kit.led(LED_PIN)
    button = kit.button(BUTTON)

    while True:
        if button.is_pressed:     # 按下：开灯 / pressed: light on
            led.on()
        else:                     # 松开：关灯 / let go: light off
            led.off()
        kit.sleep(0.05)           # 每秒看 20 次按钮 / look at the button 20 times a second
