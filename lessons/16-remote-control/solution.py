"""第 16 课：远程控制的窗户（参考答案）  ·  Lesson 16: remote-controlled window (solution)"""

OPEN = 90       # 度：打开 / degrees: open
CLOSED = 0      # 度：关上 / degrees: closed
WORDS = {"open": OPEN, "打开": OPEN, "开": OPEN, "close": CLOSED, "关闭": CLOSED, "关": CLOSED}


def angle_for(text):
    """消息对应的角度，不认识就返回 None / the angle a message asks for, None when unknown"""
    text = text.strip().lower()
    if text in WORDS:
        return WORDS[text]
    if text.isdigit() and 0 <= int(text) <= 180:
        return int(text)
    return None


def main(kit):
    window = kit.servo(kit.pins.servo)      # 舵机带动窗户 / the servo moves the window
    window.angle = CLOSED

    def on_message(message):
        if message["cmd"] != "say":
            return
        angle = angle_for(message["text"])
        if angle is None:
            print("不认识这个命令 unknown command:", message["text"])
            return
        window.angle = angle
        kit.event("window", angle=angle)    # 告诉看板窗户现在的位置 / tell the dashboard where it is
        print("窗户 window:", angle, "°")

    kit.when_message(on_message)            # 有消息来就调用 on_message / call on_message for each message
    kit.pause()                             # 一直等下去 / wait for ever
