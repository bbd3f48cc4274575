"""What a kit tells its watchers (``kit.watch(fn)``): a part was opened or closed, an output was set,
a part was read.

Parts emit these through :meth:`~makerkit.device.kit.Kit.emit` on the thread that did the thing
(the student's program, or the reader thread for a ``when_pressed`` callback). The lessons runner
records a run from them; a watcher that raises stops the action that emitted the event (the runner
ends a run that way).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PartOpened:
    """A part is ready: ``kind`` is its registry kind ("led"), ``pins`` its printed pins in claim order."""
    device: Any
    kind: str
    pins: tuple[str, ...]
    args: tuple


@dataclass(frozen=True)
class PartClosed:
    device: Any


@dataclass(frozen=True)
class OutputSet:
    """The host set an output: ``level`` is 0..1 (a digital pin 0 or 1, a PWM duty, a servo's angle / 180)."""
    device: Any
    pin: str
    level: float


@dataclass(frozen=True)
class PartRead:
    """The program read ``name`` of a part (``button.is_pressed``, ``sensor.temperature``)."""
    device: Any
    name: str
    value: Any
