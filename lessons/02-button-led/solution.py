"""第 2 课：按钮控制 LED（参考答案）  ·  Lesson 2: a button controls the LED (solution)"""


def main(kit):
    led = kit.led(kit.pins.led)              # 接线表里的引脚 / pins from the wiring table
    button = kit.button(kit.pins.button)

    while True:
        if button.is_pressed:     # 按下：开灯 / pressed: light on
            led.on()
        else:                     # 松开：关灯 / let go: light off
            led.off()
        kit.sleep(0.05)           # 每秒看 20 次按钮 / look at the button 20 times a second
