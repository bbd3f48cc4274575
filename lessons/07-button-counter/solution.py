"""第 7 课：按钮计数器（参考答案）  ·  Lesson 7: button counter (solution)"""

DEBOUNCE = 0.05      # 秒：等抖动结束 / seconds for the bounce to end


def main(kit):
    button = kit.button(kit.pins.button)
    count = 0
    was_pressed = False

    while True:
        pressed = button.is_pressed
        if pressed and not was_pressed:        # 刚按下 / it has just gone down
            kit.sleep(DEBOUNCE)
            if button.is_pressed:              # 还按着：真的按下了 / still down: a real press
                count = count + 1
                print("count", count)
        was_pressed = pressed
        kit.sleep(0.01)
