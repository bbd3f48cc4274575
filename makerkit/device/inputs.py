"""Things the kit reads: Button (digital), LightSensor and Potentiometer (analog, 0..1)."""

from __future__ import annotations

from ..errors import NoAnswerError
from ..protocol import firmata as fm
from . import wiring
from .base import Device, user_callback
from .source import ValuesMixin

FIRST_REPORT_TIMEOUT = 1.0   # seconds to wait for the first report of an input
BUTTON_STEP = 0.005          # simulated seconds per step while waiting for a button
IDLE_CHECK = 0.3             # seconds a wiring check watches an input that nobody touches
RAIL = 0.995                 # a reading at or above this fraction of full scale is stuck at the top rail


class DigitalInput(ValuesMixin, Device):
    """An input read as 0 or 1 from the kit's port reports, with ``when_activated`` callbacks and
    waits. ``active`` is the level that counts as active (0 for a button on the pull-up)."""

    _WHAT = ("input", "输入")

    def __init__(self, pin, *, kit=None, pull_up: bool = False, active: int = 1):
        super().__init__(kit=kit)
        self.pin_info = self._claim(pin, "input")
        self.pin = self.pin_info.name
        self.pull_up = pull_up
        self._active = active
        self._when_activated = self._when_deactivated = None
        self._level: int | None = None
        self._activations = 0
        client = self.kit.client
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
        self.kit.report_digital(self._port, True)
        # a report of this port sent before the board saw the new mode still says the pin's old level
        # (the second line sensor on a port read 0 over the line); wait until the fresh one is in
        wiring.settle(self.kit)

    def _on_report(self, event) -> None:
        if event.port != self._port or self.closed:
            return
        level = (event.mask >> self._bit) & 1
        previous, self._level = self._level, level
        if previous is None or level == previous:
            return
        if level == self._active:
            self._activations += 1
            self._activated()
            callback = self._when_activated
        else:
            self._deactivated()
            callback = self._when_deactivated
        if callback is not None:
            callback()

    def _activated(self) -> None:
        """Subclasses: the input became active (on the reader thread)."""

    def _deactivated(self) -> None:
        """Subclasses: the input became inactive (on the reader thread)."""

    def _current(self) -> int:
        self._check()
        if self._level is None:
            level = self.kit.client.wait_for(lambda: self._level is not None, FIRST_REPORT_TIMEOUT,
                                             step=BUTTON_STEP)
            if not level:
                raise NoAnswerError(
                    en=f"The board sent no reading of the {self._WHAT[0]} on {self.pin}.",
                    zh=f"开发板没有发来 {self.pin} 上{self._WHAT[1]}的读数。")
        return self._level

    @property
    def is_active(self) -> bool:
        return self._read("is_active", self._current() == self._active)

    @property
    def value(self) -> int:
        """1 while active, else 0."""
        return self._read("value", 1 if self._current() == self._active else 0)

    def _wait(self, active: bool, timeout: float | None) -> bool:
        self._current()
        want = self._active if active else 1 - self._active
        limit = float("inf") if timeout is None else float(timeout)
        return bool(self.kit.client.wait_for(lambda: self._level == want, limit, step=BUTTON_STEP))

    def wait_for_active(self, timeout: float | None = None) -> bool:
        """Wait until the input is active; False if ``timeout`` seconds pass first."""
        return self._wait(True, timeout)

    def wait_for_inactive(self, timeout: float | None = None) -> bool:
        return self._wait(False, timeout)

    def _safe(self) -> None:
        self._cancel_hold()
        self.kit.client.remove_listener(fm.DigitalPortReport, self._on_report)
        self.kit.report_digital(self._port, False)

    def _cancel_hold(self) -> None:
        """Subclasses with timers stop them here."""

    def idle_levels(self, seconds: float = IDLE_CHECK) -> list[int]:
        """The raw levels (0/1) seen every few milliseconds for ``seconds`` (a wiring check)."""
        return wiring.sample(self.kit, self._current, seconds)


