"""第 19 课：避障小车  ·  Lesson 19: obstacle avoidance

运行 / Run:    makerkit lesson run 19-obstacle-avoid --sim --picture avoid.png
检查 / Check:  makerkit lesson check 19-obstacle-avoid --sim
"""

SPEED = 0.5        # 前进的速度 / driving speed
SAFE_CM = 30       # 前方比这更近就该转弯了 / closer than this ahead: time to turn


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)
    while True:
        cm = sonar.distance_cm
        print("distance", cm)
        wheels.forward(SPEED)      # 一直往前开……前面有箱子也不管！/ always ahead... even into a box!
        kit.sleep(0.1)
        # 你的任务：如果 cm < SAFE_CM，就原地右转（wheels.right），否则再前进。
        #           再加一个碰撞开关（kit.button(p.bumper)）：撞上了就先倒车再转开。
        # Your turn: if cm < SAFE_CM, spin right (wheels.right), else drive on.
        #            Then add the bumper (kit.button(p.bumper)): when it is pressed, back off, then turn away.
