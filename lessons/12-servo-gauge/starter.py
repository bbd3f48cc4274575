"""第 12 课：舵机指针表  ·  Lesson 12: servo gauge

运行 / Run:    makerkit lesson run 12-servo-gauge --sim
检查 / Check:  makerkit lesson check 12-servo-gauge --sim
"""


def main(kit):
    knob = kit.potentiometer(kit.pins.knob)    # 读数 0~1 / reads 0..1
    servo = kit.servo(kit.pins.servo)          # 角度 0~180 / angle 0..180

    while True:
        servo.angle = knob.value * 180
        # 你的任务：表盘只画了 30° 到 150°，指针跑出表盘了！写一个 map_range 函数，
        # 把 0~1 映射到 30~150：servo.angle = map_range(knob.value, 0, 1, 30, 150)
        # Your turn: the dial is drawn from 30° to 150° only, and the needle runs off it! Write a
        # map_range function that maps 0..1 onto 30..150: servo.angle = map_range(knob.value, 0, 1, 30, 150)
        kit.sleep(0.05)
