"""Watch what a lesson script does with its kit, with the time it did it.

The script gets a :class:`LessonKit` instead of the kit itself: it behaves like the kit, but its
``sleep`` honours the run's time budget (raising :class:`LessonStop` when it is used up) and
``close`` is left to the runner. What the script's parts do is heard from the kit's events
(:mod:`makerkit.device.events`: a part opened, an output set, a part read), however the part was
made; :meth:`Recorder.hear` turns them into the records below. Checkers on a real kit work from
these records; ``lesson run`` shows them live.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Callable

from ..catalog.parts import PARTS
from ..device.events import OutputSet, PartOpened, PartRead
from ..protocol.firmata import MkControl

_FACTORIES = frozenset(p.factory for p in PARTS)

_SCALAR = (bool, int, float, str, type(None))
PAUSE_STEP = 0.1           # seconds kit.pause() sleeps at a time inside a lesson
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
class KitEvent:
    """An event the script raised with ``kit.event(name, **data)`` (docs/TELEMETRY.md §4): ``t`` is
    when it raised it, ``published`` whether the kit published it itself (False on a kit without
    network, whose host publishes it, and on a kit that is offline)."""
    t: float
    name: str
    data: dict
    published: bool


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

    # -- the kit's events -------------------------------------------------------------------------
    def hear(self, event: object) -> None:
        """Record one event of the kit (:mod:`makerkit.device.events`)."""
        if isinstance(event, OutputSet):
            self.set_level(event.pin, event.level)
        elif isinstance(event, PartRead):
            if isinstance(event.value, _SCALAR):
                dev = event.device
                self.add(Reading(self.now(), dev.kind, dev.pin_names, event.name, event.value))
        elif isinstance(event, PartOpened):
            self.add(DeviceOpened(self.now(), event.kind, "+".join(event.pins) or event.kind, event.args))


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

    @property
    def pins(self):
        """The lesson's pins on this board, by part: ``kit.pins.led`` is the pin of the LED in the
        wiring table (:mod:`makerkit.lessons_runner.pins`)."""
        return self._session.pins

    def publish(self, name: str, value: float, unit: str | None = None) -> Any:
        """Send a reading to the class dashboard (telemetry), and show it in the lesson run."""
        rec = self._session.recorder
        rec.add(Published(rec.now(), name, value, unit))
        self._session.tick()
        return self._kit.publish(name, value, unit=unit)

    def event(self, name: str, /, **data) -> Any:
        """Send a lesson event to the class (``kit.event("alarm", temperature=31)``), and keep it
        for the checker and the lesson run."""
        rec = self._session.recorder
        t = rec.now()
        self._session.tick()
        answer = self._kit.event(name, **data)
        rec.add(KitEvent(t, name, dict(data), bool(answer.get("published"))))
        return answer

    def when_message(self, callback: Callable[[dict], None]) -> Callable:
        """Call ``callback(message)`` when a teacher's ``say`` (or ``stop``) reaches the kit, as
        ``kit.when_message`` does; the kit stops calling it when the run ends."""
        handle = self._kit.when_message(callback)
        self._session.at_end.append(lambda: self._kit.client.remove_listener(MkControl, handle))
        return handle

    def close(self) -> None:
        """Does nothing inside a lesson: the lesson runner closes the kit when the run ends."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def pause(self) -> None:
        """Wait until the run ends (for programs that only react through ``when_...`` functions)."""
        while True:
            self._session.sleep(PAUSE_STEP)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._kit, name)
        if name in _FACTORIES:   # parts made here live on this LessonKit: their waits keep the budget
            return getattr(type(self._kit), name).__get__(self)
        return attr

    def __repr__(self) -> str:
        return f"LessonKit({self._kit!r})"

    def __dir__(self):
        return sorted(set(dir(self._kit)) | {"sleep", "time", "publish", "event", "when_message", "close", "pause",
                                             "pins"})
