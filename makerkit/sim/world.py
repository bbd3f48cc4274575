"""The simulated world around a virtual kit: LEDs, buttons, sensors, servos, motors, a buzzer, I2C.

Pins are named as printed on the board (``"D13"``, ``"A0"``, ``"GPIO2"``; Firmata numbers work too).
The firmware (through :class:`~makerkit.sim.hal.SimHal`) drives outputs and reads inputs here;
tests and lesson checkers read the outputs and set the inputs::

    world.press("D2")            # a button from D2 to GND, read with the pull-up: pressed reads 0
    world.set_light(0.2)         # the light sensor sees 20 % of full scale
    world.pin_level("D13")       # 1 while the LED is lit
    world.trace                  # every output change with its simulated time

Time is the kit's clock: ``world.now()`` is simulated seconds (virtual clock) or seconds since the kit
started (real clock). ``world.at(t, fn)`` runs ``fn(world)`` when that time comes.

A robot world (:mod:`makerkit.sim.robot`) moves with the pins: ``world.robot`` is the robot attached
to this world, or None. Its parts hook in through three seams: ``world.sonar_from(trigger, source)``
(what an HC-SR04 on that trigger pin measures), ``world.drive_input(pin, source)`` (a line sensor, a
bumper, an encoder; a source whose ``digital()`` returns None leaves the pin at its pull level) and
``world.before_outputs(fn)`` (``fn()`` runs before the firmware changes any output, so the robot moves
to that moment with the old wheel speeds first).
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import math
import random
import threading
from dataclasses import dataclass
from typing import Callable

from mkfw.wire import INPUT, OUTPUT, PULLUP, PWM, SERVO, TONE   # Firmata pin modes, the ones the world tells apart

from ..catalog import BoardProfile
from ..catalog.parts import part as registry_part
from .parts import dht, sonar
from .parts.aht20 import Aht20
from .parts.motor import speed as motor_speed
from .parts.servo import angle as _angle


@dataclass(frozen=True)
class TraceEvent:
    """One output change: ``kind`` is "digital" (0/1), "pwm" (duty 0..1), "servo" (degrees) or
    "tone" (Hz, None when it stops); pin "OLED" with kind "display" is the text the display shows."""
    t: float
    pin: str
    kind: str
    value: float | int | None


class World:
    """The world one virtual kit lives in (see the module docstring)."""

    def __init__(self, board: BoardProfile, *, seed: int = 0, clock: Callable[[], float] | None = None):
        self.board = board
        self._clock = clock or (lambda: 0.0)
        self._lock = threading.RLock()
        self._rng = random.Random(seed)
        self._phase = self._rng.uniform(0, 2 * math.pi)
        self._mode: dict[int, int] = {}
        self._level: dict[int, int] = {}       # output levels
        self._duty: dict[int, float] = {}
        self._servo_us: dict[int, int] = {}
        self._tone: dict[int, int] = {}
        self._external: dict[int, int] = {}    # inputs driven from outside (buttons, set_input)
        self._driven: dict[int, object] = {}   # inputs a simulated part drives (a line sensor)
        self._analog: dict[int, float] = {}
        self._unplugged: set[int] = set()
        self._no_pull: set[int] = set()        # pins whose pull-up is missing: an undriven input floats
        self._temperature: float | None = None
        self._humidity: float | None = None
        self._distance_cm: float = 100.0
        self._sonar_sources: dict[int, Callable[[], float]] = {}
        self._before_output: list[Callable[[], None]] = []
        self._numbers: dict[str | int, int] = {}
        self.robot = None   # the robot world attached to this kit (makerkit.sim.robot.attach), or None
        self._display: str | None = None
        self._schedule: list = []
        self._seq = itertools.count()
        self.trace: list[TraceEvent] = []
        self.i2c_devices: dict[int, object] = {0x38: Aht20(self)}
        self.on_change: Callable[[], None] | None = None   # the kit wakes its firmware loop
        self.light_pin = self._default_pin("light_sensor", 0)
        self.potentiometer_pin = self._default_pin("potentiometer", 1)

    def _default_pin(self, onboard_key: str, channel: int) -> int | None:
        name = self.board.onboard.get(onboard_key)
        if isinstance(name, str):
            return self.board.pin(name).number
        pin = self.board.analog_pin(channel)
        return pin.number if pin else None

    # --- time -----------------------------------------------------------------------------------
    def now(self) -> float:
        """Simulated seconds since the kit started."""
        return self._clock()

    def at(self, t: float, fn: Callable[["World"], None]) -> None:
        """Run ``fn(world)`` when simulated time reaches ``t`` seconds (at once if it has passed)."""
        with self._lock:
            heapq.heappush(self._schedule, (float(t), next(self._seq), fn))
        self._changed()

    def run_due(self, now: float) -> None:
        while True:
            with self._lock:
                if not self._schedule or self._schedule[0][0] > now + 1e-9:
                    return
                _, _, fn = heapq.heappop(self._schedule)
            fn(self)

    # --- names --------------------------------------------------------------------------------------
    def _num(self, pin: str | int) -> int:
        number = self._numbers.get(pin)
        if number is None:                        # the board's pins never change: look each name up once
            number = self._numbers[pin] = self.board.pin(pin).number
        return number

    def _name(self, number: int) -> str:
        info = self.board.pin_by_number(number)
        return info.name if info else str(number)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()

    def changed(self) -> None:
        """A simulated part changed what it drives: wake the real-clock firmware loop."""
        self._changed()

    # --- simulated parts ----------------------------------------------------------------------------
    def part(self, kind: str, *pins, **options):
        """Put a simulated part of registry ``kind`` in the world: ``world.part("line_sensor", "D3")``,
        ``world.part("motor_driver", ("D7", "D8", "D5"), ("D12", "D11", "D6"))``."""
        entry = registry_part(kind)
        if entry.sim is None:
            raise ValueError(f"a {kind} is only pins in the simulated world: use its pins directly")
        module = importlib.import_module(f"{__package__}.parts.{entry.sim}")
        return module.make(self, *pins, **options)

    def drive_input(self, pin: str | int, source) -> None:
        """Let ``source`` (with ``digital()`` and ``voltage()``) drive the input ``pin`` (None: stop)."""
        n = self._num(pin)
        with self._lock:
            if source is None:
                self._driven.pop(n, None)
            else:
                self._driven[n] = source
        self._changed()

    def sonar_from(self, trigger: str | int, source: Callable[[], float] | None) -> None:
        """Let ``source()`` say the distance in cm the HC-SR04 on ``trigger`` measures (None: stop)."""
        n = self._num(trigger)
        with self._lock:
            if source is None:
                self._sonar_sources.pop(n, None)
            else:
                self._sonar_sources[n] = source

    def before_outputs(self, fn: Callable[[], None], *, remove: bool = False) -> None:
        """Run ``fn()`` before every output change the firmware makes (``remove=True``: stop)."""
        with self._lock:
            if remove:
                if fn in self._before_output:
                    self._before_output.remove(fn)
            else:
                self._before_output.append(fn)

    @property
    def lock(self) -> threading.RLock:
        """The world's lock: a simulated part that reads several pins at once holds it."""
        return self._lock

    def _outputs_change(self) -> None:
        for fn in self._before_output:
            fn()

    def _driven_level(self, n: int) -> int | None:
        source = self._driven.get(n)
        return None if source is None else source.digital()

    def _record(self, number: int, kind: str, value) -> None:
        self.trace.append(TraceEvent(self.now(), self._name(number), kind, value))

    # --- what the outputs do --------------------------------------------------------------------------
    def pin_level(self, pin: str | int) -> int:
        """The logic level on a pin: what an output drives, else what drives the input (a pressed
        button reads 0), else 1 with the pull-up on, else 0."""
        n = self._num(pin)
        with self._lock:
            mode = self._mode.get(n, INPUT)
            if mode == OUTPUT:
                return self._level.get(n, 0)
            if mode == PWM:
                return 1 if self._duty.get(n, 0.0) >= 0.5 else 0
            if n in self._external:
                return self._external[n]
            driven = self._driven_level(n)
            if driven is not None:
                return driven
            return 1 if mode == PULLUP else 0

    def pwm_duty(self, pin: str | int) -> float:
        """0.0 .. 1.0: the PWM duty cycle (an output pin gives 0.0 or 1.0)."""
        n = self._num(pin)
        with self._lock:
            mode = self._mode.get(n, INPUT)
            if mode == PWM:
                return self._duty.get(n, 0.0)
            if mode == OUTPUT:
                return float(self._level.get(n, 0))
            return 0.0

    def servo_angle(self, pin: str | int) -> float | None:
        """The angle (degrees) a hobby servo on the pin turns to; None when no servo signal."""
        n = self._num(pin)
        with self._lock:
            if self._mode.get(n) != SERVO or n not in self._servo_us:
                return None
            return _angle(self._servo_us[n])

    def tone(self, pin: str | int) -> int | None:
        """The buzzer frequency on the pin in Hz, None when silent."""
        n = self._num(pin)
        with self._lock:
            freq = self._tone.get(n, 0) if self._mode.get(n) == TONE else 0
            return freq or None

    def display_text(self) -> str | None:
        """What the board's OLED shows (a teacher's ``say``), None when it shows nothing or has none."""
        with self._lock:
            return self._display

    def motor(self, forward: str | int, backward: str | int, enable: str | int | None = None) -> float:
        """A DC motor on an H-bridge (L298N/L9110): -1.0 (full backward) .. 1.0 (full forward)."""
        return motor_speed(self, forward, backward, enable)

    # --- inputs --------------------------------------------------------------------------------------
    def set_input(self, pin: str | int, level: int | None) -> None:
        """Drive an input pin to 0 or 1 from outside (None: let it go)."""
        n = self._num(pin)
        with self._lock:
            if level is None:
                self._external.pop(n, None)
            else:
                self._external[n] = 1 if level else 0
        self._changed()

    def press(self, pin: str | int) -> None:
        """Press the push button wired from ``pin`` to GND (read with the pull-up: reads 0)."""
        self.set_input(pin, 0)

    def release(self, pin: str | int) -> None:
        self.set_input(pin, None)

    def set_analog(self, pin: str | int, fraction: float) -> None:
        """The voltage on an analog pin as a fraction of full scale (0.0 .. 1.0)."""
        n = self._num(pin)
        with self._lock:
            self._analog[n] = min(1.0, max(0.0, float(fraction)))
        self._changed()

    def set_light(self, fraction: float, pin: str | int | None = None) -> None:
        """The light sensor (an LDR divider on the board's light pin or A0) sees ``fraction``."""
        if pin is not None:
            self.light_pin = self._num(pin)
        self.set_analog(self.light_pin, fraction)

    def set_potentiometer(self, fraction: float, pin: str | int | None = None) -> None:
        """Turn the potentiometer (on A1 unless given) to ``fraction`` of its travel."""
        if pin is not None:
            self.potentiometer_pin = self._num(pin)
        self.set_analog(self.potentiometer_pin, fraction)

    def set_distance_cm(self, cm: float) -> None:
        """What the HC-SR04 sees in front of it."""
        self._distance_cm = float(cm)
        self._changed()

    def distance_cm(self) -> float:
        return self._distance_cm

    def set_temperature(self, celsius: float | None) -> None:
        """Fix the air temperature the DHT and AHT20 report (None: drift slowly again)."""
        self._temperature = None if celsius is None else float(celsius)

    def set_humidity(self, percent: float | None) -> None:
        self._humidity = None if percent is None else min(100.0, max(0.0, float(percent)))

    def unplug(self, pin: str | int) -> None:
        """Pull the sensor on ``pin`` out: a DHT stops answering, an HC-SR04 hears no echo."""
        self._unplugged.add(self._num(pin))

    def plug(self, pin: str | int) -> None:
        self._unplugged.discard(self._num(pin))

    def remove_pull(self, pin: str | int) -> None:
        """Take the pull resistor away from ``pin``: nothing drives it, so it floats (reads 0 or 1 at
        random) even with the pull-up on, as a loose wire or a pin without a pull-up does."""
        self._no_pull.add(self._num(pin))
        self._changed()

    # --- the air ---------------------------------------------------------------------------------------
    def temperature(self) -> float:
        if self._temperature is not None:
            return self._temperature
        return 24.0 + 1.5 * math.sin(self.now() * 2 * math.pi / 600.0 + self._phase)

    def humidity(self) -> float:
        if self._humidity is not None:
            return self._humidity
        return 45.0 + 5.0 * math.sin(self.now() * 2 * math.pi / 900.0 + self._phase / 2)

    # --- the firmware's side (called by SimHal) -----------------------------------------------------------
    def hw_configure(self, n: int, mode: int) -> None:
        with self._lock:
            old = self._mode.get(n, INPUT)
            if old != mode:
                self._outputs_change()
            if old == TONE and self._tone.get(n):
                self._tone[n] = 0
                self._record(n, "tone", None)
            if old == PWM and mode != PWM and self._duty.get(n):
                self._duty[n] = 0.0
                self._record(n, "pwm", 0.0)
            if old == SERVO and mode != SERVO:
                self._servo_us.pop(n, None)
            if old == OUTPUT and mode != OUTPUT and self._level.get(n):
                self._level[n] = 0
                self._record(n, "digital", 0)
            self._mode[n] = mode

    def hw_write(self, n: int, value: int) -> None:
        with self._lock:
            value = 1 if value else 0
            changed = self._level.get(n, 0) != value
            if changed:
                self._outputs_change()
            self._level[n] = value
            if changed:
                self._record(n, "digital", value)

    def hw_read(self, n: int) -> int:
        with self._lock:
            if n in self._external:
                return self._external[n]
            driven = self._driven_level(n)
            if driven is not None:
                return driven
            mode = self._mode.get(n, INPUT)
            if mode == OUTPUT:
                return self._level.get(n, 0)
            if n in self._no_pull:
                return self._rng.getrandbits(1)
            return 1 if mode == PULLUP else 0

    def hw_analog(self, n: int) -> float:
        with self._lock:
            if n in self._analog:
                return self._analog[n]
            if n in self._driven:
                return self._driven[n].voltage()
            if n == self.light_pin or n == self.potentiometer_pin:
                return 0.5
            if n in self._external:
                return float(self._external[n])
            return 0.0

    def hw_pwm(self, n: int, duty: float) -> None:
        with self._lock:
            if self._duty.get(n) != duty:
                self._outputs_change()
                self._duty[n] = duty
                self._record(n, "pwm", duty)

    def hw_servo(self, n: int, pulse_us: int) -> None:
        with self._lock:
            old = self._servo_us.get(n)
            self._servo_us[n] = pulse_us
            if old is None or _angle(old) != _angle(pulse_us):
                self._record(n, "servo", _angle(pulse_us))

    def hw_tone(self, n: int, freq: int) -> None:
        with self._lock:
            if self._tone.get(n, 0) != freq:
                self._tone[n] = freq
                self._record(n, "tone", freq or None)

    def hw_show_text(self, text: str, address: int) -> bool:
        if address != self.board.onboard.get("oled_i2c_address"):
            return False
        with self._lock:
            self._display = text
            self.trace.append(TraceEvent(self.now(), "OLED", "display", text))
        return True

    def hw_sonar(self, trigger: int, echo: int) -> int:
        unplugged = trigger in self._unplugged or echo in self._unplugged
        source = self._sonar_sources.get(trigger)
        return sonar.echo_cm(self._distance_cm if source is None else source(), unplugged)

    def hw_dht(self, n: int, kind: int) -> tuple[float, float]:
        return dht.reading(self.temperature(), self.humidity(), kind, n in self._unplugged)
