"""Watch what a lesson script does with its kit, with the time it did it.

The script gets a :class:`LessonKit` instead of the kit itself: it behaves like the kit, but its
``sleep`` honours the run's time budget (raising :class:`LessonStop` when it is used up), ``close``
is left to the runner, and every device it opens (``kit.led("D13")``...) comes back wrapped in a
:class:`DeviceProxy` that records each command (``led.on()``), each value set (``led.value = 1``)
and each reading (``button.is_pressed``, ``sensor.temperature``). Checkers on a real kit work from
these records; ``lesson run`` shows them live.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

DEVICE_FACTORIES = frozenset({
    "led", "pwm_led", "button", "buzzer", "servo", "motor", "light_sensor", "potentiometer",
    "distance_sensor", "dht11", "dht22", "i2c"})
_CLASS_KINDS = {"LED": "led", "PWMLED": "pwm_led", "Button": "button", "Buzzer": "buzzer", "Servo": "servo",
                "Motor": "motor", "LightSensor": "light_sensor", "Potentiometer": "potentiometer",
                "DistanceSensor": "distance_sensor", "DHT11": "dht11", "DHT22": "dht22"}
_SCALAR = (bool, int, float, str, type(None))
_MAX_EVENTS = 200_000      # a runaway loop cannot eat the memory: the first records are kept, later ones only shown


class LessonStop(BaseException):
    """Raised inside the student's script to end the run (time budget used up, Ctrl-C).

    A ``BaseException`` so that a student's ``except Exception:`` does not swallow it."""


# --- records (t is seconds since the script started, on the kit's clock) ----------------------

@dataclass(frozen=True)
class Output:
    t: float
    text: str


@dataclass(frozen=True)
class DeviceOpened:
    t: float
    kind: str
    pin: str
    args: tuple


@dataclass(frozen=True)
class Action:
    t: float
    device: str
    pin: str
    name: str
    args: tuple
    result: Any = None
    op: str = "call"       # "call" (led.on()) or "set" (led.value = 1)


@dataclass(frozen=True)
class Reading:
    t: float
    device: str
    pin: str
    name: str
    value: Any


@dataclass(frozen=True)
class Published:
    t: float
    name: str
    value: Any
    unit: str | None


@dataclass(frozen=True)
class LevelChange:
    """An output level the host set (from led.on()/off()/toggle()/value): 0, 1 or a PWM fraction."""
    t: float
    pin: str
    level: float


@dataclass(frozen=True)
class InputChange:
    """An input level the kit reported (a button pressed: 0 with the pull-up)."""
    t: float
    pin: str
    level: int


class Recorder:
    """Collects the records of one run; ``on_event`` (if given) sees each one as it happens."""

    def __init__(self, clock: Callable[[], float], on_event: Callable[[object], None] | None = None):
        self._clock = clock
        self.t0 = clock()
        self.on_event = on_event
        self.events: list[object] = []
        self.dropped = 0
        self._levels: dict[str, float] = {}
        self._lock = threading.Lock()
        self._line = ""

    def now(self) -> float:
        return self._clock() - self.t0

    def add(self, event: object) -> None:
        with self._lock:
            if len(self.events) >= _MAX_EVENTS:
                self.dropped += 1     # kept out of memory, still shown live
            else:
                self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)

    def of(self, kind: type) -> list:
        with self._lock:
            return [e for e in self.events if isinstance(e, kind)]

    # -- print -------------------------------------------------------------------------------------
    def print(self, *args, sep: str | None = " ", end: str | None = "\n", file=None, flush: bool = False) -> None:
        """Stands in for ``print`` inside the student's script: records each line with its time."""
        if file is not None:
            import sys
            if file not in (sys.stdout, sys.__stdout__):
                print(*args, sep=sep, end=end, file=file, flush=flush)
                return
        text = (" " if sep is None else sep).join(str(a) for a in args) + ("\n" if end is None else end)
        t = self.now()
        with self._lock:
            self._line += text
            *lines, self._line = self._line.split("\n")
        for line in lines:
            self.add(Output(t, line))

    def flush(self) -> None:
        with self._lock:
            rest, self._line = self._line, ""
        if rest:
            self.add(Output(self.now(), rest))

    # -- levels the host set --------------------------------------------------------------------
    def set_level(self, pin: str, level: float | None) -> None:
        if level is None:
            return
        with self._lock:
            changed = self._levels.get(pin) != level
            self._levels[pin] = level
        if changed:
            self.add(LevelChange(self.now(), pin, level))

    def level(self, pin: str) -> float | None:
        with self._lock:
            return self._levels.get(pin)


def _level_after(name: str, args: tuple, op: str, current: float | None) -> float | None:
    if op == "set" and name in ("value", "is_lit", "is_active") and args:
        value = args[0]
        if isinstance(value, bool):
            return 1.0 if value else 0.0
        if isinstance(value, (int, float)):
            return max(0.0, min(1.0, float(value)))
        return None
    if op == "call":
        if name == "on":
            return 1.0
        if name == "off":
            return 0.0
        if name == "toggle":
            return 0.0 if current else 1.0
    return None


