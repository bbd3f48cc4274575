"""第 14 课：班级气象站（参考答案）  ·  Lesson 14: class weather station (solution)"""

INTERVAL = 5          # 每轮读数之间的秒数 / seconds between two rounds of readings


def main(kit):
    sensor = kit.dht11(kit.pins.dht)           # 温湿度 / temperature and humidity
    light = kit.light_sensor(kit.pins.light)   # 光照：0（黑暗）到 1（阳光）/ light: 0 (dark) to 1 (sunshine)

    while True:
        temperature = sensor.temperature        # °C
        humidity = sensor.humidity              # %
        brightness = round(light.value * 100)   # 0..1 换算成百分数 / 0..1 as a percentage
        print(f"{temperature:.0f} °C   {humidity:.0f} %   光照 light {brightness} %")
        kit.publish("temperature", temperature, unit="°C")
        kit.publish("humidity", humidity, unit="%")
        kit.publish("light", brightness, unit="%")
        kit.sleep(INTERVAL)
