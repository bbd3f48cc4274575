"""第 20 课：巡线小车  ·  Lesson 20: line following

运行 / Run:    makerkit lesson run 20-line-follow --sim --picture line.png
检查 / Check:  makerkit lesson check 20-line-follow --sim
"""

FAST = 0.45        # 直行时两个轮子的速度 / both wheels on a straight stretch
TURN_FAST = 0.5    # 转弯时外侧轮子的速度 / the outer wheel in a turn
TURN_SLOW = -0.2   # 转弯时内侧轮子的速度（负数：向后转）/ the inner wheel in a turn (negative: backwards)


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    left = kit.line_sensor(p.line_left)
    right = kit.line_sensor(p.line_right)
    while True:
        if left.on_line:                      # 黑线偏到左边了：向左转 / the line is to the left: steer left
            wheels.value = (TURN_SLOW, TURN_FAST)
        else:
            wheels.forward(FAST)
        # 你的任务：右边的传感器看到黑线时，向右转。/ Your turn: when the right sensor sees the line, steer right.
        kit.sleep(0.01)