class DeviceProxy:
    """A device (LED, button, sensor...) as the script sees it: the same API, every use recorded."""

    __slots__ = ("_dev", "_kind", "_pin", "_session")

    def __init__(self, dev: Any, kind: str, pin: str, session: Any):
        object.__setattr__(self, "_dev", dev)
        object.__setattr__(self, "_kind", kind)
        object.__setattr__(self, "_pin", pin)
        object.__setattr__(self, "_session", session)

    def __getattr__(self, name: str) -> Any:
        dev = object.__getattribute__(self, "_dev")
        if name.startswith("_"):
            return getattr(dev, name)
        session = object.__getattribute__(self, "_session")
        session.tick()
        value = getattr(dev, name)
        if callable(value):
            return self._wrap(name, value)
        if isinstance(value, _SCALAR):
            session.recorder.add(Reading(session.recorder.now(), self._kind, self._pin, name, value))
        return value

    def _wrap(self, name: str, method: Callable) -> Callable:
        session, kind, pin = self._session, self._kind, self._pin

        def call(*args, **kwargs):
            session.tick()
            result = method(*args, **kwargs)
            rec = session.recorder
            rec.add(Action(rec.now(), kind, pin, name, args, result if isinstance(result, _SCALAR) else None))
            if not args and not kwargs and isinstance(result, (int, float)) and not isinstance(result, bool):
                rec.add(Reading(rec.now(), kind, pin, name, result))
            rec.set_level(pin, _level_after(name, args, "call", rec.level(pin)))
            return result

        call.__name__ = name
        call.__doc__ = getattr(method, "__doc__", None)
        return call

    def __setattr__(self, name: str, value: Any) -> None:
        session = self._session
        session.tick()
        setattr(self._dev, name, value)
        rec = session.recorder
        rec.add(Action(rec.now(), self._kind, self._pin, name, (value,) if isinstance(value, _SCALAR) else (),
                       op="set"))
        rec.set_level(self._pin, _level_after(name, (value,), "set", rec.level(self._pin)))

    def __enter__(self):
        self._dev.__enter__()
        return self

    def __exit__(self, *exc):
        return self._dev.__exit__(*exc)

    def __repr__(self) -> str:
        return repr(self._dev)

    def __dir__(self):
        return dir(self._dev)


class LessonKit:
    """The kit as a lesson script sees it (see the module docstring)."""

    def __init__(self, kit: Any, session: Any):
        self.__dict__["_kit"] = kit
        self.__dict__["_session"] = session

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` (on the virtual kit's clock when it has one)."""
        self._session.sleep(seconds)

    def time(self) -> float:
        return self._kit.time()

    def publish(self, name: str, value: float, unit: str | None = None) -> Any:
        """Send a reading to the class dashboard (telemetry), and show it in the lesson run."""
        rec = self._session.recorder
        rec.add(Published(rec.now(), name, value, unit))
        self._session.tick()
        return self._kit.publish(name, value, unit=unit)

    def close(self) -> None:
        """Does nothing inside a lesson: the lesson runner closes the kit when the run ends."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._kit, name)
        if name in DEVICE_FACTORIES and callable(attr):
            return self._factory(name, attr)
        if name == "_claim":
            return self._claim_hook(attr)
        return attr

    def _claim_hook(self, claim: Callable) -> Callable:
        """Devices made the gpiozero way, ``LED("D13", kit=kit)``, claim their pins through here:
        note them too (their pins are freed after the run; on the virtual kit the world's trace
        shows what they did)."""
        session = self._session

        def hooked(pin, device, **kwargs):
            info = claim(pin, device, **kwargs)
            if all(dev is not device for dev in session.opened):
                session.opened.append(device)
                kind = _CLASS_KINDS.get(type(device).__name__, type(device).__name__.lower())
                rec = session.recorder
                rec.add(DeviceOpened(rec.now(), kind, getattr(info, "name", str(pin)), (pin,)))
            return info

        return hooked

    def _factory(self, kind: str, make: Callable) -> Callable:
        session = self._session

        def open_device(*args, **kwargs):
            dev = make(*args, **kwargs)
            session.opened.append(dev)
            pins = [a for a in list(args) + [v for k, v in kwargs.items() if k != "kit"]
                    if isinstance(a, (str, int)) and not isinstance(a, bool)]
            pin = "+".join(self._pin_name(p) for p in pins) or kind
            rec = session.recorder
            rec.add(DeviceOpened(rec.now(), kind, pin, tuple(a for a in args if isinstance(a, _SCALAR))))
            return DeviceProxy(dev, kind, pin, session)

        open_device.__name__ = kind
        open_device.__doc__ = getattr(make, "__doc__", None)
        return open_device

    def _pin_name(self, pin: str | int) -> str:
        try:
            return self._kit.board.pin(pin).name
        except Exception:  # a bad pin fails in the factory itself with a PinError; keep the raw name
            return str(pin)

    def __repr__(self) -> str:
        return f"LessonKit({self._kit!r})"

    def __dir__(self):
        return sorted(set(dir(self._kit)) | {"sleep", "time", "publish", "close"})
