"""A two-wheeled differential-drive robot's motion: the pose after ``dt`` seconds at constant wheel
speeds, exactly (the arc the wheels describe), not by small straight steps that drift.

With the left wheel at ``vl`` and the right at ``vr`` cm/s and the wheels ``base`` cm apart, the
robot moves at v = (vl + vr) / 2 and turns at w = (vr - vl) / base radians per second, so over ``dt``
it follows an arc of radius v / w about a point beside it (a straight line when w = 0, a spin on the
spot when v = 0). Poses are (x cm, y cm, heading radians), heading 0 along +x, counter-clockwise.
"""

from __future__ import annotations

import math

Pose = tuple[float, float, float]


def body_speeds(vl: float, vr: float, base: float) -> tuple[float, float]:
    """(forward speed cm/s, turn rate rad/s) of the body from its wheel speeds."""
    return (vl + vr) / 2.0, (vr - vl) / base


def arc(pose: Pose, vl: float, vr: float, base: float, dt: float) -> Pose:
    """The pose ``dt`` seconds later with the wheels at ``vl``, ``vr`` cm/s the whole time."""
    x, y, heading = pose
    v, w = body_speeds(vl, vr, base)
    turn = w * dt
    if abs(turn) < 1e-12:
        return (x + v * dt * math.cos(heading), y + v * dt * math.sin(heading), heading)
    radius = v / w
    after = heading + turn
    return (x + radius * (math.sin(after) - math.sin(heading)),
            y - radius * (math.cos(after) - math.cos(heading)),
            after)


def mounted(pose: Pose, dx: float, dy: float) -> tuple[float, float]:
    """Where a part ``dx`` cm ahead of and ``dy`` cm left of the axle's middle is in the arena."""
    x, y, heading = pose
    c, s = math.cos(heading), math.sin(heading)
    return (x + dx * c - dy * s, y + dx * s + dy * c)


def wrap_degrees(angle: float) -> float:
    """An angle in degrees brought into -180 < angle <= 180."""
    out = math.fmod(angle, 360.0)
    if out > 180.0:
        out -= 360.0
    elif out <= -180.0:
        out += 360.0
    return out
