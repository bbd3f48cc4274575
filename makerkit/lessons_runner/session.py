"""Run one lesson script against one kit, within a time budget, and keep what happened.

The script runs on a worker thread so the caller stays in charge: it ends the run when the budget
of (kit) seconds is used up, on Ctrl-C, or when a script stops answering (a loop that never calls
``kit.sleep``). The budget is enforced inside ``kit.sleep`` (it raises :class:`LessonStop`); a
script stuck in pure Python gets :class:`LessonStop` delivered asynchronously. On a virtual clock a
busy loop (device reads without any ``kit.sleep``) also moves simulated time forward a little, as
it would on a real board, so ``while True: if button.is_pressed: ...`` works there too, and
``time.sleep`` on the script's thread (a CircuitPython driver's, or the student's) waits on the
kit's clock like ``kit.sleep`` (:mod:`.script_time`).
"""

from __future__ import annotations

import ctypes
import threading
import time
from pathlib import Path
from typing import Any, Callable, Mapping

from ..device.current import enter_kit
from ..device.events import OutputSet, PartOpened, PartRead
from ..errors import UsageError
from .findings import ScriptCrash
from .recorder import InputChange, LessonKit, LessonStop, Output, Recorder
from .script import explain_crash, load_script, missing_main_crash
from .script_time import route_sleep, unroute_sleep

BUSY_CALLS = 50          # device uses without a kit.sleep before simulated time moves on by itself
BUSY_STEP = 0.005        # ... by this many seconds
STOP_NOTICE = 0.5        # wall seconds a script gets to notice a stop before it is interrupted
STOP_GRACE = 2.0         # ... and to unwind once interrupted


class Session:
    """The running state the LessonKit consults: clock, budget, stop request."""

    def __init__(self, kit: Any, seconds: float | None, on_event: Callable | None):
        self.kit = kit
        self.virtual = kit.clock.virtual
        self.recorder = Recorder(kit.time, on_event)
        self.deadline = None if seconds is None else self.recorder.t0 + seconds
        self.stop_requested = threading.Event()
        self.script_thread: int | None = None
        self.opened: list[Any] = []       # the devices the script made (closed when the run ends)
        self.pins: Mapping[str, str] = {}  # the lesson's pins for this board: kit.pins (the runner sets them)
        self.at_end: list[Callable[[], None]] = []   # undone when the run ends (the script's kit.when_message)
        self._busy = 0

    def on_script_thread(self) -> bool:
        return threading.get_ident() == self.script_thread

    def sleep(self, seconds: float) -> None:
        if not self.on_script_thread():   # a when_... callback: the kit says what it allows
            self.kit.sleep(seconds)
            return
        if self.stop_requested.is_set():
            raise LessonStop()
        self._busy = 0
        if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds != seconds:
            raise UsageError(
                en=f"kit.sleep() needs a number of seconds, like kit.sleep(0.5), not {seconds!r}.",
                zh=f"kit.sleep() 里要写一个秒数，比如 kit.sleep(0.5)，而不是 {seconds!r}。",
                hint_en="Write the number without quotes.", hint_zh="数字不要加引号。")
        seconds = max(0.0, float(seconds))
        stop_after = False
        if self.deadline is not None:
            remaining = self.deadline - self.kit.time()
            if remaining <= 0:
                raise LessonStop()
            if seconds >= remaining:
                seconds, stop_after = remaining, True
        if self.virtual:
            self.kit.sleep(seconds)
        else:
            if self.stop_requested.wait(seconds):
                raise LessonStop()
            self.kit.sleep(0)
        if stop_after or self.stop_requested.is_set():
            raise LessonStop()

    def on_kit_event(self, event: Any) -> None:
        """The kit's events: record them; a part opened is closed when the run ends; a use of a
        part is a tick."""
        self.recorder.hear(event)
        if isinstance(event, PartOpened):
            if all(dev is not event.device for dev in self.opened):
                self.opened.append(event.device)
        elif isinstance(event, (OutputSet, PartRead)):
            self.tick()

    def tick(self) -> None:
        """Called on every device use: honours stop requests, moves a busy loop's clock on."""
        if not self.on_script_thread():
            return
        if self.stop_requested.is_set():
            raise LessonStop()
        self._busy += 1
        if self._busy >= BUSY_CALLS:
            self._busy = 0
            if self.virtual:
                self.sleep(BUSY_STEP)
            elif self.deadline is not None and self.kit.time() >= self.deadline:
                raise LessonStop()


class ScriptResult:
    """How the script's run ended: ``ended`` is "finished", "budget", "interrupted", "crashed" or "stuck"."""

    def __init__(self) -> None:
        self.ended = "finished"
        self.crash: ScriptCrash | None = None
        self.wall_seconds = 0.0


def _raise_in_thread(thread: threading.Thread, exc_type: type) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread.ident), ctypes.py_object(exc_type))


def _watch_inputs(kit: Any, session: Session) -> Callable[[], None]:
    """On a kit with a Firmata client, record the input levels it reports (buttons on real kits).
    Returns the function that stops watching."""
    client = getattr(kit, "client", None)
    if getattr(client, "add_listener", None) is None:
        return lambda: None
    from ..protocol.firmata import DigitalPortReport
    board = kit.board
    last: dict[str, int] = {}

    def on_port(event: DigitalPortReport) -> None:
        for bit in range(8):
            info = board.pin_by_number(event.port * 8 + bit)
            if info is None:
                continue
            level = (event.mask >> bit) & 1
            if last.get(info.name) != level:
                last[info.name] = level
                session.recorder.add(InputChange(session.recorder.now(), info.name, level))

    client.add_listener(DigitalPortReport, on_port)
    return lambda: client.remove_listener(DigitalPortReport, on_port)


