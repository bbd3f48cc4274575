"""第 5 课：呼吸灯（参考答案）  ·  Lesson 5: breathing LED (solution)"""

STEPS = 20          # 从暗到亮分几步 / steps from dark to bright
STEP_S = 0.05       # 每一步等多久（秒）/ seconds each step waits


def main(kit):
    led = kit.pwm_led(kit.pins.led)

    while True:
        for step in range(STEPS + 1):           # 吸气：0 → 1 / breathing in: 0 -> 1
            led.value = step / STEPS
            kit.sleep(STEP_S)
        for step in range(STEPS, -1, -1):       # 呼气：1 → 0 / breathing out: 1 -> 0
            led.value = step / STEPS
            kit.sleep(STEP_S)
