"""gpiozero-style chaining: ``led.source = button`` makes the LED follow the button.

Every part with a ``value`` gives its values as an endless iterator, ``part.values``; an output's
``source`` takes any iterable (or a part, meaning its ``values``) and sets its ``value`` from it every
``source_delay`` seconds until the source ends, ``source`` is set to another one or to ``None``, or the
part or kit closes::

    led.source = button                 # the LED is lit while the button is pressed
    pwm_led.source = knob               # the brightness follows the potentiometer
    led.source = [1, 0, 1]              # three values, then it stays as the last one left it

gpiozero runs a thread per source; here each step is a timer on the kit's scheduler (the one blink and
pulse use), so a source runs on the virtual clock as exactly as on the real one and needs no thread
to stop. A value the part refuses (out of range) stops the source, and the error is raised on the
program's next call to the kit, as an error in a ``when_pressed`` callback is.
"""

from __future__ import annotations

import threading
from typing import Any, Iterator

from ..errors import UsageError

SOURCE_DELAY = 0.01   # seconds between two values of a source (gpiozero's default)
MIN_STEP = 0.001      # seconds at least between two values: the clock must move between them (a virtual
                      # clock would otherwise run step after step at one instant, and never move on)


class ValuesMixin:
    """``values``: the part's ``value``, read afresh each time the iterator is advanced."""

    @property
    def values(self) -> Iterator[Any]:
        while not self.closed:
            yield self.value


class SourceMixin:
    """``source`` and ``source_delay`` for an output; ``_source_target`` names what a value sets."""

    _source_target = "value"
    _source = None
    _source_handle = None
    _source_delay = SOURCE_DELAY

    @property
    def source_delay(self) -> float:
        """Seconds between two values of the source (0.01 unless set; 0 means every millisecond)."""
        return self._source_delay

    @source_delay.setter
    def source_delay(self, seconds) -> None:
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds <= 3600:
            raise UsageError(en=f"source_delay must be a number of seconds from 0 to 3600, not {seconds!r}.",
                             zh=f"source_delay 必须是 0 到 3600 之间的秒数，而不是 {seconds!r}。")
        self._source_delay = float(seconds)

    @property
    def source(self):
        """What the part follows (an iterable, or a part with ``values``); None when it follows nothing."""
        return self._source

    @source.setter
    def source(self, value) -> None:
        self._check()
        self._stop_source()
        if value is None:
            return
        if hasattr(value, "values") and not isinstance(value, dict):
            values = iter(value.values)
        else:
            try:
                values = iter(value)
            except TypeError:
                raise UsageError(en=f"A source is a part (a button, a knob...) or a list of values, not {value!r}.",
                                 zh=f"source 应该是一个元件（按钮、旋钮……）或者一串数值，而不是 {value!r}。") from None
        with self._source_lock:
            self._source = value
            self._source_step(value, values, self.kit.client.time())

    @property
    def _source_lock(self):
        """Held while a step takes and sets a value: ``source = None`` waits for a step under way (on
        the reader thread of a real kit), so no value of the old source lands after it returns."""
        lock = self.__dict__.get("_source_lock_")
        if lock is None:                 # made once per part (a part's __init__ knows nothing of sources)
            lock = self.__dict__.setdefault("_source_lock_", threading.RLock())
        return lock

    def _source_step(self, source, values: Iterator[Any], when: float) -> None:
        with self._source_lock:
            if self.closed or self._source is not source:
                return
            try:
                setattr(self, self._source_target, next(values))
            except StopIteration:
                self._source, self._source_handle = None, None
                return
            except BaseException:   # a value the part refuses, or the source itself failed
                self._source, self._source_handle = None, None
                raise
            client = self.kit.client
            nxt = max(when + self._source_delay, client.time() + MIN_STEP)
            self._source_handle = client.call_at(nxt, lambda: self._source_step(source, values, nxt))

    def _stop_source(self) -> None:
        with self._source_lock:
            if self._source_handle is not None:
                self.kit.client.cancel(self._source_handle)
            self._source, self._source_handle = None, None