def _watch_teacher(kit: Any, session: Session) -> Callable[[], None]:
    """Show the teacher's ``class say`` in the run, and end the run at a ``class stop`` (the kit has
    turned its outputs off; the script must not turn them on again). Returns the unwatch function."""
    if getattr(getattr(kit, "client", None), "add_listener", None) is None:
        return lambda: None
    from ..protocol.firmata import MkControl

    def on_control(event: MkControl) -> None:
        info = event.info
        by = str(info.get("by") or "")
        who = f" ({by})" if by else ""
        if info.get("cmd") == "say":
            session.recorder.add(Output(session.recorder.now(), f"Teacher 老师{who}: {info.get('text', '')}"))
        elif info.get("cmd") == "stop":
            session.recorder.add(Output(session.recorder.now(), f"Teacher 老师{who}: stop. 停下。"))
            session.stop_requested.set()

    kit.client.add_listener(MkControl, on_control)
    return lambda: kit.client.remove_listener(MkControl, on_control)


def execute(script: Path, kit: Any, *, seconds: float | None, wall_limit: float | None = None,
            on_event: Callable | None = None, before_start: Callable[[Session], None] | None = None,
            after_end: Callable[[Session], None] | None = None) -> tuple[Session, ScriptResult]:
    """Run ``script``'s ``main(kit)`` until it returns, crashes, or ``seconds`` of kit time pass.

    ``wall_limit`` (wall-clock seconds) catches scripts that never give the clock a chance to move.
    ``before_start(session)`` runs just before the script, ``after_end(session)`` just after it
    (before the runner frees the script's pins).
    Ctrl-C in the calling thread ends the run ("interrupted") and is not re-raised."""
    session = Session(kit, seconds, on_event)
    result = ScriptResult()
    unwatch = _watch_all(kit, session)
    if before_start is not None:
        try:
            before_start(session)
        except BaseException:
            unwatch()
            raise
    started = time.monotonic()
    worker = threading.Thread(target=_script_body(Path(script), LessonKit(kit, session), session, result),
                              name="makerkit-lesson-script", daemon=True)
    worker.start()
    _await_script(worker, session, result, wall_limit)
    if result.ended == "stuck" and result.crash is None:
        result.crash = _stuck_crash(Path(script), wall_limit or 0.0)
    result.wall_seconds = time.monotonic() - started
    unwatch()
    for undo in reversed(session.at_end):
        undo()
    if after_end is not None:
        after_end(session)
    if not worker.is_alive():
        _close_devices(session)
    return session, result


def _watch_all(kit: Any, session: Session) -> Callable[[], None]:
    """Watch the kit's inputs, the teacher's control messages and the kit's events; returns the
    function that stops all three."""
    unwatchers = [_watch_inputs(kit, session), _watch_teacher(kit, session)]
    if callable(getattr(kit, "watch", None)):
        unwatchers.append(kit.watch(session.on_kit_event))

    def unwatch() -> None:
        for stop in unwatchers:
            stop()
    return unwatch


def _script_body(script: Path, lesson_kit: LessonKit, session: Session, result: ScriptResult) -> Callable[[], None]:
    """The script thread's work: load the student's file and run its ``main(kit)``, recording how it ended."""
    def target() -> None:
        session.script_thread = threading.get_ident()
        enter_kit(lesson_kit)   # LED("D13") without kit= in the script finds the lesson's kit
        # on a virtual clock a driver's time.sleep waits on the kit's clock too (script_time)
        routing = route_sleep(session.sleep) if session.virtual else None
        try:
            module = load_script(script, print_fn=session.recorder.print)
            main = getattr(module, "main", None)
            if not callable(main):
                result.ended, result.crash = "crashed", missing_main_crash(script)
                return
            main(lesson_kit)
        except LessonStop:
            if result.ended == "finished":
                result.ended = "budget"
        except BaseException as exc:  # the student's exception: explain it
            if result.ended == "finished":
                result.ended = "crashed"
            result.crash = explain_crash(exc, script, _safe_now(session))
        finally:
            if routing is not None:
                unroute_sleep(routing)
            session.recorder.flush()
    return target


def _await_script(worker: threading.Thread, session: Session, result: ScriptResult,
                  wall_limit: float | None) -> None:
    """Wait for the script thread (at most ``wall_limit`` wall seconds); stop it when it overstays."""
    try:
        worker.join(wall_limit)
        if worker.is_alive():
            result.ended = "stuck"
    except KeyboardInterrupt:
        result.ended = "interrupted"
    if worker.is_alive():
        session.stop_requested.set()
        try:
            worker.join(STOP_NOTICE)
            if worker.is_alive():
                _raise_in_thread(worker, LessonStop)
                worker.join(STOP_GRACE)
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
            _raise_in_thread(worker, LessonStop)


def _close_devices(session: Session) -> None:
    """Free the pins the script used, so the same kit can run the next script."""
    for dev in reversed(session.opened):
        try:
            dev.close()
        except Exception:  # noqa: BLE001 - a lost kit: the kit's own close reports it
            pass
    session.opened.clear()


def _safe_now(session: Session) -> float | None:
    try:
        return session.recorder.now()
    except Exception:
        return None


def _stuck_crash(script: Path, wall: float) -> ScriptCrash:
    return ScriptCrash(
        kind="Timeout", message=f"{script.name} did not stop after {wall:.0f} s",
        frames=(),
        hint_en=("Your loop never waits. Put kit.sleep(...) inside every `while True:` loop "
                 "(for example kit.sleep(0.1)), so the kit has time to do its work."),
        hint_zh=("你的循环一直不停下来等一等。请在每个 `while True:` 循环里加上 kit.sleep(...)"
                 "（比如 kit.sleep(0.1)），让开发板有时间工作。"))
