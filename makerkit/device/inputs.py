"""Things the kit reads: Button (digital), LightSensor and Potentiometer (analog, 0..1)."""

from __future__ import annotations

import threading

from ..errors import NoAnswerError
from ..protocol import firmata as fm
from .base import Device, user_callback

FIRST_REPORT_TIMEOUT = 1.0   # seconds to wait for the first report of an input
BUTTON_STEP = 0.005          # simulated seconds per step while waiting for a button


class Button(Device):
    """A push button.

    Wiring (the default, ``pull_up=True``): one leg → the pin, the other leg → GND. The board's
    internal pull-up resistor holds the pin high; pressing pulls it to 0. With ``pull_up=False``
    wire the button to 5 V (3.3 V on an ESP32) and a 10 kΩ resistor from the pin to GND.

        button = kit.button("D2")
        button.when_pressed = led.on
        button.wait_for_press(timeout=10)
    """

    def __init__(self, pin, *, kit=None, pull_up: bool = True):
        super().__init__(kit=kit)
        self.pin_info = self._claim(pin, "input")
        self.pin = self.pin_info.name
        self.pull_up = pull_up
        self._active = 0 if pull_up else 1
        self._when_pressed = self._when_released = None
        self._level: int | None = None
        self.presses = 0
        self._lock = threading.Lock()
        client = kit.client
        number = self.pin_info.number
        self._port, self._bit = divmod(number, 8)
        client.add_listener(fm.DigitalPortReport, self._on_report)
        if pull_up:
            if client.protocol is not None and client.protocol < (2, 5):
                client.set_pin_mode(number, fm.PinMode.INPUT)   # Firmata 2.4: INPUT + write 1
                client.digital_write(number, 1)
            else:
                client.set_pin_mode(number, fm.PinMode.PULLUP)
        else:
            client.set_pin_mode(number, fm.PinMode.INPUT)
        kit.report_digital(self._port, True)

    def _on_report(self, event) -> None:
        if event.port != self._port or self.closed:
            return
        level = (event.mask >> self._bit) & 1
        previous, self._level = self._level, level
        if previous is None or level == previous:
            return
        if level == self._active:
            self.presses += 1
            callback = self._when_pressed
        else:
            callback = self._when_released
        if callback is not None:
            callback()

    def _current(self) -> int:
        self._check()
        if self._level is None:
            level = self.kit.client.wait_for(lambda: self._level is not None, FIRST_REPORT_TIMEOUT,
                                             step=BUTTON_STEP)
            if not level:
                raise NoAnswerError(
                    en=f"The board sent no reading of the button on {self.pin}.",
                    zh=f"开发板没有发来 {self.pin} 上按钮的读数。")
        return self._level

    @property
    def is_pressed(self) -> bool:
        return self._current() == self._active

    @property
    def value(self) -> int:
        """1 while pressed, else 0."""
        return 1 if self.is_pressed else 0

    @property
    def when_pressed(self):
        return self._when_pressed

    @when_pressed.setter
    def when_pressed(self, fn) -> None:
        self._when_pressed = user_callback(fn, self)

    @property
    def when_released(self):
        return self._when_released

    @when_released.setter
    def when_released(self, fn) -> None:
        self._when_released = user_callback(fn, self)

    def wait_for_press(self, timeout: float | None = None) -> bool:
        """Wait until the button is pressed; False if ``timeout`` seconds pass first."""
        return self._wait(True, timeout)

    def wait_for_release(self, timeout: float | None = None) -> bool:
        """Wait until the button is released; False if ``timeout`` seconds pass first."""
        return self._wait(False, timeout)

    def _wait(self, pressed: bool, timeout: float | None) -> bool:
        self._current()
        want = self._active if pressed else 1 - self._active
        limit = float("inf") if timeout is None else float(timeout)
        return bool(self.kit.client.wait_for(lambda: self._level == want, limit, step=BUTTON_STEP))

    def _safe(self) -> None:
        self.kit.client.remove_listener(fm.DigitalPortReport, self._on_report)
        self.kit.report_digital(self._port, False)


class _AnalogInput(Device):
    def __init__(self, pin, *, kit=None):
        super().__init__(kit=kit)
        self.pin_info = self._claim(pin, "analog")
        self.pin = self.pin_info.name
        self.channel = kit.analog_channel(self.pin_info)
        bits = kit.resolution(self.pin_info.number, fm.PinMode.ANALOG, kit.board.adc_bits)
        self._max = (1 << bits) - 1
        kit.client.set_pin_mode(self.pin_info.number, fm.PinMode.ANALOG)
        kit.report_analog(self.channel, True)

    @property
    def raw(self) -> int:
        """The last reading as the ADC gives it (0..1023 on an Uno, 0..4095 on an ESP32)."""
        self._check()
        client = self.kit.client
        if self.channel not in client.analog:
            if not client.wait_for(lambda: self.channel in client.analog, FIRST_REPORT_TIMEOUT, step=0.002):
                raise NoAnswerError(
                    en=f"The board sent no reading of analog pin {self.pin}.",
                    zh=f"开发板没有发来模拟引脚 {self.pin} 的读数。")
        return client.analog[self.channel]

    @property
    def value(self) -> float:
        """The reading from 0.0 to 1.0."""
        return min(1.0, self.raw / self._max)

    def _safe(self) -> None:
        self.kit.report_analog(self.channel, False)


class LightSensor(_AnalogInput):
    """A light sensor (photoresistor, LDR) read as 0 (dark) to 1 (bright).

    Wiring: 5 V (3.3 V on an ESP32) → LDR → the analog pin → 10 kΩ resistor → GND.
    (Or a light-sensor module: VCC, GND, and its signal pin to the analog pin.)

        light = kit.light_sensor("A0")
        if light.value < 0.3:
            led.on()
    """


class Potentiometer(_AnalogInput):
    """A potentiometer (knob) read as 0 to 1.

    Wiring: one outer leg → 5 V (3.3 V on an ESP32), the other outer leg → GND, the middle leg → the analog pin.

        knob = kit.potentiometer("A1")
        led = kit.pwm_led("D9")
        led.value = knob.value
    """
