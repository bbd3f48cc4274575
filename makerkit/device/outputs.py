"""Things the kit switches on and off: LED, PWMLED, Buzzer."""

from __future__ import annotations

from ..errors import UsageError
from ..protocol import firmata as fm
from .base import Device, check_fraction
from .source import SourceMixin, ValuesMixin

PULSE_STEP = 0.02   # seconds between brightness steps of PWMLED.pulse (50 a second looks smooth)


class _Switched(SourceMixin, ValuesMixin, Device):
    """An output with a level from 0 to 1 that can blink in the background."""

    def __init__(self, *, kit=None):
        super().__init__(kit=kit)
        self._value = 0.0
        self._blink_handle = None

    def _set(self, value: float) -> None:
        raise NotImplementedError

    def _write(self, value: float) -> None:
        self._set(value)
        self._value = value
        self._output(self.pin, value)

    def _stop_blink(self) -> None:
        if self._blink_handle is not None:
            self.kit.client.cancel(self._blink_handle)
            self._blink_handle = None

    def on(self) -> None:
        self._check()
        self._stop_blink()
        self._write(1.0)

    def off(self) -> None:
        self._check()
        self._stop_blink()
        self._write(0.0)

    def toggle(self) -> None:
        if self.is_lit:
            self.off()
        else:
            self.on()

    @property
    def is_lit(self) -> bool:
        return self._value > 0

    @property
    def is_active(self) -> bool:
        """True while on (the same as ``is_lit``, as in gpiozero)."""
        return self._value > 0

    @property
    def value(self):
        """1 while on, else 0 (setting it turns the part on or off); a PWMLED's is its brightness."""
        return 1 if self._value else 0

    @value.setter
    def value(self, value) -> None:
        self.on() if value else self.off()

    def _cycle(self, on_time, off_time, n, background, on_value=1.0) -> None:
        self._check()
        self._stop_blink()
        for name, value in (("on_time", on_time), ("off_time", off_time)):
            if not isinstance(value, (int, float)) or value <= 0:
                raise UsageError(en=f"{name} must be a number of seconds above 0, not {value!r}.",
                                 zh=f"{name} 必须是大于 0 的秒数，而不是 {value!r}。")
        if n is not None and (not isinstance(n, int) or n < 0):
            raise UsageError(en=f"n must be a whole number of times (or None for ever), not {n!r}.",
                             zh=f"n 必须是整数次数（或者 None 表示一直重复），而不是 {n!r}。")
        if not background:
            count = 0
            while n is None or count < n:
                self._write(on_value)
                self.kit.sleep(on_time)
                self._write(0.0)
                self.kit.sleep(off_time)
                count += 1
            return
        client = self.kit.client
        state = {"left": n}

        def step(turn_on: bool, when: float) -> None:
            if self.closed:
                return
            when = max(when, client.time())   # ran late (real clock): keep each phase's length
            if turn_on:
                if state["left"] is not None:
                    if state["left"] <= 0:
                        self._blink_handle = None
                        return
                    state["left"] -= 1
                self._write(on_value)
                nxt = when + on_time
            else:
                self._write(0.0)
                nxt = when + off_time
            self._blink_handle = client.call_at(nxt, lambda: step(not turn_on, nxt))

        step(True, client.time())

    def _safe(self) -> None:
        self._stop_source()
        self._stop_blink()
        self._write(0.0)


class LED(_Switched):
    """An LED switched on and off.

    Wiring: pin → 220 Ω resistor → LED long leg (+); LED short leg (−) → GND.
    (Most boards also have one built in: ``"LED_BUILTIN"``, D13 on an Uno, GPIO2 on an ESP32.)

        led = kit.led("D13")
        led.on(); kit.sleep(1); led.off()
        led.blink(on_time=0.5, off_time=0.5)
    """

    def __init__(self, pin, *, kit=None):
        super().__init__(kit=kit)
        self.pin_info = self._claim(pin, "output")
        self.pin = self.pin_info.name
        self.kit.client.set_pin_mode(self.pin_info.number, fm.PinMode.OUTPUT)
        self.kit.client.digital_write(self.pin_info.number, 0)

    def _set(self, value: float) -> None:
        self.kit.client.digital_write(self.pin_info.number, 1 if value else 0)

    def blink(self, on_time: float = 1.0, off_time: float = 1.0, n: int | None = None,
              background: bool = True) -> None:
        """Blink ``n`` times (for ever when None); in the background unless ``background=False``."""
        self._cycle(on_time, off_time, n, background)


