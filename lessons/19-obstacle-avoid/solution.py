"""第 19 课：避障小车（参考答案）  ·  Lesson 19: obstacle avoidance (solution)"""

SPEED = 0.5        # 前进的速度 / driving speed
SAFE_CM = 40       # 前方比这更近就转弯 / closer than this ahead: turn
TURN_SPEED = 0.5


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)
    bumper = kit.button(p.bumper)
    while True:
        if bumper.is_pressed:                     # 撞上了：先倒车，再转开 / bumped: back off, then turn away
            wheels.backward(SPEED)
            kit.sleep(0.4)
            wheels.right(TURN_SPEED)
            kit.sleep(0.4)
        elif sonar.distance_cm < SAFE_CM:         # 前面有东西：原地右转 / something ahead: spin right
            wheels.right(TURN_SPEED)
            kit.sleep(0.1)
        else:                                     # 前面没东西：前进 / the way is clear: drive on
            wheels.forward(SPEED)
            kit.sleep(0.05)
