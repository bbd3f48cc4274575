"""第 3 课：温湿度计（参考答案）  ·  Lesson 3: thermometer (solution)"""


def main(kit):
    sensor = kit.dht11(kit.pins.dht)      # 接线表里 DHT11 的引脚 / the DHT11's pin in the wiring table

    while True:
        temperature = sensor.temperature          # °C
        humidity = sensor.humidity                # %
        print(f"温度 temperature {temperature:.1f} °C   湿度 humidity {humidity:.0f} %")
        # 发送到班级数据看板 / send it to the class dashboard
        kit.publish("temperature", temperature, unit="°C")
        kit.publish("humidity", humidity, unit="%")
        kit.sleep(2)                              # 每 2 秒一次 / every 2 seconds
