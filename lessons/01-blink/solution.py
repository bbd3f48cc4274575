"""第 1 课：让板载 LED 闪烁（参考答案）  ·  Lesson 1: blink the built-in LED (solution)"""


def main(kit):
    led = kit.led(kit.pins.led)       # 接线表里 LED 的引脚 / the LED's pin in the wiring table

    while True:                       # 一直重复 / repeat forever
        led.on()                      # 开灯 / on
        print("亮 on")
        kit.sleep(0.5)                # 等 0.5 秒 / wait 0.5 s
        led.off()                     # 关灯 / off
        print("灭 off")
        kit.sleep(0.5)
