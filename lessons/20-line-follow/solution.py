"""第 20 课：巡线小车（参考答案）  ·  Lesson 20: line following (solution)"""

FAST = 0.45        # 直行时两个轮子的速度 / both wheels on a straight stretch
TURN_FAST = 0.5    # 转弯时外侧轮子的速度 / the outer wheel in a turn
TURN_SLOW = -0.2   # 转弯时内侧轮子的速度（负数：向后转）/ the inner wheel in a turn (negative: backwards)
SPEEDS = {"left": (TURN_SLOW, TURN_FAST), "right": (TURN_FAST, TURN_SLOW), "straight": (FAST, FAST)}


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    left = kit.line_sensor(p.line_left)
    right = kit.line_sensor(p.line_right)
    steering = None
    while True:
        on_left, on_right = left.on_line, right.on_line
        if on_left and not on_right:          # 黑线偏到左边了：向左转 / the line is to the left: steer left
            wanted = "left"
        elif on_right and not on_left:        # 黑线偏到右边了：向右转 / the line is to the right: steer right
            wanted = "right"
        else:                                 # 黑线在中间（或两边都看到）：直走 / the line is between them: straight on
            wanted = "straight"
        if wanted != steering:                # 只在要改方向时才告诉电机 / tell the motors only when it changes
            wheels.value = SPEEDS[wanted]
            steering = wanted
        kit.sleep(0.01)
