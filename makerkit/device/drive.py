"""A two-motor driver board (L298N, TB6612FNG, L9110S) driving a robot's left and right wheels."""

from __future__ import annotations

from ..errors import PinError, UsageError
from ..protocol import firmata as fm
from . import wiring
from .base import Device, check_fraction
from .inputs import DigitalInput
from .motion import HBridge, check_speed
from .source import SourceMixin, ValuesMixin


def _channel(pins, side: str) -> tuple:
    if isinstance(pins, (str, int)) or not isinstance(pins, (tuple, list)) or len(pins) not in (2, 3):
        raise UsageError(
            en=f"{side}= needs the motor's pins as (forward, backward) or (forward, backward, speed), "
               f"like {side}=(\"D7\", \"D8\", \"D5\"), not {pins!r}.",
            zh=f"{side}= 需要电机的引脚：(正转, 反转) 或 (正转, 反转, 调速)，例如 {side}=(\"D7\", \"D8\", \"D5\")，"
               f"而不是 {pins!r}。")
    return tuple(pins) + (None,) * (3 - len(pins))


class MotorDriver(SourceMixin, ValuesMixin, Device):
    """Two DC motors on one driver board, as a two-wheeled robot has them.

    Wiring (L298N; TB6612 alike: AIN1/AIN2/PWMA and BIN1/BIN2/PWMB, STBY to 3.3-5 V): left motor on
    OUT1/OUT2, right motor on OUT3/OUT4; IN1, IN2 and ENA (a PWM pin, jumper removed) are the
    ``left=(forward, backward, speed)`` pins, IN3, IN4 and ENB the ``right=`` ones; the driver's GND
    to the board's GND, motor power from a battery pack.

        wheels = kit.motor_driver(left=("D7", "D8", "D5"), right=("D12", "D11", "D6"))
        wheels.forward(0.6); kit.sleep(1)
        wheels.left(0.4); kit.sleep(0.5)
        wheels.stop()
    """

    def __init__(self, left, right, *, kit=None):
        super().__init__(kit=kit)
        left_pins, right_pins = _channel(left, "left"), _channel(right, "right")
        self._left = HBridge(self, *left_pins)
        self._right = HBridge(self, *right_pins)

    @property
    def value(self) -> tuple[float, float]:
        """(left, right) speeds from -1 (full backwards) to 1 (full forwards)."""
        return (self._left.value, self._right.value)

    @value.setter
    def value(self, speeds) -> None:
        self._check()
        try:
            left, right = speeds
        except (TypeError, ValueError):
            raise UsageError(en=f"value needs two speeds (left, right), like (0.5, -0.5), not {speeds!r}.",
                             zh=f"value 需要两个速度（左, 右），例如 (0.5, -0.5)，而不是 {speeds!r}。") from None
        self._left.drive(check_speed(left, "The left speed", "左轮速度"))
        self._right.drive(check_speed(right, "The right speed", "右轮速度"))

    @property
    def is_active(self) -> bool:
        return any(self.value)

    def forward(self, speed: float = 1.0) -> None:
        """Both wheels forwards at ``speed`` (0 to 1)."""
        speed = check_fraction(speed, "The speed", "速度")
        self.value = (speed, speed)

    def backward(self, speed: float = 1.0) -> None:
        """Both wheels backwards at ``speed`` (0 to 1)."""
        speed = check_fraction(speed, "The speed", "速度")
        self.value = (-speed, -speed)

    def left(self, speed: float = 1.0) -> None:
        """Spin left on the spot: left wheel backwards, right wheel forwards."""
        speed = check_fraction(speed, "The speed", "速度")
        self.value = (-speed, speed)

    def right(self, speed: float = 1.0) -> None:
        """Spin right on the spot: left wheel forwards, right wheel backwards."""
        speed = check_fraction(speed, "The speed", "速度")
        self.value = (speed, -speed)

    def reverse(self) -> None:
        """Both wheels the other way at the same speeds."""
        left, right = self.value
        self.value = (-left, -right)

    def stop(self) -> None:
        self._check()
        self._safe()

    def _safe(self) -> None:
        self._stop_source()
        self._left.stop()
        self._right.stop()

    @classmethod
    def check_wiring(cls, kit, wired) -> list:
        """The wiring check (:mod:`makerkit.device.wiring`): each of the driver's input pins is free
        (a pin that can drive, not the board's own buzzer or button, not held by another part) and
        nothing else drives it (read with the pull-up it reads 1; a driver's inputs never pull down).
        The pins are left as outputs at 0, so the motors stay still."""
        faults, probes = [], []
        try:
            for wire in wired.signals:
                trouble = _pin_in_use(kit, wired, wire)
                if trouble is None:
                    probe, trouble = wiring.open_part(lambda: DigitalInput(wire.pin, kit=kit, pull_up=True),
                                                      wired, (wire,))
                    if probe is not None:
                        probes.append((wire, probe))
                if trouble is not None:
                    faults.append(trouble)
            faults.extend(_driven_low(kit, wired, probes))
        finally:
            for wire, probe in probes:
                probe.close()
                number = kit.board.pin(wire.pin).number
                kit.client.set_pin_mode(number, fm.PinMode.OUTPUT)
                kit.client.digital_write(number, 0)
        return faults


def _pin_in_use(kit, wired, wire):
    """A fault when ``wire``'s pin cannot drive or the board uses it for something of its own."""
    try:
        kit.board.pin(wire.pin, mode="output")
    except PinError as exc:
        return wiring.fault(wired, (wire,), exc.message_en, exc.message_zh, exc.hint_en, exc.hint_zh)
    use = wiring.onboard_use(kit.board, wire.pin)
    if use is None:
        return None
    return wiring.fault(
        wired, (wire,),
        f"{wire.pin} is also the board's own {use.replace('_', ' ')}: the motor driver cannot have it.",
        f"{wire.pin} 已经被开发板自带的 {use} 占用了，电机驱动板不能再用它。",
        "Move this wire to a free pin (see the lesson's wiring table).",
        "把这根线换到一个空闲的引脚上（参照课程的接线表）。")


def _driven_low(kit, wired, probes) -> list:
    """Faults for the probed pins that read 0 with the pull-up at any moment of a short look."""
    if not probes:
        return []
    looks = wiring.sample(kit, lambda: tuple(probe.value for _, probe in probes), 0.1)
    return [wiring.fault(
        wired, (wire,),
        f"Something pulls {wire.pin} to 0: the motor driver pin is not free.",
        f"有东西把 {wire.pin} 拉到了 0：这个电机驱动引脚不是空闲的。",
        f"Follow the wire from {wire.pin}: it must go to the driver's {wire.leg_en} only, "
        "not to GND or to another part.",
        f"顺着 {wire.pin} 的线检查：它只能接到驱动板的 {wire.leg_zh}，不能接 GND，也不能接到别的元件上。")
        for i, (wire, _) in enumerate(probes) if any(look[i] == 0 for look in looks)]
