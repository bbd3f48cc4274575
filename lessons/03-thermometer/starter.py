"""第 3 课：温湿度计  ·  Lesson 3: thermometer

DHT11 的 S 脚接 D4（ESP32 上是 GPIO4），+ 接 5V（ESP32 接 3V3），− 接 GND。
Wire the DHT11's S pin to D4 (GPIO4 on an ESP32), + to 5V (3V3 on an ESP32), − to GND.

运行 / Run:    makerkit lesson run 03-thermometer --sim
检查 / Check:  makerkit lesson check 03-thermometer --sim
"""


def main(kit):
    # kit.pins.dht 是接线表里 DHT11 的引脚（Uno 上是 D4，掌控板上是 P0）。
    # kit.pins.dht is the DHT11's pin in the wiring table (D4 on an Uno, P0 on the mPython board).
    sensor = kit.dht11(kit.pins.dht)

    temperature = sensor.temperature      # 温度，单位 °C / temperature in °C
    print(temperature)

    # 你的任务：
    #   1. 也读出湿度 sensor.humidity（单位 %）；
    #   2. 打印的时候带上单位，比如：温度 23 °C  湿度 45 %；
    #   3. 放进 while True: 循环，每 2 秒测一次（kit.sleep(2)）。
    # Your turn:
    #   1. read the humidity too: sensor.humidity (in %);
    #   2. print the values with their units, like: temperature 23 °C  humidity 45 %;
    #   3. put it in a while True: loop that measures every 2 seconds (kit.sleep(2)).
