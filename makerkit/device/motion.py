"""Things that move: Servo (angle) and Motor (one channel of an H-bridge such as the L298N or L9110)."""

from __future__ import annotations

from ..errors import UsageError
from ..protocol import firmata as fm
from .base import Device, check_fraction
from .source import SourceMixin, ValuesMixin


class Servo(SourceMixin, Device):
    """A hobby servo (SG90, MG996R) turned to an angle from 0 to 180 degrees.

    Wiring: brown/black → GND, red → 5 V (a separate supply for big servos), orange/yellow → the pin.

        servo = kit.servo("D9")
        servo.angle = 90
        kit.sleep(0.5)
    """

    def __init__(self, pin, *, kit=None, min_pulse_us: int = 544, max_pulse_us: int = 2400):
        super().__init__(kit=kit)
        kit = self.kit
        self.pin_info = self._claim(pin, "servo")
        self.pin = self.pin_info.name
        if not (isinstance(min_pulse_us, int) and isinstance(max_pulse_us, int)
                and 0 < min_pulse_us < max_pulse_us <= 16383):
            raise UsageError(en=f"Servo pulses must be whole microseconds with min < max, not "
                                f"{min_pulse_us!r}..{max_pulse_us!r}.",
                             zh=f"舵机脉宽必须是整数微秒，并且最小值小于最大值，而不是 {min_pulse_us!r}..{max_pulse_us!r}。")
        self._angle: float | None = None
        kit.client.send(fm.servo_config(self.pin_info.number, min_pulse_us, max_pulse_us))
        kit.client.set_pin_mode(self.pin_info.number, fm.PinMode.SERVO)

    @property
    def angle(self) -> float | None:
        """The angle last set (None before the first one)."""
        return self._angle

    @angle.setter
    def angle(self, degrees) -> None:
        self._check()
        if degrees is None:
            self.detach()
            return
        if not isinstance(degrees, (int, float)) or not 0 <= degrees <= 180:
            raise UsageError(en=f"A servo angle must be from 0 to 180 degrees, not {degrees!r}.",
                             zh=f"舵机角度必须在 0 到 180 度之间，而不是 {degrees!r}。")
        client = self.kit.client
        client.ensure_pin_mode(self.pin_info.number, fm.PinMode.SERVO)
        client.send(fm.analog_write(self.pin_info.number, round(degrees)))
        self._angle = float(degrees)
        self._output(self.pin, degrees / 180.0)

    def detach(self) -> None:
        """Stop the pulses: the servo goes limp and stays where it is."""
        self.kit.client.set_pin_mode(self.pin_info.number, fm.PinMode.OUTPUT)
        self.kit.client.digital_write(self.pin_info.number, 0)
        self._angle = None

    _source_target = "angle"      # servo.source = (180 * v for v in knob.values)

    def _safe(self) -> None:
        self._stop_source()
        self.detach()


