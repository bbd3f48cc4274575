"""第 18 课：小车走正方形（参考答案）  ·  Lesson 18: drive a square (solution)"""

SPEED = 0.5        # 两个轮子都用一半的速度：每秒约 20 厘米 / both wheels at half speed: about 20 cm a second
SIDE_S = 4.0       # 秒：直行 80 厘米 / seconds to drive 80 cm
TURN_S = 0.51      # 秒：原地左转 90 度 / seconds to spin a quarter turn left
PAUSE_S = 0.3      # 秒：每次动作之间停一下，让小车站稳 / a short stop between moves


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    for side in range(4):                 # 四条边，四个角 / four sides, four corners
        print("side", side + 1)
        wheels.forward(SPEED)
        kit.sleep(SIDE_S)
        wheels.stop()
        kit.sleep(PAUSE_S)
        wheels.left(SPEED)                # 左轮向后、右轮向前：原地左转 / left back, right forward: spin left
        kit.sleep(TURN_S)
        wheels.stop()
        kit.sleep(PAUSE_S)
    print("done")
