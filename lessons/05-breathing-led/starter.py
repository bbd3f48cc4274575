"""第 5 课：呼吸灯  ·  Lesson 5: breathing LED

运行 / Run:    makerkit lesson run 05-breathing-led --sim
检查 / Check:  makerkit lesson check 05-breathing-led --sim
"""

STEPS = 20          # 从暗到亮分几步 / steps from dark to bright
STEP_S = 0.05       # 每一步等多久（秒）/ seconds each step waits


def main(kit):
    led = kit.pwm_led(kit.pins.led)     # 能调亮度的 LED / an LED whose brightness you can set

    while True:
        brightness = 0.0
        while brightness < 1.0:         # 慢慢变亮（吸气）/ brighter and brighter (breathing in)
            brightness = brightness + 1 / STEPS
            led.value = min(brightness, 1.0)
            kit.sleep(STEP_S)
        led.value = 0                   # 一下子就黑了！/ dark all at once!
        # 你的任务：不要一下子变黑，而是像上面那样用一个循环慢慢变暗（呼气）。
        # Your turn: do not go dark at once: dim it slowly with a loop like the one above (breathing out).
