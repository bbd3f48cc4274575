"""第 15 课：温室报警器（参考答案）  ·  Lesson 15: greenhouse alarm (solution)"""

HIGH = 30     # °C：达到这个温度就报警 / the alarm goes on at this temperature or above
LOW = 28      # °C：降到这个温度才解除 / ... and clears only at this temperature or below


def main(kit):
    sensor = kit.dht11(kit.pins.dht)
    buzzer = kit.buzzer(kit.pins.buzzer)
    alarm_on = False                  # 报警器的状态 / the alarm's state

    while True:
        temperature = sensor.temperature
        if not alarm_on and temperature >= HIGH:
            alarm_on = True
            buzzer.play(880)
            kit.event("alarm", temperature=temperature)          # 告诉全班 / tell the class
            print(f"报警！alarm! {temperature:.0f} °C")
        elif alarm_on and temperature <= LOW:
            alarm_on = False
            buzzer.stop()
            kit.event("all_clear", temperature=temperature)
            print(f"解除 all clear: {temperature:.0f} °C")
        kit.sleep(1)
