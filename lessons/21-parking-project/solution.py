"""第 21 课：项目：自动停车（参考答案之一）  ·  Lesson 21: self-parking robot (one possible solution)

方案：沿着引导线开（第 20 课），快到后墙时慢下来，前方距离小于 STOP_CM 就停车（第 19 课）。
Plan: follow the guide line (lesson 20), slow down near the back wall, stop when the distance ahead
is below STOP_CM (lesson 19).
"""

FAST = 0.45        # 直行 / straight on
TURN_FAST = 0.5    # 转弯时外侧轮子 / the outer wheel in a turn
TURN_SLOW = -0.2   # 转弯时内侧轮子 / the inner wheel in a turn
SPEEDS = {"left": (TURN_SLOW, TURN_FAST), "right": (TURN_FAST, TURN_SLOW), "straight": (FAST, FAST)}
SLOW_CM = 40       # 离后墙比这更近就慢下来 / closer than this to the back wall: slow down
STOP_CM = 12       # 离后墙比这更近就停车 / closer than this: park


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)
    left = kit.line_sensor(p.line_left)
    right = kit.line_sensor(p.line_right)
    doing = None
    while True:
        cm = sonar.distance_cm
        if cm < STOP_CM:                          # 到了：停车 / there: park
            wheels.stop()
            print("parked", cm, "cm from the wall")
            break
        on_left, on_right = left.on_line, right.on_line
        if on_left and not on_right:
            steer = "left"
        elif on_right and not on_left:
            steer = "right"
        else:
            steer = "straight"
        slow = cm < SLOW_CM                       # 快到了就开慢一点 / nearly there: slower
        if (steer, slow) != doing:                # 只在要改变时才告诉电机 / tell the motors only when it changes
            speed_left, speed_right = SPEEDS[steer]
            scale = 0.5 if slow else 1.0
            wheels.value = (speed_left * scale, speed_right * scale)
            doing = (steer, slow)
        kit.sleep(0.01)
