"""第 16 课：远程控制的窗户  ·  Lesson 16: remote-controlled window

舵机的信号线（橙色）接 kit.pins.servo，红色接 5V，棕色接 GND。
Wire the servo's signal (orange) to kit.pins.servo, red to 5V, brown to GND.

运行 / Run:    makerkit lesson run 16-remote-control --sim
检查 / Check:  makerkit lesson check 16-remote-control --sim
"""

OPEN = 90       # 度：打开 / degrees: open
CLOSED = 0      # 度：关上 / degrees: closed


def main(kit):
    window = kit.servo(kit.pins.servo)      # 舵机带动窗户 / the servo moves the window
    window.angle = CLOSED

    def on_message(message):
        # message 是老师发来的消息，例如 {"cmd": "say", "text": "open", "by": "7a.teacher"}
        # message is the teacher's message, for example {"cmd": "say", "text": "open", "by": "7a.teacher"}
        text = message.get("text", "").strip().lower()
        if text == "open":
            window.angle = OPEN

    kit.when_message(on_message)            # 有消息来就调用 on_message / call on_message for each message
    kit.pause()                             # 一直等下去 / wait for ever

    # 你的任务：
    #   1. "close"、"关闭"、"关" 关上窗户；"打开"、"开" 也能打开窗户；
    #   2. 消息是一个数字（比如 "45"）时，把窗户转到这个角度（0 到 180）；
    #   3. 不认识的消息：什么也不做；
    #   4. 每次转动之后，发送 kit.event("window", angle=角度)，告诉看板窗户在哪里。
    # Your turn:
    #   1. "close", "关闭" and "关" close the window; "打开" and "开" open it too;
    #   2. a message that is a number (like "45") turns the window to that angle (0 to 180);
    #   3. a message you do not know: do nothing;
    #   4. after each move, send kit.event("window", angle=angle) to tell the dashboard where it is.