class Button(DigitalInput):
    """A push button.

    Wiring (the default, ``pull_up=True``): one leg → the pin, the other leg → GND. The board's
    internal pull-up resistor holds the pin high; pressing pulls it to 0. With ``pull_up=False``
    wire the button to 5 V (3.3 V on an ESP32) and a 10 kΩ resistor from the pin to GND.

        button = kit.button("D2")
        button.when_pressed = led.on
        button.wait_for_press(timeout=10)

    ``when_held`` runs once the button has been held down ``hold_time`` seconds (1 s unless set).
    """

    _WHAT = ("button", "按钮")

    def __init__(self, pin, *, kit=None, pull_up: bool = True, hold_time: float = 1.0):
        self.hold_time = hold_time
        self._when_held = None
        self._hold_handle: int | None = None
        self._held = False
        super().__init__(pin, kit=kit, pull_up=pull_up, active=0 if pull_up else 1)

    @property
    def presses(self) -> int:
        """How many times the button was pressed since it was made."""
        return self._activations

    @property
    def is_pressed(self) -> bool:
        return self._read("is_pressed", self._current() == self._active)

    when_pressed = property(lambda self: self._when_activated,
                            lambda self, fn: setattr(self, "_when_activated", user_callback(fn, self)))
    when_released = property(lambda self: self._when_deactivated,
                             lambda self, fn: setattr(self, "_when_deactivated", user_callback(fn, self)))

    @property
    def when_held(self):
        return self._when_held

    @when_held.setter
    def when_held(self, fn) -> None:
        self._when_held = user_callback(fn, self)

    @property
    def is_held(self) -> bool:
        """True once the button has been down for ``hold_time`` seconds (until it is let go)."""
        return self._current() == self._active and self._held

    def _activated(self) -> None:
        self._cancel_hold()
        client = self.kit.client

        def held() -> None:
            self._hold_handle, self._held = None, True
            if self._when_held is not None and not self.closed:
                self._when_held()
        self._hold_handle = client.call_at(client.time() + float(self.hold_time), held)

    def _deactivated(self) -> None:
        self._cancel_hold()

    def _cancel_hold(self) -> None:
        handle, self._hold_handle, self._held = self._hold_handle, None, False
        if handle is not None:
            self.kit.client.cancel(handle)

    def wait_for_press(self, timeout: float | None = None) -> bool:
        """Wait until the button is pressed; False if ``timeout`` seconds pass first."""
        return self._wait(True, timeout)

    def wait_for_release(self, timeout: float | None = None) -> bool:
        """Wait until the button is released; False if ``timeout`` seconds pass first."""
        return self._wait(False, timeout)

    @classmethod
    def check_wiring(cls, kit, wired) -> list:
        """The wiring check (:mod:`makerkit.device.wiring`): nobody presses it, so it reads idle
        (1 on the pull-up, 0 with a pull-down resistor)."""
        if not wired.signals:
            return []
        wire = wired.signals[0]
        button, trouble = wiring.open_part(lambda: cls(wire.pin, kit=kit, pull_up=wired.pull_up), wired)
        if button is None:
            return [trouble] if trouble else []
        try:
            levels = button.idle_levels()
        finally:
            button.close()
        idle = 1 if wired.pull_up else 0
        if all(level == idle for level in levels):
            return []
        if len(set(levels)) > 1:
            en = f"The button on {wire.pin} flickers between pressed and not pressed while nobody touches it."
            zh = f"没人碰 {wire.pin} 上的按钮，它却一会儿按下、一会儿松开。"
        else:
            en = f"The button on {wire.pin} reads pressed while nobody presses it."
            zh = f"没人按 {wire.pin} 上的按钮，它却一直是按下的。"
        return [wiring.fault(wired, None, en, zh, *_button_fix(kit, wire, wired.pull_up, len(set(levels)) > 1))]


def _button_fix(kit, wire, pull_up: bool, flickers: bool) -> tuple[str, str]:
    """What to do about a button that does not read idle: (English, Chinese)."""
    if pull_up and not kit.board.pin(wire.pin).digital_out:    # GPIO34-39 of an ESP32: no pull-up
        return (f"{wire.pin} has no pull-up inside the board: move the wire to another pin, or add a 10 kΩ "
                "resistor from the pin to 3V3.",
                f"{wire.pin} 内部没有上拉电阻：把线换到别的引脚，或者在引脚和 3V3 之间接一个 10kΩ 电阻。")
    if not pull_up:
        return ("Put a 10 kΩ resistor from the pin to GND (it holds the pin at 0 until you press), and push "
                "the wires in firmly.",
                "在引脚和 GND 之间接一个 10kΩ 电阻（没按的时候它把引脚拉到 0），并把线插紧。")
    if flickers:
        return ("A wire is loose: push both wires of the button in firmly.",
                "有一根线松了：把按钮的两根线都插紧。")
    return ("The two wires may sit on two legs of the same side of the button (those are always joined): "
            "move one wire to the leg diagonally opposite.",
            "两根线可能接在按钮同一边的两只脚上（这两只脚本来就是连通的）：把其中一根线换到对角线上的那只脚。")


class _AnalogInput(ValuesMixin, Device):
    def __init__(self, pin, *, kit=None):
        super().__init__(kit=kit)
        kit = self.kit
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
        return self._read("raw", self._raw())

    def _raw(self) -> int:
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
        return self._read("value", min(1.0, self._raw() / self._max))

    def _safe(self) -> None:
        self.kit.report_analog(self.channel, False)

    @classmethod
    def check_wiring(cls, kit, wired) -> list:
        """The wiring check (:mod:`makerkit.device.wiring`): the reading is not stuck at full scale
        (the signal wire on 5V, or the resistor to GND missing). A warning: a lesson may go on."""
        if not wired.signals:
            return []
        wire = wired.signals[0]
        part, trouble = wiring.open_part(lambda: cls(wire.pin, kit=kit), wired)
        if part is None:
            return [trouble] if trouble else []
        try:
            values = wiring.sample(kit, part._raw, 0.2, step=0.05)
        finally:
            part.close()
        if min(values) < RAIL * part._max:
            return []
        return [wiring.fault(
            wired, None,
            f"The reading on {wire.pin} is at full scale all the time.",
            f"{wire.pin} 上的读数一直是最大值。",
            f"Check that its signal (middle) leg goes to {wire.pin} and not to 5V, and that its GND wire is in.",
            f"请检查：信号脚（中间的脚）接 {wire.pin}，不要接到 5V；GND 那根线也要插好。", warning=True)]


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
