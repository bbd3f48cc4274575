"""第 12 课：舵机指针表（参考答案）  ·  Lesson 12: servo gauge (solution)"""

DIAL_START = 30     # 旋钮在 0 时指针的角度 / the needle's angle with the knob at 0
DIAL_END = 150      # 旋钮在 1 时指针的角度 / ... and at 1


def map_range(x, in_min, in_max, out_min, out_max):
    """把 x 从 in_min~in_max 映射到 out_min~out_max / map x from in_min..in_max onto out_min..out_max"""
    return out_min + (x - in_min) * (out_max - out_min) / (in_max - in_min)


def main(kit):
    knob = kit.potentiometer(kit.pins.knob)
    servo = kit.servo(kit.pins.servo)

    while True:
        servo.angle = map_range(knob.value, 0, 1, DIAL_START, DIAL_END)
        kit.sleep(0.05)
