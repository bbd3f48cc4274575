"""The parts registry: every part a kit can drive, declared once.

One :class:`Part` entry says everything the rest of makerkit derives: the host class (and the module
it lives in), the factory method on :class:`~makerkit.device.kit.Kit` (``kit.led(...)``), the
firmware feature it needs (and how a student is told it is missing), the factory's pin parameters,
the role a lesson checker asks for (``run.pin("led")``), the module under ``makerkit.sim.parts``
that simulates it, if it needs more than the world's pins, and the classmethod of the host class
that checks its wires before a lesson runs (``wiring_check``; see :mod:`makerkit.device.wiring`).
``makerkit.__all__``, the Kit's factories, the recorder's device kinds and the checkers' roles all
come from :data:`PARTS`.

Adding a part: a host module (or a class in one), a sim module when the part needs one, one entry
here, and a test. A part on the I2C bus that a lesson reaches through a CircuitPython driver has an
entry in :data:`I2C_PARTS` instead: its addresses, so the wiring check can ask the bus for it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Part:
    cls: str                       # the host class, exported from makerkit ("LED")
    module: str                    # where it lives ("makerkit.device.outputs")
    factory: str                   # Kit's factory method and the recorder's device kind ("led")
    pins: tuple[str, ...]          # the factory's pin parameters, in order
    role: str = ""                 # the lesson role (run.pin(role)); the factory name when empty
    feature: str | None = None     # firmware feature it needs (FirmwareInfo.supports)
    sim: str | None = None         # module under makerkit.sim.parts that simulates it
    wiring_check: str | None = None  # classmethod of the host class: check_wiring(kit, wired) -> faults
    # how a lesson's wiring table tells this part from another of the same role: words in the part's
    # (English) name or in its legs ("DHT22" in the name, an "AO" leg on an analog line sensor)
    name_marks: tuple[str, ...] = ()
    leg_marks: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return self.factory

    @property
    def lesson_role(self) -> str:
        return self.role or self.factory

    def marked_in(self, name_en: str, legs: str) -> bool:
        """Whether a wiring table's part (its English name, its legs' labels) names this variant; a
        mark in capitals must match as written ("AO"), others in any case ("analog")."""
        def found(mark: str, text: str) -> bool:
            return mark in text if mark.isupper() else mark.lower() in text.lower()
        return (any(found(m, name_en) for m in self.name_marks)
                or any(found(m, legs) for m in self.leg_marks))


PARTS: tuple[Part, ...] = (
    Part("LED", "makerkit.device.outputs", "led", ("pin",)),
    Part("PWMLED", "makerkit.device.outputs", "pwm_led", ("pin",), role="led"),
    Part("Buzzer", "makerkit.device.outputs", "buzzer", ("pin",)),
    Part("Button", "makerkit.device.inputs", "button", ("pin",), wiring_check="check_wiring"),
    Part("LightSensor", "makerkit.device.inputs", "light_sensor", ("pin",), role="light",
         wiring_check="check_wiring"),
    Part("Potentiometer", "makerkit.device.inputs", "potentiometer", ("pin",), role="knob",
         wiring_check="check_wiring"),
    Part("LineSensor", "makerkit.device.line", "line_sensor", ("pin",), role="line", sim="line_sensor",
         wiring_check="check_wiring"),
    Part("AnalogLineSensor", "makerkit.device.line", "analog_line_sensor", ("pin",), role="line",
         sim="line_sensor", wiring_check="check_wiring", leg_marks=("AO", "analog")),
    Part("Servo", "makerkit.device.motion", "servo", ("pin",), sim="servo"),
    Part("Motor", "makerkit.device.motion", "motor", ("forward", "backward", "enable"), sim="motor"),
    Part("MotorDriver", "makerkit.device.drive", "motor_driver", ("left", "right"), role="motors",
         sim="motor_driver", wiring_check="check_wiring"),
    Part("DistanceSensor", "makerkit.device.sensors", "distance_sensor", ("trigger", "echo"),
         role="distance", feature="sonar", sim="sonar", wiring_check="check_wiring"),
    Part("DHT11", "makerkit.device.sensors", "dht11", ("pin",), role="dht", feature="dht", sim="dht",
         wiring_check="check_wiring"),
    Part("DHT22", "makerkit.device.sensors", "dht22", ("pin",), role="dht", feature="dht", sim="dht",
         wiring_check="check_wiring", name_marks=("22", "AM2302")),
)


@dataclass(frozen=True)
class I2cPart:
    """A part on the I2C bus, reached through its CircuitPython driver (``kit.i2c()``)."""
    id: str                        # as a lesson's [[parts]] id may name it ("aht20")
    addresses: tuple[int, ...]     # where it answers, the usual address first
    name_en: str
    name_zh: str


I2C_PARTS: tuple[I2cPart, ...] = (
    I2cPart("aht20", (0x38,), "AHT20 temperature and humidity sensor", "AHT20 温湿度传感器"),
    I2cPart("aht10", (0x38, 0x39), "AHT10 temperature and humidity sensor", "AHT10 温湿度传感器"),
    I2cPart("sht31", (0x44, 0x45), "SHT31 temperature and humidity sensor", "SHT31 温湿度传感器"),
    I2cPart("bme280", (0x76, 0x77), "BME280 weather sensor", "BME280 气象传感器"),
    I2cPart("bmp280", (0x76, 0x77), "BMP280 pressure sensor", "BMP280 气压传感器"),
    I2cPart("bh1750", (0x23, 0x5C), "BH1750 light sensor", "BH1750 光照传感器"),
    I2cPart("vl53l0x", (0x29,), "VL53L0X laser distance sensor", "VL53L0X 激光测距传感器"),
    I2cPart("mpu6050", (0x68, 0x69), "MPU6050 motion sensor", "MPU6050 姿态传感器"),
    I2cPart("ssd1306", (0x3C, 0x3D), "SSD1306 OLED display", "SSD1306 OLED 显示屏"),
    I2cPart("pcf8574", (0x27, 0x3F), "I2C LCD backpack (PCF8574)", "I2C 液晶转接板（PCF8574）"),
)
_I2C_BY_ID = {p.id: p for p in I2C_PARTS}


def i2c_part(name: str) -> I2cPart | None:
    """The I2C part whose id is ``name`` or appears in it ("aht20", "aht20_sensor", "AHT20 module")."""
    key = name.lower()
    return _I2C_BY_ID.get(key) or next((p for p in I2C_PARTS if p.id in key), None)


# feature -> (English, Chinese) name of what needs it, for "this firmware cannot do ..." messages
FEATURES: dict[str, tuple[str, str]] = {
    "dht": ("a DHT11/DHT22 temperature and humidity sensor", "DHT11/DHT22 温湿度传感器"),
    "sonar": ("an HC-SR04 distance sensor", "HC-SR04 超声波测距传感器"),
    "tone": ("playing notes on a buzzer", "用蜂鸣器播放音调"),
    "config": ("setting the kit's configuration", "设置套件配置"),
    "telemetry": ("sending telemetry through the kit", "通过套件发送遥测数据"),
}

_BY_FACTORY = {p.factory: p for p in PARTS}
_BY_CLASS = {p.cls: p for p in PARTS}


def part(factory: str) -> Part:
    """The entry of the part made by ``kit.<factory>(...)``; KeyError for an unknown one."""
    return _BY_FACTORY[factory]


def part_of_class(name: str) -> Part | None:
    """The entry of the host class called ``name`` (None for a class that is not a registered part)."""
    return _BY_CLASS.get(name)


def kinds_for_role(role: str) -> tuple[str, ...]:
    """The device kinds (factory names) that can play a lesson role: "led" -> ("led", "pwm_led")."""
    kinds = tuple(p.factory for p in PARTS if p.lesson_role == role)
    return kinds or (role,)


def feature_name(feature: str) -> tuple[str, str]:
    return FEATURES.get(feature, (feature, feature))


def _check() -> None:
    missing = {p.feature for p in PARTS if p.feature} - set(FEATURES)
    if missing or len(_BY_FACTORY) != len(PARTS) or len(_BY_CLASS) != len(PARTS):
        raise RuntimeError(f"parts registry: duplicate entries or unnamed features {sorted(missing)}")


_check()
