"""What every device shares: the kit it lives on, the pins it holds, closing to a safe state."""

from __future__ import annotations

import inspect
from typing import Callable

from ..errors import UsageError


class Device:
    """A part wired to a kit. Devices hold their pins until :meth:`close` (or the kit closes),
    and closing leaves the part safe (outputs off, tones off, reporting off)."""

    def __init__(self, *, kit):
        if kit is None or not hasattr(kit, "_claim"):
            raise UsageError(
                en="Pass the kit the part is wired to, e.g. LED(\"D13\", kit=kit) or kit.led(\"D13\").",
                zh="请告诉程序元件接在哪个套件上，例如 LED(\"D13\", kit=kit) 或 kit.led(\"D13\")。")
        self.kit = kit
        self.closed = False
        self._pins: list = []

    def _claim(self, pin, mode: str):
        try:
            info = self.kit._claim(pin, self, mode=mode)
        except BaseException:
            self.kit._release(self)   # a part that cannot be made holds no pins
            self.closed = True
            raise
        if self not in self.kit._devices:
            self.kit._devices.append(self)
        self._pins.append(info)
        return info

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
            self.kit._release(self)

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
