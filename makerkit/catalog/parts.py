"""The parts registry: every part a kit can drive, declared once.

One :class:`Part` entry says everything the rest of makerkit derives: the host class (and the module
it lives in), the factory method on :class:`~makerkit.device.kit.Kit` (``kit.led(...)``), the
firmware feature it needs (and how a student is told it is missing), the factory's pin parameters,
the role a lesson checker asks for (``run.pin("led")``) and the module under ``makerkit.sim.parts``
that simulates it, if it needs more than the world's pins. ``makerkit.__all__``, the Kit's
factories, the recorder's device kinds and the checkers' roles all come from :data:`PARTS`.

Adding a part: a host module (or a class in one), a sim module when the part needs one, one entry
here, and a test.
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

    @property
    def kind(self) -> str:
        return self.factory

    @property
    def lesson_role(self) -> str:
        return self.role or self.factory


PARTS: tuple[Part, ...] = (
    Part("LED", "makerkit.device.outputs", "led", ("pin",)),
    Part("PWMLED", "makerkit.device.outputs", "pwm_led", ("pin",), role="led"),
    Part("Buzzer", "makerkit.device.outputs", "buzzer", ("pin",)),
    Part("Button", "makerkit.device.inputs", "button", ("pin",)),
    Part("LightSensor", "makerkit.device.inputs", "light_sensor", ("pin",), role="light"),
    Part("Potentiometer", "makerkit.device.inputs", "potentiometer", ("pin",), role="knob"),
    Part("LineSensor", "makerkit.device.line", "line_sensor", ("pin",), role="line", sim="line_sensor"),
    Part("AnalogLineSensor", "makerkit.device.line", "analog_line_sensor", ("pin",), role="line",
         sim="line_sensor"),
    Part("Servo", "makerkit.device.motion", "servo", ("pin",), sim="servo"),
    Part("Motor", "makerkit.device.motion", "motor", ("forward", "backward", "enable"), sim="motor"),
    Part("MotorDriver", "makerkit.device.drive", "motor_driver", ("left", "right"), role="motors",
         sim="motor_driver"),
    Part("DistanceSensor", "makerkit.device.sensors", "distance_sensor", ("trigger", "echo"),
         role="distance", feature="sonar", sim="sonar"),
    Part("DHT11", "makerkit.device.sensors", "dht11", ("pin",), role="dht", feature="dht", sim="dht"),
    Part("DHT22", "makerkit.device.sensors", "dht22", ("pin",), role="dht", feature="dht", sim="dht"),
)

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
