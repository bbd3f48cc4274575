"""第 18 课：小车走正方形  ·  Lesson 18: drive a square

运行 / Run:    makerkit lesson run 18-drive-square --sim --picture square.png
检查 / Check:  makerkit lesson check 18-drive-square --sim
"""

SPEED = 0.5        # 两个轮子都用一半的速度：每秒约 20 厘米 / both wheels at half speed: about 20 cm a second
SIDE_S = 4.0       # 秒：直行 80 厘米 / seconds to drive 80 cm
TURN_S = 1.0       # 秒：转弯……转多了吗？/ seconds to turn... is it too much?


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    # 一条边和一个角 / one side and one corner
    wheels.forward(SPEED)
    kit.sleep(SIDE_S)
    wheels.left(SPEED)
    kit.sleep(TURN_S)
    wheels.stop()
    # 你的任务：用 for 循环把“直行 + 转弯”做四次，并且把 TURN_S 调到正好转 90 度。
    # Your turn: repeat "drive + turn" four times with a for loop, and tune TURN_S to turn exactly 90 degrees.
