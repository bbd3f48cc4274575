"""第 1 课：让板载 LED 闪烁（参考答案）  ·  Lesson 1: blink the built-in LED (solution)"""

LED_PIN = "LED_BUILTIN"    # 掌控板用 "P8"，ESP32-S3 用 "GPIO2" / mPython board: "P8", ESP32-S3: "GPIO2"


def main(kit):
    led = kit.led(LED_PIN)

    while True:                       # 一直重复 / repeat forever
        led.on()                      # 开灯 / on
        print("亮 on")
        kit.sleep(0.5)                # 等 0.5 秒 / wait 0.5 s
        led.off()                     # 关灯 / off
        print("灭 off")
        kit.sleep(0.5)
