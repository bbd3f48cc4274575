"""第 14 课：班级气象站  ·  Lesson 14: class weather station

DHT11 的 S 脚接 kit.pins.dht，光线传感器的 AO 接 kit.pins.light（掌控板用板载光线传感器）。
Wire the DHT11's S pin to kit.pins.dht and the light sensor's AO to kit.pins.light
(the mPython board uses its own light sensor).

运行 / Run:    makerkit lesson run 14-weather-station --sim
检查 / Check:  makerkit lesson check 14-weather-station --sim
"""

INTERVAL = 5          # 每轮读数之间的秒数 / seconds between two rounds of readings


def main(kit):
    sensor = kit.dht11(kit.pins.dht)      # 接线表里 DHT11 的引脚 / the DHT11's pin in the wiring table

    while True:
        temperature = sensor.temperature
        print("temperature 温度", temperature)
        kit.publish("temperature", temperature)      # 发送到班级数据看板 / to the class dashboard
        kit.sleep(INTERVAL)

    # 你的任务：
    #   1. 给 temperature 加上单位：unit="°C"；
    #   2. 也发送湿度 humidity（单位 %）；
    #   3. 创建光线传感器 kit.light_sensor(kit.pins.light)，发送光照 light，
    #      换算成百分数（light.value * 100），单位 %。
    # Your turn:
    #   1. give temperature its unit: unit="°C";
    #   2. send the humidity too (in %);
    #   3. make the light sensor, kit.light_sensor(kit.pins.light), and send light
    #      as a percentage (light.value * 100) in %.
