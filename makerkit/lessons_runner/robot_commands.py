"""A robot lesson on a real kit: what the host told the motors, and what the robot's sensors read.

On a real kit nobody sees where the robot drives (``run.robot`` is None), but the host knows every
command the program sent and every reading it took, with its time. This module turns those records
into what a checker can grade, the same way on every board and firmware:

* :func:`moves`: the wheel speeds the program gave, as a list of :class:`Move` (a stretch of time
  with constant speeds), worked out from the driver's pins as they were set:
  left = (IN1 - IN2) x ENA, right = (IN3 - IN4) x ENB. The few milliseconds in which the driver
  changes over from one move to the next (its pins are set one after the other) are left out.
* :func:`episodes`: the readings of a sensor cut into stretches of one state ("close", "clear"),
  each from the reading that began it to the reading that ended it.
* :func:`during`: the moves that overlap a stretch, to see how the program answered what it read.

::

    from makerkit.lessons_runner import robot_commands as rcmd

    def check(run):
        if run.robot is None:
            steps = rcmd.moves(run)            # [Move(start, end, left, right), ...]
            close = [e for e in rcmd.episodes(run.readings_of("distance_cm"), lambda cm: cm < 20, run)
                     if e.state]
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Iterable

GLITCH = 0.05        # seconds: a stretch shorter than this is the driver changing over, not a move
SAME = 0.05          # two speeds closer than this (fractions of full speed) count as the same
ANSWER_S = 1.0       # seconds a program has to answer what it read (a real robot at 20 cm/s: 20 cm)
REACT_S = 0.5        # seconds: a stretch shorter than this may end before a program could answer, so
                     # a program that did not answer it is not blamed


@dataclass(frozen=True)
class Move:
    """The wheels at constant speeds from ``start`` to ``end`` (seconds since the script started);
    ``left`` and ``right`` from -1 (full backwards) to 1 (full forwards)."""
    start: float
    end: float
    left: float
    right: float

    @property
    def seconds(self) -> float:
        return self.end - self.start

    @property
    def kind(self) -> str:
        """``stop``, ``forward``, ``backward``, ``spin_left``, ``spin_right``, or a curve: ``left``
        (the right wheel faster) or ``right``."""
        left, right = self.left, self.right
        if abs(left) <= SAME / 2 and abs(right) <= SAME / 2:
            return "stop"
        if abs(left - right) <= SAME:
            return "forward" if left > 0 else "backward"
        if abs(left + right) <= SAME:
            return "spin_left" if right > 0 else "spin_right"
        return "left" if right > left else "right"

    @property
    def drives_forward(self) -> bool:
        """Both wheels forwards at about the same speed."""
        return self.kind == "forward"

    @property
    def steers_left(self) -> bool:
        return self.right - self.left > SAME

    @property
    def steers_right(self) -> bool:
        return self.left - self.right > SAME

    def said(self) -> tuple[str, str]:
        """The wheels in words: ("left wheel 50% forwards, right wheel 50% backwards", "左轮向前 50%，...")."""
        (le, lz), (re_, rz) = _wheel(self.left), _wheel(self.right)
        return f"left wheel {le}, right wheel {re_}", f"左轮{lz}，右轮{rz}"


def _wheel(speed: float) -> tuple[str, str]:
    if abs(speed) <= SAME / 2:
        return "stopped", "停着"
    way_en, way_zh = ("forwards", "向前") if speed > 0 else ("backwards", "向后")
    return f"{abs(speed):.0%} {way_en}", f"{way_zh} {abs(speed):.0%}"


# --- the wheels -------------------------------------------------------------------------------------

def driver_pins(run) -> tuple[tuple[str, str, str | None], tuple[str, str, str | None]] | None:
    """((IN1, IN2, ENA), (IN3, IN4, ENB)) as printed pins: the lesson's ``[robot]`` motor roles when
    the program's motor driver uses those pins, else the pins of the driver it made (which claims
    each side's speed pin first); None when the program made no motor driver."""
    drivers = run.devices_of("motor_driver")
    if not drivers:
        return None
    used = drivers[-1].pin.split("+")
    spec = run.lesson.robot
    if spec is not None and spec.left and spec.right:
        sides = tuple(tuple(run.lesson_pin(role) for role in roles) for roles in (spec.left, spec.right))
        if set(used) == {p for side in sides for p in side}:
            return tuple(side + (None,) * (3 - len(side)) for side in sides)
    if len(used) == 6:
        return (used[1], used[2], used[0]), (used[4], used[5], used[3])
    if len(used) == 4:
        return (used[0], used[1], None), (used[2], used[3], None)
    return None


def _side_speed(run, side, t: float) -> float:
    forward, backward, enable = side
    level = (run.level_at(forward, t) or 0.0) - (run.level_at(backward, t) or 0.0)
    return level * (1.0 if enable is None else (run.level_at(enable, t) or 0.0))