class PWMLED(_Switched):
    """An LED whose brightness you set from 0 (off) to 1 (full), on a PWM pin (marked ~ on an Uno).

    Wiring: PWM pin (D3, D5, D6, D9, D10, D11 on an Uno) → 220 Ω resistor → LED (+); LED (−) → GND.

        led = kit.pwm_led("D9")
        led.value = 0.25
        kit.sleep(1); led.off()
    """

    def __init__(self, pin, *, kit=None):
        super().__init__(kit=kit)
        kit = self.kit
        self.pin_info = self._claim(pin, "pwm")
        self.pin = self.pin_info.name
        self._max = (1 << kit.resolution(self.pin_info.number, fm.PinMode.PWM, kit.board.pwm_bits)) - 1
        kit.client.set_pin_mode(self.pin_info.number, fm.PinMode.PWM)
        kit.client.send(fm.analog_write(self.pin_info.number, 0))

    def _set(self, value: float) -> None:
        self.kit.client.send(fm.analog_write(self.pin_info.number, round(value * self._max)))

    @property
    def value(self) -> float:
        return self._value

    @value.setter
    def value(self, value) -> None:
        level = check_fraction(value, "The brightness", "亮度")
        self._check()
        self._stop_blink()
        self._write(level)

    def blink(self, on_time: float = 1.0, off_time: float = 1.0, n: int | None = None,
              background: bool = True) -> None:
        self._cycle(on_time, off_time, n, background)

    def pulse(self, fade_in_time: float = 1.0, fade_out_time: float = 1.0, n: int | None = None,
              background: bool = True) -> None:
        """Fade in and out ``n`` times (for ever when None), in steps of ``PULSE_STEP`` seconds."""
        self._check()
        self._stop_blink()
        for name, value in (("fade_in_time", fade_in_time), ("fade_out_time", fade_out_time)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
                raise UsageError(en=f"{name} must be a number of seconds above 0, not {value!r}.",
                                 zh=f"{name} 必须是大于 0 的秒数，而不是 {value!r}。")
        ups = max(1, round(fade_in_time / PULSE_STEP))
        downs = max(1, round(fade_out_time / PULSE_STEP))
        levels = [i / ups for i in range(1, ups + 1)] + [1 - i / downs for i in range(1, downs + 1)]
        steps = [(level, (fade_in_time / ups) if i < ups else (fade_out_time / downs))
                 for i, level in enumerate(levels)]
        self._run_steps(steps, n, background)

    def _run_steps(self, steps: list, n: int | None, background: bool) -> None:
        if n is not None and (not isinstance(n, int) or n < 0):
            raise UsageError(en=f"n must be a whole number of times (or None for ever), not {n!r}.",
                             zh=f"n 必须是整数次数（或者 None 表示一直重复），而不是 {n!r}。")
        if not background:
            done = 0
            while n is None or done < n:
                for level, seconds in steps:
                    self._write(level)
                    self.kit.sleep(seconds)
                done += 1
            return
        client = self.kit.client
        total = None if n is None else n * len(steps)

        def step(index: int, when: float) -> None:
            if self.closed or (total is not None and index >= total):
                self._blink_handle = None
                return
            level, seconds = steps[index % len(steps)]
            self._write(level)
            nxt = max(when, client.time()) + seconds
            self._blink_handle = client.call_at(nxt, lambda: step(index + 1, nxt))

        step(0, client.time())


class Buzzer(_Switched):
    """A buzzer: ``on()``/``off()``/``beep()`` for an active buzzer, ``play(freq, seconds)`` for
    notes on a passive one (notes need the makerkit firmware).

    Wiring: pin → buzzer (+); buzzer (−) → GND.

        buzzer = kit.buzzer("D8")
        buzzer.beep(on_time=0.2, off_time=0.2, n=3, background=False)
        buzzer.play(440, 0.5)      # the note A for half a second
    """

    def __init__(self, pin, *, kit=None):
        super().__init__(kit=kit)
        kit = self.kit
        self.pin_info = self._claim(pin, "output")
        self.pin = self.pin_info.name
        self._toning = False
        kit.client.set_pin_mode(self.pin_info.number, fm.PinMode.OUTPUT)
        kit.client.digital_write(self.pin_info.number, 0)

    def _set(self, value: float) -> None:
        if self._toning:
            self.stop()
        client = self.kit.client
        client.ensure_pin_mode(self.pin_info.number, fm.PinMode.OUTPUT)
        client.digital_write(self.pin_info.number, 1 if value else 0)

    def beep(self, on_time: float = 1.0, off_time: float = 1.0, n: int | None = None,
             background: bool = True) -> None:
        self._cycle(on_time, off_time, n, background)

    def play(self, frequency: float, seconds: float | None = None) -> None:
        """Play a note of ``frequency`` Hz for ``seconds`` (until :meth:`stop` when None); returns at once."""
        self._check()
        self.kit.require("tone")
        if not isinstance(frequency, (int, float)) or not 31 <= frequency <= 16383:
            raise UsageError(en=f"The frequency must be from 31 to 16383 Hz, not {frequency!r}.",
                             zh=f"频率必须在 31 到 16383 赫兹之间，而不是 {frequency!r}。")
        if seconds is not None and (not isinstance(seconds, (int, float)) or not 0 < seconds <= 16.383):
            raise UsageError(en=f"seconds must be above 0 and at most 16.383, not {seconds!r}.",
                             zh=f"seconds 必须大于 0 且不超过 16.383，而不是 {seconds!r}。")
        self._stop_blink()
        duration_ms = 0 if seconds is None else max(1, round(seconds * 1000))
        self.kit.client.send(fm.tone(self.pin_info.number, round(frequency), duration_ms))
        self.kit.client.assume_pin_mode(self.pin_info.number, fm.PinMode.TONE)   # the firmware switches it
        self._toning = True
        self._value = 1.0
        self._output(self.pin, 1.0)

    def stop(self) -> None:
        """Stop a note started with :meth:`play`."""
        self.kit.client.send(fm.no_tone(self.pin_info.number))
        self._toning = False
        self._value = 0.0
        self._output(self.pin, 0.0)

    def _safe(self) -> None:
        self._stop_source()
        self._stop_blink()
        self._set(0)
        self._value = 0.0