class HBridge:
    """One channel of an H-bridge driver: two direction pins and an optional speed (PWM) pin, held
    by ``device`` (a :class:`Motor`, or one side of a :class:`~makerkit.device.drive.MotorDriver`)."""

    def __init__(self, device: Device, forward, backward, enable=None):
        self.device = device
        kit = device.kit
        board = kit.board
        if enable is None:   # speed through PWM on IN1/IN2 where the pins can do it
            modes = ["pwm" if board.pin(p).pwm else "output" for p in (forward, backward)]
        else:
            board.pin(forward), board.pin(backward)
            modes = ["output", "output"]
        self.enable = device._claim(enable, "pwm") if enable is not None else None
        self.forward_pin = device._claim(forward, modes[0])
        self.backward_pin = device._claim(backward, modes[1])
        self._pwm = self.enable is None and self.forward_pin.pwm and self.backward_pin.pwm
        self.value = 0.0
        self._maxes = {}
        client = kit.client
        for info in (self.forward_pin, self.backward_pin, self.enable):
            if info is None:
                continue
            if info is self.enable or self._pwm:
                client.set_pin_mode(info.number, fm.PinMode.PWM)
                self._maxes[info.number] = (1 << kit.resolution(info.number, fm.PinMode.PWM,
                                                                 kit.board.pwm_bits)) - 1
                client.send(fm.analog_write(info.number, 0))
            else:
                client.set_pin_mode(info.number, fm.PinMode.OUTPUT)
                client.digital_write(info.number, 0)

    def _level(self, info, fraction: float) -> None:
        client = self.device.kit.client
        if info.number in self._maxes:
            client.send(fm.analog_write(info.number, round(fraction * self._maxes[info.number])))
        else:
            client.digital_write(info.number, 1 if fraction > 0 else 0)
        self.device._output(info.name, fraction if info.number in self._maxes else float(fraction > 0))

    def drive(self, value: float) -> None:
        """Turn at ``value`` from -1 (full backwards) to 1 (full forwards)."""
        speed = check_fraction(abs(value), "The speed", "速度")
        if self.enable is None and not self._pwm and 0 < speed < 1:
            raise UsageError(
                en=(f"Speed {speed:g} needs PWM: wire IN1/IN2 to PWM pins or connect ENA to a PWM pin "
                    f"(motor(forward, backward, enable=...)). Without PWM use 0 or 1."),
                zh=(f"速度 {speed:g} 需要 PWM：请把 IN1/IN2 接到 PWM 引脚，或者把 ENA 接到 PWM 引脚"
                    f"（motor(forward, backward, enable=...)）。没有 PWM 时只能用 0 或 1。"))
        forwards = value >= 0
        on, off = (self.forward_pin, self.backward_pin) if forwards else (self.backward_pin, self.forward_pin)
        self._level(off, 0)
        if self.enable is not None:
            self._level(on, 1 if speed > 0 else 0)
            self._level(self.enable, speed)
        else:
            self._level(on, speed)
        self.value = speed if forwards else -speed

    def stop(self) -> None:
        for info in (self.enable, self.forward_pin, self.backward_pin):
            if info is not None:
                self._level(info, 0)
        self.value = 0.0


def check_speed(value, what_en: str = "The speed", what_zh: str = "速度") -> float:
    """A signed speed from -1 to 1 (a UsageError otherwise)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -1.0 <= value <= 1.0:
        raise UsageError(en=f"{what_en} must be a number from -1 to 1, not {value!r}.",
                         zh=f"{what_zh}必须是 -1 到 1 之间的数，而不是 {value!r}。")
    return float(value)


class Motor(SourceMixin, ValuesMixin, Device):
    """A DC motor on an H-bridge driver (L298N, L9110, TB6612).

    Wiring: ``forward`` pin → IN1, ``backward`` pin → IN2, optional ``enable`` (a PWM pin) → ENA
    (remove the ENA jumper); motor on OUT1/OUT2; the driver's GND to the board's GND; motor power
    from a battery, not from the board. Without ``enable``, use PWM pins for IN1/IN2 to set the speed.

        motor = kit.motor(forward="D5", backward="D6")
        motor.forward(0.5); kit.sleep(2)
        motor.stop()
    """

    def __init__(self, forward, backward, enable=None, *, kit=None):
        super().__init__(kit=kit)
        self._bridge = HBridge(self, forward, backward, enable)
        self.enable = self._bridge.enable
        self.forward_pin = self._bridge.forward_pin
        self.backward_pin = self._bridge.backward_pin

    def forward(self, speed: float = 1.0) -> None:
        """Turn forwards at ``speed`` (0 to 1)."""
        self._check()
        self._bridge.drive(check_fraction(speed, "The speed", "速度"))

    def backward(self, speed: float = 1.0) -> None:
        """Turn backwards at ``speed`` (0 to 1)."""
        self._check()
        self._bridge.drive(-check_fraction(speed, "The speed", "速度"))

    def reverse(self) -> None:
        """Same speed, other direction."""
        self._check()
        self._bridge.drive(-self._bridge.value)

    def stop(self) -> None:
        self._check()
        self._safe()

    @property
    def value(self) -> float:
        """Speed from -1 (full backwards) to 1 (full forwards)."""
        return self._bridge.value

    @value.setter
    def value(self, speed) -> None:
        self._check()
        self._bridge.drive(check_speed(speed))

    @property
    def is_active(self) -> bool:
        return self._bridge.value != 0

    def _safe(self) -> None:
        self._stop_source()
        self._bridge.stop()
