"""第 11 课：I2C 温湿度传感器（AHT20）  ·  Lesson 11: an I2C sensor (AHT20)

运行 / Run:    makerkit lesson run 11-i2c-sensor --sim
检查 / Check:  makerkit lesson check 11-i2c-sensor --sim
"""

import adafruit_ahtx0    # Adafruit 为 AHT10/AHT20 写的 CircuitPython 驱动 / Adafruit's CircuitPython driver for the AHT10/AHT20


def main(kit):
    i2c = kit.i2c()                       # 开发板的 I2C 总线（SDA、SCL） / the board's I2C bus (SDA, SCL)
    sensor = adafruit_ahtx0.AHTx0(i2c)    # 总线上地址 0x38 的 AHT20 / the AHT20 at address 0x38 on the bus

    while True:
        print(sensor.temperature)
        # 你的任务：温度后面加上单位 °C，再读出湿度 sensor.relative_humidity，带上 % 一起打印。
        # Your turn: write the unit °C after the temperature, and read the humidity
        # (sensor.relative_humidity) and print it too, with %.
        kit.sleep(2)
