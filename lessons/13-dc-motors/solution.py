"""第 13 课：用电机驱动板控制两个直流电机（参考答案）  ·  Lesson 13: DC motors (solution)"""


def drive(kit, move, speed, seconds):
    """做一个动作，持续 seconds 秒 / do one move for ``seconds``"""
    move(speed)
    kit.sleep(seconds)


def main(kit):
    wheels = kit.motor_driver(left=(kit.pins.in1, kit.pins.in2, kit.pins.ena),
                              right=(kit.pins.in3, kit.pins.in4, kit.pins.enb))

    drive(kit, wheels.forward, 1, 2)      # 全速前进 / forward at full speed
    drive(kit, wheels.backward, 1, 2)     # 全速后退 / backward at full speed
    drive(kit, wheels.left, 1, 1)         # 原地左转 / spin left
    drive(kit, wheels.right, 1, 1)        # 原地右转 / spin right
    drive(kit, wheels.forward, 0.5, 2)    # 半速前进（PWM） / half speed (PWM)
    wheels.stop()
