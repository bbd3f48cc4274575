"""A lesson's robot: the ``[robot]`` table of ``lesson.toml`` parsed into a frozen :class:`RobotSpec`.

The table says which arena the simulated robot drives in, how big it is, and where its parts sit,
each part bound to the roles of the lesson's ``[pins.*]`` tables, so the wiring table is all that
lies between the student's program and the robot (real or simulated)::

    [robot]
    arena = "line-loop"                  # a shipped arena, or "my-arena.toml" in the lesson's folder
    wheel_base_cm = 13                   # between the two wheels' middles
    wheel_diameter_cm = 6.5
    top_speed_cm_s = 40                  # at full speed (the driver's PWM at 100 %)
    radius_cm = 9                        # the body, seen from above, as a circle
    motors.left = ["left_forward", "left_backward", "left_speed"]     # IN1, IN2, ENA roles
    motors.right = ["right_forward", "right_backward", "right_speed"]
    bumper = "bumper"                    # optional: a micro switch to GND, pressed on contact

    [[robot.sonar]]                      # an HC-SR04 on the robot: x ahead of the axle, y to the left
    trigger = "distance_trigger"
    echo = "distance_echo"
    x_cm = 8
    angle_deg = 0                        # 0 looks straight ahead, 90 to the left

    [[robot.line]]                       # a line sensor looking at the floor
    pin = "line_left"
    x_cm = 7
    y_cm = 1.5

    [[robot.encoder]]                    # optional wheel encoder: one pulse per slot
    pin = "encoder_left"
    wheel = "left"
    slots = 20
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from ._toml import Fields

_KEYS = {"arena", "wheel_base_cm", "wheel_diameter_cm", "top_speed_cm_s", "radius_cm", "motors", "bumper",
         "sonar", "line", "encoder"}


@dataclass(frozen=True)
class SonarMount:
    trigger: str                 # pin roles
    echo: str
    x: float = 0.0               # cm ahead of the wheel axle's middle
    y: float = 0.0               # cm to the left
    angle: float = 0.0           # degrees, 0 straight ahead, + to the left
    cone: float = 15.0           # degrees: the width of the beam that can bring an echo back


@dataclass(frozen=True)
class LineMount:
    pin: str
    x: float = 0.0
    y: float = 0.0


@dataclass(frozen=True)
class EncoderMount:
    pin: str
    wheel: str                   # "left" or "right"
    slots: int = 20


@dataclass(frozen=True)
class RobotSpec:
    arena: str
    arena_path: Path
    wheel_base: float = 13.0
    wheel_diameter: float = 6.5
    top_speed: float = 40.0
    radius: float = 9.0
    left: tuple[str, ...] = ()
    right: tuple[str, ...] = ()
    bumper: str | None = None
    sonars: tuple[SonarMount, ...] = ()
    lines: tuple[LineMount, ...] = ()
    encoders: tuple[EncoderMount, ...] = ()

    def roles(self) -> tuple[str, ...]:
        """Every pin role the robot's parts use."""
        return tuple(role for _, role in _bindings(self))


def _number(f: Fields, key: str, default: float, low: float, high: float, want: str) -> float:
    value = f.get(key, (int, float), want, default)
    if isinstance(value, bool) or not math.isfinite(value) or not low <= value <= high:
        raise f.fail(key, want)
    return float(value)


def _list(f: Fields, key: str) -> list[Fields]:
    out = []
    for i, entry in enumerate(f.get(key, list, f"a list of [[robot.{key}]] tables", [])):
        if not isinstance(entry, dict):
            raise f.fail(f"{key}[{i}]", "a table")
        out.append(Fields(entry, f.path, f"{f.prefix}{key}[{i}]."))
    return out


def _place(f: Fields) -> dict:
    return {"x": _number(f, "x_cm", 0.0, -30, 30, "cm ahead of the axle, from -30 to 30"),
            "y": _number(f, "y_cm", 0.0, -30, 30, "cm to the left of the middle, from -30 to 30")}


def _motors(f: Fields) -> tuple[tuple[str, ...], tuple[str, ...]]:
    m = f.table("motors")
    want = "a list of 2 or 3 pin roles: [forward, backward] or [forward, backward, speed]"
    sides = []
    for side in ("left", "right"):
        roles = m.str_list(side)
        if len(roles) not in (2, 3):
            raise m.fail(side, want)
        sides.append(tuple(roles))
    return sides[0], sides[1]


def parse_robot(f: Fields, folder: Path, roles: set[str]) -> RobotSpec | None:
    """The lesson's ``[robot]`` table (None when it has none). ``roles``: the pin roles of the
    lesson's ``[pins.default]`` table, which every part must use."""
    if "robot" not in f.data:
        return None
    from .arenas import arena_path
    r = f.table("robot")
    unknown = sorted(set(r.data) - _KEYS)
    if unknown:
        raise r.fail(unknown[0], f"left out: the [robot] table knows only {', '.join(sorted(_KEYS))}")
    left, right = _motors(r)
    sonars = tuple(SonarMount(trigger=s.str("trigger"), echo=s.str("echo"), **_place(s),
                              angle=_number(s, "angle_deg", 0.0, -180, 180, "degrees from -180 to 180"),
                              cone=_number(s, "cone_deg", 15.0, 0, 60, "degrees from 0 to 60"))
                   for s in _list(r, "sonar"))
    lines = tuple(LineMount(pin=m.str("pin"), **_place(m)) for m in _list(r, "line"))
    encoders = []
    for e in _list(r, "encoder"):
        wheel = e.str("wheel")
        if wheel not in ("left", "right"):
            raise e.fail("wheel", "\"left\" or \"right\"")
        slots = e.int("slots", 20)
        if not 1 <= slots <= 500:
            raise e.fail("slots", "a whole number of slots from 1 to 500")
        encoders.append(EncoderMount(pin=e.str("pin"), wheel=wheel, slots=slots))
    arena = r.str("arena")
    spec = RobotSpec(
        arena=arena, arena_path=arena_path(arena, folder),
        wheel_base=_number(r, "wheel_base_cm", 13.0, 3, 60, "a wheel base from 3 to 60 cm"),
        wheel_diameter=_number(r, "wheel_diameter_cm", 6.5, 1, 30, "a wheel diameter from 1 to 30 cm"),
        top_speed=_number(r, "top_speed_cm_s", 40.0, 1, 500, "a top speed from 1 to 500 cm/s"),
        radius=_number(r, "radius_cm", 9.0, 2, 60, "a body radius from 2 to 60 cm"),
        left=left, right=right, bumper=r.str("bumper", None), sonars=sonars, lines=lines,
        encoders=tuple(encoders))
    for key, role in _bindings(spec):
        if role not in roles:
            raise r.fail(key, f"a pin role of [pins.default] ('{role}' is not one of them)")
    return spec


def _bindings(spec: RobotSpec) -> list[tuple[str, str]]:
    """(key in the [robot] table, pin role) of every part."""
    out = [("motors.left", role) for role in spec.left] + [("motors.right", role) for role in spec.right]
    if spec.bumper:
        out.append(("bumper", spec.bumper))
    for i, s in enumerate(spec.sonars):
        out += [(f"sonar[{i}].trigger", s.trigger), (f"sonar[{i}].echo", s.echo)]
    out += [(f"line[{i}].pin", m.pin) for i, m in enumerate(spec.lines)]
    out += [(f"encoder[{i}].pin", e.pin) for i, e in enumerate(spec.encoders)]
    return out
