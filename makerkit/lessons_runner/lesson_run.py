"""``LessonRun``: everything a checker may look at after a student's script ran.

Times are seconds since the script started. On the virtual kit ``run.world`` is the simulated world
(and ``run.robot`` the simulated robot of a robot lesson, :mod:`makerkit.sim.robot`),
and ``run.output_levels(pin)`` comes from what the pins really did (the world's trace); on a real kit
it comes from what the script told the kit (``led.on()``...), and input levels from what the kit
reported. A checker schedules its scenario with ``run.at(t, fn)`` (virtual kit only) and reports
with ``run.ok(...)`` / ``run.fail(...)`` / ``run.skip(...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..catalog.lessons import Lesson
from ..device.stop import tell_program
from ..protocol import control as ctl
from .findings import Finding, failed, passed, skipped
from ..catalog.parts import kinds_for_role
from .recorder import DeviceOpened, InputChange, KitEvent, LevelChange, Output, Published, Reading, Recorder


@dataclass(frozen=True)
class ScenarioEvent:
    """Something the checker's scenario did to the simulated world (shown in ``lesson run``)."""
    t: float
    en: str
    zh: str


@dataclass(frozen=True)
class Level:
    t: float
    level: float


class LessonRun:
    """One run of a lesson script (see the module docstring)."""

    def __init__(self, lesson: Lesson, kit: Any, script: Path, seconds: float | None):
        self.lesson = lesson
        self.kit = kit
        self.board = kit.board
        self.script = Path(script)
        self.seconds = seconds
        sim = getattr(kit, "sim", None)
        self.world = getattr(sim, "world", None) if sim is not None else None
        self.is_sim = self.world is not None
        self.pins = lesson.pins_for(self.board.id)
        self.crash = None
        self.ended = "not started"
        self.elapsed = 0.0
        self.scenario_log: list[ScenarioEvent] = []
        self.robot = None          # the simulated robot of a robot lesson (makerkit.sim.robot.SimRobot)
        self._recorder: Recorder | None = None
        self._t0_world = 0.0
        self._trace_start = 0
        self._trace_end: int | None = None

    # -- lifecycle (the runner calls these) ---------------------------------------------------------
    def start(self, session: Any) -> None:
        self._recorder = session.recorder
        if self.world is not None:
            self._t0_world = self.world.now()
            self._trace_start = len(self.world.trace)

    def stop(self) -> None:
        """The script has stopped: what the world does from now on (pins freed) is not its doing."""
        if self.world is not None and self._trace_end is None:
            self._trace_end = len(self.world.trace)
        if self.robot is not None:
            self.robot.body.freeze()     # the path ends where the script stopped

    def finish(self, session: Any, result: Any) -> None:
        self.stop()
        self.ended = result.ended
        self.crash = result.crash
        self.elapsed = session.recorder.now()

    # -- the scenario (virtual kit only) ------------------------------------------------------------
    def at(self, t: float, fn: Callable[[Any], None], en: str = "", zh: str = "") -> None:
        """Run ``fn(world)`` when the script has run ``t`` seconds (simulated)."""
        if self.world is None:
            return

        def fire(world: Any) -> None:
            fn(world)
            if en:
                event = ScenarioEvent(t, en, zh or en)
                self.scenario_log.append(event)
                if self._recorder is not None:
                    self._recorder.add(event)

        if t <= 0:
            fire(self.world)
        else:
            self.world.at(self._t0_world + t, fire)

    def send_control(self, text: str | None = None, *, cmd: str = "say", by: str = "teacher") -> None:
        """Virtual kit only: a teacher's control message (``say`` with ``text``, or ``stop``) reaches the
        kit now, as from the class dashboard or ``makerkit class say`` (docs/TELEMETRY.md §4a). A board
        with network gets it in its firmware (the mPython board shows a ``say`` on its display too); a
        tethered board's computer hands it to the program. Either way the script's ``kit.when_message``
        functions hear it. Call it from the scenario: ``run.at(2, lambda w: run.send_control("open"))``."""
        if self.world is None:
            return
        payload = ctl.control_payload(cmd, request_id=ctl.new_request_id(), text=text, by=by)
        if self.board.has_network:
            self.kit.sim.receive_control(payload)
            return
        client = self.kit.client      # the host's turn: on its own clock, not inside the world's step
        client.call_at(client.time(), lambda: tell_program(self.kit, payload))

    # -- pins ---------------------------------------------------------------------------------------
    def pin(self, role: str) -> str:
        """The printed pin of ``role`` ("led", "button", "dht"...): the pin the script used for that
        kind of part, or else the lesson's pin for this board."""
        kinds = kinds_for_role(role)
        for dev in self.devices:
            if dev.kind in kinds and "+" not in dev.pin:
                return dev.pin
        name = self.pins.get(role, role)
        try:
            return self.board.pin(name).name
        except Exception:
            return name

    def lesson_pin(self, role: str) -> str:
        name = self.pins.get(role, role)
        try:
            return self.board.pin(name).name
        except Exception:
            return name

    # -- records ------------------------------------------------------------------------------------
    def _of(self, kind: type) -> list:
        return self._recorder.of(kind) if self._recorder is not None else []

    @property
    def outputs(self) -> list[Output]:
        return self._of(Output)

    @property
    def printed(self) -> list[str]:
        return [o.text for o in self.outputs]

    @property
    def devices(self) -> list[DeviceOpened]:
        return self._of(DeviceOpened)

    @property
    def readings(self) -> list[Reading]:
        return self._of(Reading)

    @property
    def published(self) -> list[Published]:
        return self._of(Published)

    @property
    def events(self) -> list[KitEvent]:
        """The events the script raised with ``kit.event(...)``, in order."""
        return self._of(KitEvent)

    def events_named(self, name: str) -> list[KitEvent]:
        return [e for e in self.events if e.name == name]

    @property
    def inputs(self) -> list[InputChange]:
        return self._of(InputChange)

    def devices_of(self, *kinds: str) -> list[DeviceOpened]:
        return [d for d in self.devices if d.kind in kinds]

    def readings_of(self, name: str, *kinds: str) -> list[Reading]:
        return [r for r in self.readings if r.name == name and (not kinds or r.device in kinds)]

    def trace(self, pin: str | None = None, kind: str | None = None) -> list:
        """The simulated world's output changes during the run, with times relative to the start."""
        if self.world is None:
            return []
        out = []
        for ev in list(self.world.trace)[self._trace_start:self._trace_end]:
            if (pin is None or ev.pin == pin) and (kind is None or ev.kind == kind):
                out.append(type(ev)(ev.t - self._t0_world, ev.pin, ev.kind, ev.value))
        return out

    def output_levels(self, pin: str) -> list[Level]:
        """How an output pin changed: 0/1 (or a PWM fraction), deduplicated, in time order."""
        if self.world is not None:
            raw = [Level(ev.t, float(ev.value)) for ev in self.trace(pin) if ev.kind in ("digital", "pwm")]
        else:
            raw = [Level(e.t, float(e.level)) for e in self._of(LevelChange) if e.pin == pin]
        out: list[Level] = []
        for lv in raw:
            if not out or out[-1].level != lv.level:
                out.append(lv)
        return out

    def level_at(self, pin: str, t: float) -> float | None:
        """An output pin's level at ``t`` (None before anything set it, or on a real kit with no record)."""
        level = None
        for lv in self.output_levels(pin):
            if lv.t > t:
                break
            level = lv.level
        return level

    # -- findings -----------------------------------------------------------------------------------
    @staticmethod
    def ok(en: str, zh: str) -> Finding:
        return passed(en, zh)

    @staticmethod
    def fail(en: str, zh: str, fix_en: str = "", fix_zh: str = "") -> Finding:
        return failed(en, zh, fix_en, fix_zh)

    @staticmethod
    def skip(en: str, zh: str) -> Finding:
        return skipped(en, zh)

    def needs_sim(self, what_en: str, what_zh: str) -> Finding:
        return skipped(f"Not checked on a real kit: {what_en}. Run the check with --sim for this part.",
                       f"在真实开发板上无法检查：{what_zh}。加上 --sim 用虚拟套件检查这一项。")
