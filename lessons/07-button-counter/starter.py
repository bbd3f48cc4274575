"""第 7 课：按钮计数器  ·  Lesson 7: button counter

运行 / Run:    makerkit lesson run 07-button-counter --sim
检查 / Check:  makerkit lesson check 07-button-counter --sim
"""


def main(kit):
    button = kit.button(kit.pins.button)
    count = 0

    while True:
        if button.is_pressed:             # 按着就加一……按一次会数很多次！
            count = count + 1             # adds one while held... one press counts many times!
            print("count", count)
        # 你的任务：只在按钮从“没按”变成“按下”的那一刻加一（记住上一次的状态），
        #           并且先等 0.05 秒再看一次，不让抖动多算。
        # Your turn: add one only when the button goes from up to down (remember the last state),
        #            and wait 0.05 s and look again, so a bounce does not count twice.
        kit.sleep(0.02)
