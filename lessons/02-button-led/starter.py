"""第 2 课：按钮控制 LED  ·  Lesson 2: a button controls the LED

按钮一只脚接 D4（ESP32 上是 GPIO4），对角线上的另一只脚接 GND。
Wire one leg of the button to D4 (GPIO4 on an ESP32) and the opposite leg to GND.

运行 / Run:    makerkit lesson run 02-button-led --sim
检查 / Check:  makerkit lesson check 02-button-led --sim
"""


def main(kit):
    # kit.pins 里是接线表的引脚（掌控板：按钮是 A 键 P5，LED 在 P8）。
    # kit.pins holds the pins of the wiring table (mPython board: button A is P5, the LED is on P8).
    led = kit.led(kit.pins.led)
    button = kit.button(kit.pins.button)

    while True:
        if button.is_pressed:     # 按钮按下了吗？ / is the button pressed?
            led.on()
        # 你的任务：按钮松开的时候，让灯熄灭。（提示：else:）
        # Your turn: when the button is let go, turn the light off. (Hint: else:)
        kit.sleep(0.05)
