"""The host side of a Firmata link: one reader thread, a state cache, listeners and requests.

:class:`FirmataClient` drives the sans-I/O :class:`~makerkit.protocol.firmata.FirmataDecoder` over
a :class:`~makerkit.transport.base.Transport`. One reader thread per open kit reads with a timeout
(never sleep-polls), decodes, updates the cache (pins, analog channels, sonar, DHT, I2C replies),
wakes whoever waits and calls the listeners.

Errors never die on the background thread: an exception raised by a listener (a student's
``when_pressed`` function) and a lost port (the cable pulled) are stored and raised to the student
on their next call; a call blocked waiting for the board raises
:class:`~makerkit.errors.DisconnectedError` as soon as the reader notices (within a read timeout).

The transport's clock (``transport.clock``, :mod:`makerkit.transport.clock`) is the client's clock.
On a virtual clock (the virtual kit) simulated time moves only when somebody waits, and there is no
reader thread: the waiting thread moves time on through ``clock.sleep(step)`` and then reads what
the firmware sent meanwhile, so runs are exact, fast and do not depend on thread scheduling
(``when_...`` functions then run on the thread that waits). Timed actions (a blinking LED) are kept
in a small schedule that the reader thread runs on a real clock, and that :meth:`sleep` runs at the
exact simulated instants on a virtual one.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import threading
import time
from collections import deque
from typing import Any, Callable

from ..errors import DeviceError, DisconnectedError, MakerkitError, NoAnswerError
from ..protocol import firmata as fm
from .waits import CACHE_UPDATES, Capture as _Capture, Resender as _Resender

READ_TIMEOUT = 0.05       # seconds: how long one blocking read waits (bounds shutdown and schedule latency)
EPSILON = 1e-6            # seconds: the virtual clock's resolution
VIRTUAL_CHUNK = 0.05      # simulated seconds a long virtual sleep moves at a time
VIRTUAL_STEP = 0.001      # seconds of simulated time per step while waiting on a virtual clock


class FirmataClient:
    """Talk Firmata over ``transport``: ``start()`` the reader, then ``send``/``request``/``wait_for``."""

    def __init__(self, transport, *, read_timeout: float = READ_TIMEOUT):
        self.transport = transport
        self.clock = transport.clock
        self.virtual = bool(self.clock.virtual)
        self._read_timeout = read_timeout
        self._decoder = fm.FirmataDecoder()
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._write_lock = threading.Lock()
        self._port_lock = threading.RLock()
        self._listeners: dict[type, list[Callable]] = {}
        self._captures: list[_Capture] = []
        self._schedule: list = []
        self._sched_ids = itertools.count()
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._callbacks = threading.local()             # .depth: inside a listener on this thread
        self._started = False
        self._pump_lock = threading.RLock()             # one thread at a time reads on a virtual clock
        self._lost: MakerkitError | None = None         # sticky: the port went away
        self._pending: BaseException | None = None      # one-shot: raised by a listener
        self.closed = False
        # --- state cache (read under no lock: single assignments of immutable values) ---------
        self.protocol: tuple[int, int] | None = None
        self.firmware: fm.FirmwareReport | None = None
        self.capabilities: tuple | None = None
        self.analog_mapping: tuple | None = None
        self.identity: dict | None = None
        self.digital_ports: dict[int, int] = {}
        self.analog: dict[int, int] = {}
        self.pin_states: dict[int, fm.PinState] = {}
        self.sonar: dict[int, int] = {}
        self.dht: dict[int, Any] = {}            # pin -> DhtReport | DhtError (the latest)
        self.i2c_replies: dict[int, fm.I2cReply] = {}
        self.strings: deque[str] = deque(maxlen=64)
        self.mk_errors: deque[dict] = deque(maxlen=64)
        self.events_received = 0
        self.garbage_bytes = 0
        self._pin_modes: dict[int, int] = {}     # what this host set (or knows the firmware switched to)
        self._out_ports: dict[int, int] = {}     # output levels per port (for DIGITAL_MESSAGE writes)

    # --- life cycle -------------------------------------------------------------------------------
    def start(self) -> "FirmataClient":
        """Start reading: a reader thread on a real clock; on a virtual clock the waits read."""
        if not self._started:
            self._started = True
            if self.virtual:
                self._pump()
            else:
                self._thread = threading.Thread(target=self._reader, daemon=True,
                                                name=f"makerkit-reader {self.transport.url}")
                self._thread.start()
        return self

    def detach(self) -> None:
        """Stop reading but leave the transport open (for whoever passed it in)."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2 * self._read_timeout + 1.0)

    def close(self) -> None:
        """Stop the reader and close the transport (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=2 * self._read_timeout + 1.0)
        try:
            self.transport.close()
        except Exception:  # noqa: BLE001 - closing a vanished port must not hide the real error
            pass
        with self._cond:
            self._cond.notify_all()

    @property
    def on_reader_thread(self) -> bool:
        """True inside a listener (on the reader thread, or in a wait on a virtual clock)."""
        return threading.current_thread() is self._thread or getattr(self._callbacks, "depth", 0) > 0

    @property
    def lost(self) -> MakerkitError | None:
        return self._lost

    # --- errors -----------------------------------------------------------------------------------
    def check(self) -> None:
        """Raise what went wrong in the background since the last call (callback error, lost port)."""
        pending = self._pending
        if pending is not None:
            self._pending = None
            raise pending
        if self._lost is not None:
            raise self._lost
        if self.closed:
            raise DisconnectedError(
                en=f"The connection to {self.transport.url} is closed.",
                zh=f"与 {self.transport.url} 的连接已经关闭。",
                hint_en="Connect again with makerkit.connect(...).",
                hint_zh="请用 makerkit.connect(...) 重新连接。")

    def _lose(self, exc: BaseException) -> None:
        if self._lost is None:
            url = self.transport.url
            if isinstance(exc, DisconnectedError):
                err = exc
            else:
                err = DisconnectedError(en=f"The board on {url} went away ({exc}).",
                                        zh=f"{url} 上的开发板断开了（{exc}）。", port=url)
            self._lost = err
        with self._cond:
            self._cond.notify_all()

    # --- listeners ----------------------------------------------------------------------------------
    def add_listener(self, event_type: type, callback: Callable) -> Callable:
        """Call ``callback(event)`` on the reader thread for each event of ``event_type``
        (``object`` for all). Keep it short; exceptions reach the caller's next call."""
        with self._lock:
            self._listeners.setdefault(event_type, []).append(callback)
        return callback

    def remove_listener(self, event_type: type, callback: Callable) -> None:
        with self._lock:
            items = self._listeners.get(event_type, [])
            if callback in items:
                items.remove(callback)

    # --- writing ----------------------------------------------------------------------------------
    def send(self, data: bytes) -> None:
        """Write bytes to the board (raises what the background stored first)."""
        self.check()
        try:
            with self._write_lock:
                self.transport.write(data)
        except MakerkitError as exc:
            if isinstance(exc, DisconnectedError):
                self._lose(exc)
            raise
        except OSError as exc:
            self._lose(exc)
            raise self._lost from exc

    def set_pin_mode(self, pin: int, mode: int) -> None:
        self.send(fm.set_pin_mode(pin, mode))
        self._pin_modes[pin] = int(mode)

    def pin_mode(self, pin: int) -> int | None:
        """The mode this host last put ``pin`` in (None before any)."""
        return self._pin_modes.get(pin)

    def ensure_pin_mode(self, pin: int, mode: int) -> None:
        """Set ``pin``'s mode unless it is in that mode already."""
        if self._pin_modes.get(pin) != int(mode):
            self.set_pin_mode(pin, mode)

    def assume_pin_mode(self, pin: int, mode: int) -> None:
        """Note a mode the firmware switched ``pin`` to by itself (a tone sets TONE)."""
        self._pin_modes[pin] = int(mode)

    def digital_write(self, pin: int, value: int | bool) -> None:
        """Drive an output pin: SET_DIGITAL_PIN_VALUE on protocol 2.5+, else the port's DIGITAL_MESSAGE."""
        port, bit = divmod(pin, 8)
        with self._port_lock:   # a callback and the main program may write pins of one port at once
            mask = self._out_ports.get(port, 0)
            mask = (mask | (1 << bit)) if value else (mask & ~(1 << bit))
            self._out_ports[port] = mask
            if self.protocol is not None and self.protocol < (2, 5):
                self.send(fm.digital_port(port, mask))
            else:
                self.send(fm.set_digital_pin_value(pin, 1 if value else 0))

    # --- waiting ----------------------------------------------------------------------------------
    def time(self) -> float:
        return self.clock.now()

    def wait_for(self, predicate: Callable[[], Any], timeout: float, *, step: float = VIRTUAL_STEP,
                 resend: bytes | None = None, resend_every: float | None = None) -> Any:
        """Wait until ``predicate()`` is truthy and return its value, or ``None`` after ``timeout``
        seconds (simulated seconds on a virtual clock). ``resend`` is written again every
        ``resend_every`` seconds while waiting. Raises stored errors at once.

        The one wait loop of the client. Only how it waits for news between two looks depends on who
        reads the port: the reader thread (sleep until it notifies), nobody because this runs inside
        one of its listeners or the client was never started (read here, bounded by wall time: a
        short exchange such as a probe needs no thread, and none to stop), or a virtual clock (move time on a
        step and read what came: time always moves, so this always ends, and an answer costs at
        least one step, as a round trip over a cable does)."""
        if self.on_reader_thread or not (self._started or self.virtual):
            now_of, eps, pause = time.monotonic, 0.0, self._pause_reading
        elif self.virtual:
            now_of, eps, pause = self.clock.now, EPSILON, functools.partial(self._pause_stepping, step)
        else:
            now_of, eps, pause = time.monotonic, 0.0, self._pause_listening
        deadline = now_of() + timeout
        resender = _Resender(self, resend, resend_every, deadline - timeout)
        while True:
            self.check()
            with self._lock:
                result = predicate()
            if result:
                return result
            now = now_of()
            if now >= deadline - eps:
                return None
            resender.poll(now + eps)
            pause(predicate, now, deadline, resender.until(deadline))

    def _pause_listening(self, predicate, now: float, deadline: float, until: float) -> None:
        with self._cond:                       # looked at again under the lock: no news is missed
            if not predicate():
                self._cond.wait(min(until - now, 0.5))

    def _pause_reading(self, predicate, now: float, deadline: float, until: float) -> None:
        self._read_once(min(deadline - now, self._read_timeout))

    def _pause_stepping(self, step: float, predicate, now: float, deadline: float, until: float) -> None:
        self.advance(min(step, deadline - now))

    def request(self, data: bytes, *, expect: type | tuple, match: Callable[[Any], bool] | None = None,
                timeout: float = 1.0, what: tuple[str, str] | None = None, resend_every: float | None = None,
                raise_mk_error: bool | int = False):
        """Send ``data`` and return the first event of type ``expect`` (accepted by ``match``).
        Raises :class:`NoAnswerError` after ``timeout`` seconds; ``what`` = (en, zh) names the
        question in that message. With ``raise_mk_error`` a firmware MK_ERROR (about command
        ``raise_mk_error`` when it is a command byte) ends the wait as a :class:`DeviceError`."""
        capture = _Capture(expect, match)
        if raise_mk_error is not True and raise_mk_error is not False:
            capture.mk_cmd = int(raise_mk_error)
        with self._lock:
            self._captures.append(capture)
        try:
            self.send(data)
            done = self.wait_for(lambda: capture.event is not None or (raise_mk_error and capture.mk_error),
                                 timeout, resend=data if resend_every else None, resend_every=resend_every)
        finally:
            with self._lock:
                if capture in self._captures:
                    self._captures.remove(capture)
        if raise_mk_error and capture.mk_error is not None:   # it came first: the board refused
            info = capture.mk_error
            raise DeviceError(en=str(info.get("en") or f"The board refused the command ({info.get('code')})."),
                              zh=str(info.get("zh") or f"开发板拒绝了这个命令（{info.get('code')}）。"),
                              code=info.get("code"), info=info)
        if capture.event is not None:
            return capture.event
        if not done:
            en, zh = what or ("the request", "这个请求")
            raise NoAnswerError(
                en=f"The board on {self.transport.url} did not answer {en} within {timeout:g} s.",
                zh=f"{self.transport.url} 上的开发板在 {timeout:g} 秒内没有回应{zh}。",
                port=self.transport.url)
        return capture.event

    def drive(self, machine) -> None:
        """Run a sans-I/O exchange (such as :class:`makerkit.protocol.handshake.Handshake`) to its
        end: hand it every event and the time, carry out what it returns (``Send``, ``SetBaud``).
        The one loop that waits for a conversation with the board."""
        from ..protocol.handshake import Send, SetBaud

        def on_event(event) -> None:
            machine.on_event(event, self.clock.now())
        self.add_listener(object, on_event)
        try:
            while True:
                for action in machine.poll(self.clock.now()):
                    if isinstance(action, Send):
                        self.send(action.data)
                    elif isinstance(action, SetBaud):
                        self.transport.set_baud(action.baud)
                if machine.done:
                    return
                self.wait_for(lambda: machine.news, max(0.0, machine.wake_at - self.clock.now()))
        finally:
            self.remove_listener(object, on_event)

    # --- time ---------------------------------------------------------------------------------------
    def call_at(self, when: float, fn: Callable[[], None]) -> int:
        """Run ``fn()`` at ``when`` (transport time); returns a handle for :meth:`cancel`."""
        handle = next(self._sched_ids)
        with self._lock:
            heapq.heappush(self._schedule, (when, handle, fn))
        return handle

    def cancel(self, handle: int) -> None:
        with self._lock:
            self._schedule = [item for item in self._schedule if item[1] != handle]
            heapq.heapify(self._schedule)

    def _next_due(self) -> float | None:
        with self._lock:
            return self._schedule[0][0] if self._schedule else None

    def _run_due(self, now: float) -> None:
        while True:
            with self._lock:
                if not self._schedule or self._schedule[0][0] > now:
                    return
                _, _, fn = heapq.heappop(self._schedule)
            self._call_user(fn)

    def advance(self, seconds: float) -> None:
        """Virtual clock: move simulated time on by ``seconds``, running scheduled actions on time."""
        clock = self.clock
        target = clock.now() + max(0.0, seconds)
        while True:
            self.check()
            now = clock.now()
            due = self._next_due()
            if due is not None and due <= target + EPSILON:
                if due - now > EPSILON:
                    clock.sleep(min(due - now, VIRTUAL_CHUNK))
                    self._pump()
                    continue
                self._run_due(now + EPSILON)
                continue
            if target - now <= EPSILON:   # simulated time moves in whole microseconds
                return
            # in chunks, so a callback's error stops the sleep close to when it happened
            clock.sleep(min(target - now, VIRTUAL_CHUNK))
            self._pump()

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``; a lost port or a callback error ends the wait early with that error."""
        self.check()
        if seconds <= 0:
            return
        if self.virtual:
            if self.on_reader_thread:
                raise MakerkitError(
                    en="Do not sleep inside a when_... function: it would stop the kit's clock.",
                    zh="不要在 when_... 回调函数里 sleep：那样会让套件的时钟停住。",
                    hint_en="Keep callbacks short; do waiting in the main program.",
                    hint_zh="回调函数要简短，需要等待的事放到主程序里做。")
            self.advance(seconds)
            return
        deadline = time.monotonic() + seconds
        with self._cond:
            while True:
                self.check()
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._cond.wait(remaining)

    # --- reading ----------------------------------------------------------------------------------
    def _reader(self) -> None:
        """The reader thread (real clocks only)."""
        while not self._stop.is_set():
            timeout = self._read_timeout
            due = self._next_due()
            if due is not None:
                timeout = max(0.0, min(timeout, due - time.monotonic()))
            if not self._read_once(timeout):
                return
            if self._schedule:
                self._run_due(time.monotonic())

    def _pump(self) -> None:
        """Virtual clock: read and handle everything the kit has sent so far (no waiting)."""
        if not self.virtual or self.closed or self._lost is not None or self._stop.is_set():
            return
        with self._pump_lock:   # the decoder is fed by one thread at a time
            while self._read_once(0.0, pump=True):
                pass

    def _read_once(self, timeout: float, *, pump: bool = False) -> bool:
        """Read once and handle what came; False when the port is gone (or, with ``pump``, when
        nothing came)."""
        try:
            data = self.transport.read(4096, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - any failure of the port means it is gone
            if not self._stop.is_set():
                self._lose(exc)
            return False
        if data:
            self.feed(data)
        return bool(data) or not pump

    def feed(self, data: bytes) -> None:
        """Decode ``data`` and handle the events (the reader calls this; tests may too)."""
        events = self._decoder.feed(data)
        if not events:
            return
        calls = []
        cache, listeners = CACHE_UPDATES, self._listeners      # looked up once per read, not per event
        with self._cond:
            for event in events:
                apply = cache.get(type(event))
                if apply is not None:
                    apply(self, event)
                for capture in self._captures:
                    if capture.event is None and isinstance(event, capture.expect) and (
                            capture.match is None or capture.match(event)):
                        capture.event = event
                    elif capture.event is None and capture.mk_error is None and isinstance(event, fm.MkError) and (
                            capture.mk_cmd is None or event.info.get("cmd") == capture.mk_cmd):
                        capture.mk_error = event.info
                if listeners:
                    calls += self._calls_for(event)
            self.events_received += len(events)
            self._cond.notify_all()
        for cb, event in calls:
            self._call_user(cb, event)

    def deliver(self, event) -> None:
        """Hand ``event`` to the listeners as if the board had sent it. For news that reaches the
        program of a tethered kit through this computer instead of the cable: a teacher's control
        message (:func:`makerkit.device.stop.tell_program`), so ``kit.when_message`` hears it alike."""
        with self._cond:
            calls = self._calls_for(event)
        for cb, ev in calls:
            self._call_user(cb, ev)

    def _calls_for(self, event) -> list:
        return [(cb, event) for cls in (type(event), object) for cb in self._listeners.get(cls, ())]

    def _call_user(self, fn: Callable, *args) -> None:
        local = self._callbacks
        local.depth = getattr(local, "depth", 0) + 1
        try:
            fn(*args)
        except Exception as exc:  # noqa: BLE001 - stored and raised on the student's next call
            if self._pending is None:
                self._pending = exc
            with self._cond:
                self._cond.notify_all()
        finally:
            local.depth -= 1
