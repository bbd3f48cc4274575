"""第 21 课：项目：自动停车  ·  Lesson 21: self-parking robot

运行 / Run:    makerkit lesson run 21-parking-project --sim --picture parking.png
检查 / Check:  makerkit lesson check 21-parking-project --sim

这是你们小组的项目：下面的程序只会沿着引导线开（第 20 课），到了车库也不会停。
This is your team's project: the program below only follows the guide line (lesson 20), and does
not stop in the garage.
"""

FAST = 0.45        # 直行 / straight on
TURN_FAST = 0.5    # 转弯时外侧轮子 / the outer wheel in a turn
TURN_SLOW = -0.2   # 转弯时内侧轮子 / the inner wheel in a turn


def main(kit):
    p = kit.pins
    wheels = kit.motor_driver(left=(p.left_forward, p.left_backward, p.left_speed),
                              right=(p.right_forward, p.right_backward, p.right_speed))
    sonar = kit.distance_sensor(trigger=p.distance_trigger, echo=p.distance_echo)
    left = kit.line_sensor(p.line_left)
    right = kit.line_sensor(p.line_right)
    while True:
        cm = sonar.distance_cm                    # 前方的距离，还没有用上 / the distance ahead, not used yet
        on_left, on_right = left.on_line, right.on_line
        if on_left and not on_right:
            wheels.value = (TURN_SLOW, TURN_FAST)
        elif on_right and not on_left:
            wheels.value = (TURN_FAST, TURN_SLOW)
        else:
            wheels.forward(FAST)
        # 你们的方案：什么时候停车？怎样停得又近又不碰墙？
        # Your plan: when does the robot stop? How does it stop close to the wall without touching it?
        kit.sleep(0.01)
