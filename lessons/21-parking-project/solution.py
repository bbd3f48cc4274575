"""第 21 课：项目：自动停车（参考答案之一）  ·  Lesson 21: self-parking robot (one possible solution)

方案：沿着引导线开（第 20 课），前方距离小于 STOP_CM 就停车（第 19 课）。
Plan: follow the guide line (lesson 20), stop when the distance ahead is below STOP_CM (lesson 19).
"""

FAST = 0.45        # 直行 / straight on
TURN_FAST = 0.5    # 转弯时外侧轮子 / the outer wheel in a turn
TURN_SLOW = -0.2   # 转弯时内侧轮子 / the inner wheel in a turn
SLOW_CM = 40       # 离后墙比这更近就慢下来 / closer than this to the back wall: slow down
STOP_CM = 12       # 离后墙比这更近就停车 / closer than this: park


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)
    left = kit.line_sensor(p.line_left)
    right = kit.line_sensor(p.line_right)
    while True:
        cm = sonar.distance_cm
        if cm < STOP_CM:                          # 到了：停车 / there: park
            wheels.stop()
            print("parked", cm, "cm from the wall")
            break
        scale = 0.5 if cm < SLOW_CM else 1.0      # 快到了就开慢一点 / nearly there: slower
        on_left, on_right = left.on_line, right.on_line
        if on_left and not on_right:
            wheels.value = (TURN_SLOW * scale, TURN_FAST * scale)
        elif on_right and not on_left:
            wheels.value = (TURN_FAST * scale, TURN_SLOW * scale)
        else:
            wheels.forward(FAST * scale)
        kit.sleep(0.01)
