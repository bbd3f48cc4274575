"""第 8 课：旋钮调光台灯（参考答案）  ·  Lesson 8: potentiometer dimmer (solution)"""


def main(kit):
    knob = kit.potentiometer(kit.pins.knob)
    led = kit.pwm_led(kit.pins.led)

    while True:
        led.value = knob.value        # 旋钮 0~1 → 亮度 0~1 / knob 0..1 -> brightness 0..1
        kit.sleep(0.05)
