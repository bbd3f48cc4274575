"""What every device shares: the kit it lives on, the pins it holds, closing to a safe state."""

from __future__ import annotations

import functools
import inspect
from typing import Callable

from ..catalog.parts import part_of_class
from ..errors import UsageError
from .current import current_kit
from .events import OutputSet, PartClosed, PartOpened, PartRead


def _announcing(init: Callable) -> Callable:
    """Wrap a part's ``__init__`` so the part tells its kit it is ready once the outermost
    ``__init__`` is done, however it was made (``kit.led("D13")``, ``LED("D13", kit=kit)``, or
    ``LED("D13")`` inside ``with connect(...)``)."""
    @functools.wraps(init)
    def wrapped(self, *args, **kwargs):
        depth = self.__dict__.get("_init_depth", 0)
        self.__dict__["_init_depth"] = depth + 1
        try:
            init(self, *args, **kwargs)
        finally:
            self.__dict__["_init_depth"] = depth
        if depth == 0:
            self._announce(args)
    return wrapped


class Device:
    """A part wired to a kit. Devices hold their pins until :meth:`close` (or the kit closes),
    and closing leaves the part safe (outputs off, tones off, reporting off)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__init__" in cls.__dict__:
            cls.__init__ = _announcing(cls.__dict__["__init__"])

    def __init__(self, *, kit=None):
        if kit is None:
            kit = current_kit()
        if kit is None or not hasattr(kit, "claim"):
            raise UsageError(
                en="Pass the kit the part is wired to, e.g. LED(\"D13\", kit=kit) or kit.led(\"D13\"), "
                   "or make the part inside `with makerkit.connect(...) as kit:`.",
                zh="请告诉程序元件接在哪个套件上，例如 LED(\"D13\", kit=kit) 或 kit.led(\"D13\")，"
                   "或者在 `with makerkit.connect(...) as kit:` 里面创建元件。")
        self.kit = kit
        self.closed = False
        self._pins: list = []

    @property
    def kind(self) -> str:
        """The part's kind in the registry ("led", "dht11"...)."""
        entry = part_of_class(type(self).__name__)
        return entry.kind if entry is not None else type(self).__name__.lower()

    @property
    def pin_names(self) -> str:
        """The printed pins the part holds, joined with "+" ("D13", "D7+D8")."""
        return "+".join(p.name for p in self._pins) or self.kind

    def _claim(self, pin, mode: str):
        try:
            info = self.kit.claim(self, pin, mode=mode)
        except BaseException:
            self.closed = True   # a part that cannot be made holds no pins (the kit freed them)
            raise
        self._pins.append(info)
        return info

    def _announce(self, args: tuple) -> None:
        scalars = tuple(a for a in args if isinstance(a, (bool, int, float, str, type(None))))
        self.kit.emit(PartOpened(self, self.kind, tuple(p.name for p in self._pins), scalars))

    def _output(self, pin: str, level: float) -> None:
        self.kit.emit(OutputSet(self, pin, float(level)))

    def _read(self, name: str, value):
        """Report a reading to the kit's watchers and return it."""
        self.kit.emit(PartRead(self, name, value))
        return value

    @property
    def _client(self):
        return self.kit.client

    def _check(self) -> None:
        if self.closed:
            raise UsageError(
                en=f"{self!r} is closed; make a new one to use it again.",
                zh=f"{self!r} 已经关闭；如需再用请重新创建。")
        self.kit.client.check()

    def _safe(self) -> None:
        """Put the part in its safe state (subclasses); called on close."""

    def close(self) -> None:
        """Leave the part safe and free its pins."""
        if self.closed:
            return
        try:
            if self.kit.client.lost is None and not self.kit.client.closed:
                self._safe()
        finally:
            self.closed = True
            self.kit.release(self)
            self.kit.emit(PartClosed(self))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        pins = ", ".join(p.name for p in self._pins)
        return f"<{type(self).__name__} {pins}{' closed' if self.closed else ''}>"


def user_callback(fn: Callable | None, device) -> Callable[[], None] | None:
    """Wrap a student's ``when_*`` function: it may take no argument or the device (as gpiozero)."""
    if fn is None:
        return None
    if not callable(fn):
        raise UsageError(
            en=f"when_... needs a function (without brackets), not {fn!r}: e.g. button.when_pressed = led.on",
            zh=f"when_... 需要一个函数（不要加括号），而不是 {fn!r}：例如 button.when_pressed = led.on")
    try:
        inspect.signature(fn).bind(device)
        takes_device = True
    except TypeError:
        takes_device = False
    except ValueError:  # builtins without a signature
        takes_device = False
    if takes_device:
        try:
            inspect.signature(fn).bind()
            takes_device = False  # also callable without arguments: prefer that (e.g. *args)
        except TypeError:
            pass
    return (lambda: fn(device)) if takes_device else fn


def check_fraction(value, what_en: str, what_zh: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not 0.0 <= number <= 1.0:
        raise UsageError(
            en=f"{what_en} must be a number from 0 to 1, not {value!r}.",
            zh=f"{what_zh}必须是 0 到 1 之间的数，而不是 {value!r}。")
    return number
