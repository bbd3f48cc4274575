"""第 11 课：I2C 温湿度传感器（参考答案）  ·  Lesson 11: an I2C sensor (solution)"""

import adafruit_ahtx0


def main(kit):
    sensor = adafruit_ahtx0.AHTx0(kit.i2c())

    while True:
        temperature = sensor.temperature          # 摄氏度 / degrees Celsius
        humidity = sensor.relative_humidity      # 相对湿度（%） / relative humidity (%)
        print(f"{temperature:.1f} °C  {humidity:.0f} %")
        kit.sleep(2)