def spans(run) -> list[Move]:
    """Every stretch of constant wheel speeds, the driver's change-overs included (see :func:`moves`)."""
    pins = driver_pins(run)
    if pins is None:
        return []
    wanted = {p for side in pins for p in side if p is not None}
    times = sorted({lv.t for p in wanted for lv in run.output_levels(p)} | {0.0})
    end = max(run.elapsed, times[-1])
    out: list[Move] = []
    for i, t in enumerate(times):
        left, right = (round(_side_speed(run, side, t), 3) for side in pins)
        until = times[i + 1] if i + 1 < len(times) else end
        if out and (out[-1].left, out[-1].right) == (left, right):
            out[-1] = Move(out[-1].start, until, left, right)
        else:
            out.append(Move(t, until, left, right))
    return out


def moves(run, glitch: float = GLITCH) -> list[Move]:
    """The wheel speeds the program gave, stretch by stretch: the driver's change-overs (stretches
    shorter than ``glitch`` seconds, but never the last) left out and their neighbours joined."""
    found = spans(run)
    out: list[Move] = []
    for i, move in enumerate(found):
        if move.seconds < glitch and i < len(found) - 1:
            continue
        if out and abs(out[-1].left - move.left) < 1e-9 and abs(out[-1].right - move.right) < 1e-9:
            out[-1] = Move(out[-1].start, move.end, move.left, move.right)
            continue
        if out:      # a change-over left out belongs to the move before it
            out[-1] = Move(out[-1].start, move.start, out[-1].left, out[-1].right)
        out.append(move)
    return out


def during(found: Iterable[Move], start: float, end: float) -> list[Move]:
    """The moves of ``found`` that overlap the stretch from ``start`` to ``end``."""
    return [m for m in found if m.end > start and m.start < end]


def answer(found: Iterable[Move], episode: "Episode", wanted: Callable[[Move], bool],
           within: float = ANSWER_S) -> Move | None:
    """The first move of ``found`` that does what ``wanted`` asks while ``episode`` lasts, within
    ``within`` seconds of its start (a move already under way when it began counts); None if none."""
    return next((m for m in during(found, episode.start, min(episode.end, episode.start + within)) if wanted(m)),
                None)


def judged(episode: "Episode") -> bool:
    """Whether ``episode`` lasted long enough to blame a program that did not answer it."""
    return episode.seconds >= REACT_S


def turn_degrees(run, move: Move) -> float:
    """How far ``move`` turns the lesson's robot (its ``[robot]`` size and top speed), in degrees,
    counter-clockwise positive. Only the simulated robot turns exactly so; a real one on a real
    floor turns a little more or less."""
    spec = run.lesson.robot
    if spec is None:
        return 0.0
    rate = (move.right - move.left) * spec.top_speed / spec.wheel_base      # radians a second
    return math.degrees(rate * move.seconds)


# --- the sensors ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Episode:
    """A stretch of readings in one ``state``: from the reading that began it (``start``) to the one
    that began the next (``end``; the run's end for the last); ``first`` is the value that began it."""
    start: float
    end: float
    state: Any
    first: Any

    @property
    def seconds(self) -> float:
        return self.end - self.start


def episodes(readings: Iterable[Any], state: Callable[[Any], Any], run) -> list[Episode]:
    """``readings`` (records with ``t`` and ``value``, in time order) cut where ``state(value)`` changes."""
    out: list[Episode] = []
    for reading in readings:
        now = state(reading.value)
        if out and out[-1].state == now:
            continue
        if out:
            out[-1] = Episode(out[-1].start, reading.t, out[-1].state, out[-1].first)
        out.append(Episode(reading.t, run.elapsed, now, reading.value))
    return out


def pair_episodes(run, first_pin: str, second_pin: str, name: str | None = None) -> list[Episode]:
    """Episodes of two sensors together (two line sensors), the state (first, second) as booleans
    from the moment both are known: from the levels the kit reported on the two pins (1 is True: a
    line sensor's DO over the line), or with ``name``, from the program's readings of that name."""
    if name is None:
        looks = [(i.t, i.pin, i.level == 1) for i in run.inputs if i.pin in (first_pin, second_pin)]
    else:
        looks = [(r.t, r.pin, bool(r.value)) for r in run.readings
                 if r.name == name and r.pin in (first_pin, second_pin)]
    last: dict[str, bool] = {}
    merged = []
    for t, pin, value in sorted(looks, key=lambda look: look[0]):
        last[pin] = value
        if len(last) == 2:
            merged.append(_Looked(t, (last[first_pin], last[second_pin])))
    return episodes(merged, lambda pair: pair, run)


@dataclass(frozen=True)
class _Looked:
    t: float
    value: Any


def times_text(n: int) -> tuple[str, str]:
    """("once", "1 次"), ("twice", "2 次"), ("3 times", "3 次")."""
    return ({1: "once", 2: "twice"}.get(n, f"{n} times"), f"{n} 次")


__all__ = ["ANSWER_S", "Episode", "GLITCH", "Move", "REACT_S", "answer", "driver_pins", "during", "episodes",
           "judged", "moves", "pair_episodes", "spans", "times_text", "turn_degrees"]
