"""第 8 课：旋钮调光台灯  ·  Lesson 8: potentiometer dimmer

运行 / Run:    makerkit lesson run 08-dimmer --sim
检查 / Check:  makerkit lesson check 08-dimmer --sim
"""


def main(kit):
    knob = kit.potentiometer(kit.pins.knob)    # 读数 0~1 / reads 0..1
    led = kit.pwm_led(kit.pins.led)            # 亮度 0~1 / brightness 0..1

    while True:
        if knob.value > 0.5:      # 只有全开和全关…… / only fully on or off...
            led.value = 1
        else:
            led.value = 0
        # 你的任务：让亮度跟着旋钮连续变化：led.value = knob.value
        # Your turn: let the brightness follow the knob all the way: led.value = knob.value
        kit.sleep(0.05)
