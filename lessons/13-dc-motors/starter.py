"""第 13 课：用电机驱动板控制两个直流电机  ·  Lesson 13: two DC motors through a motor driver

运行 / Run:    makerkit lesson run 13-dc-motors --sim
检查 / Check:  makerkit lesson check 13-dc-motors --sim
"""


def main(kit):
    wheels = kit.motor_driver(left=(kit.pins.in1, kit.pins.in2, kit.pins.ena),     # 左电机 / left motor
                              right=(kit.pins.in3, kit.pins.in4, kit.pins.enb))   # 右电机 / right motor

    wheels.forward(1)       # 第 1 步：全速前进 2 秒 / step 1: forward at full speed for 2 s
    kit.sleep(2)
    wheels.backward(1)      # 第 2 步：全速后退 2 秒 / step 2: backward at full speed for 2 s
    kit.sleep(2)
    # 你的任务：第 3 步原地左转 1 秒（wheels.left），第 4 步原地右转 1 秒（wheels.right），
    # 第 5 步半速前进 2 秒（wheels.forward(0.5)）。
    # Your turn: step 3 spin left for 1 s (wheels.left), step 4 spin right for 1 s (wheels.right),
    # step 5 forward at half speed for 2 s (wheels.forward(0.5)).
    wheels.stop()           # 最后：停下 / last: stop
