"""第 15 课：温室报警器  ·  Lesson 15: greenhouse alarm

DHT11 的 S 脚接 kit.pins.dht，蜂鸣器的 + 接 kit.pins.buzzer（掌控板用板载蜂鸣器）。
Wire the DHT11's S pin to kit.pins.dht and the buzzer's + to kit.pins.buzzer
(the mPython board uses its own buzzer).

运行 / Run:    makerkit lesson run 15-alarm --sim
检查 / Check:  makerkit lesson check 15-alarm --sim
"""

HIGH = 30     # °C：达到这个温度就报警 / the alarm goes on at this temperature or above
LOW = 28      # °C：降到这个温度才解除 / ... and clears only at this temperature or below


def main(kit):
    sensor = kit.dht11(kit.pins.dht)
    buzzer = kit.buzzer(kit.pins.buzzer)

    while True:
        temperature = sensor.temperature
        print("温度 temperature", temperature, "°C")
        if temperature >= HIGH:
            buzzer.play(880)          # 太热了！/ too hot!
        else:
            buzzer.stop()
        kit.sleep(1)

    # 你的任务：
    #   1. 用变量 alarm_on 记住报警器是开还是关（循环前面写 alarm_on = False）；
    #   2. 报警的那一刻发送 kit.event("alarm", temperature=temperature)，只发一次；
    #   3. 温度降到 LOW 或更低时才解除报警：停止蜂鸣器，发送 kit.event("all_clear", temperature=temperature)。
    # Your turn:
    #   1. remember in a variable alarm_on whether the alarm is on (alarm_on = False before the loop);
    #   2. at the moment the alarm goes on, send kit.event("alarm", temperature=temperature), once;
    #   3. clear the alarm only at LOW or below: stop the buzzer and send
    #      kit.event("all_clear", temperature=temperature).
