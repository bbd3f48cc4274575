"""The robot's sensors, as sources the simulated world asks when the firmware reads a pin.

- :class:`Sonar`: an HC-SR04 mounted on the robot casts rays across its beam (the centre and both
  edges of a ``cone`` degrees wide) against the arena's walls and obstacles; the nearest hit is the
  distance, none within 400 cm is no echo. Each measurement is kept with the point it hit.
- :class:`LineLook`: a line sensor's spot on the floor; the darkness of the track's tape under it,
  shaded over the spot's width at the tape's edge, else the floor's. It looks again only when the
  robot has moved far enough to reach the tape's edge, so it costs little to read every millisecond.
- :class:`Bumper`: a micro switch from its pin to GND: 0 while the body touches something, else the
  pin's pull level (None).
- :class:`Encoder`: a slotted disc on a wheel: the level flips at every slot edge the wheel turns
  through (``slots`` pulses per turn).
"""

from __future__ import annotations

import math

from ..parts.sonar import SONAR_MAX_CM
from .geometry import Polyline, SegmentGrid, ray_circle, ray_segment
from .kinematics import mounted

SPOT_CM = 1.0             # the width of the floor a line sensor sees
TRACK_REACH_CM = 10.0     # how far beyond the tape's edge the track grid looks
MAX_HITS = 20_000         # sonar measurements kept per run


class Sonar:
    """An HC-SR04 on the robot (see the module docstring)."""

    def __init__(self, body, mount, index: int):
        self.body, self.mount, self.index = body, mount, index
        self.hits: list[tuple[float, int, float, float, float]] = []   # (t, sensor, cm, x, y); cm 0: no echo
        self.last_cm = 0.0

    def origin(self) -> tuple[float, float, float]:
        """(x, y, direction in radians) of the sensor in the arena now."""
        pose = self.body.pose
        x, y = mounted(pose, self.mount.x, self.mount.y)
        return x, y, pose[2] + math.radians(self.mount.angle)

    def cast(self) -> tuple[float, float, float]:
        """(cm to the nearest hit, hit x, hit y); cm is inf when nothing is within range."""
        x, y, direction = self.origin()
        half = math.radians(self.mount.cone) / 2
        best = (math.inf, x, y)
        for offset in ((0.0,) if half == 0 else (0.0, -half, half)):
            a = direction + offset
            d = cast_ray(self.body.arena, self.body.segments, x, y, math.cos(a), math.sin(a))
            if d < best[0]:
                best = (d, x + d * math.cos(a), y + d * math.sin(a))
        return best

    def __call__(self) -> float:
        self.body.update()
        cm, hx, hy = self.cast()
        self.last_cm = cm if cm <= SONAR_MAX_CM else 0.0
        if len(self.hits) < MAX_HITS:
            self.hits.append((self.body.seconds(), self.index, round(self.last_cm, 2), round(hx, 2), round(hy, 2)))
        return cm if math.isfinite(cm) else SONAR_MAX_CM + 100.0


def cast_ray(arena, segments, ox: float, oy: float, dx: float, dy: float) -> float:
    """cm along the ray to the nearest wall, box side or post (inf: none)."""
    best = math.inf
    for seg in segments:
        t = ray_segment(ox, oy, dx, dy, seg)
        if t is not None and t < best:
            best = t
    for post in arena.posts():
        t = ray_circle(ox, oy, dx, dy, post.x, post.y, post.r)
        if t is not None and t < best:
            best = t
    return best


class Track:
    """The arena's tape, with a grid for quick looks and its length for the checkers."""

    def __init__(self, arena):
        self.arena = arena
        self.tape = arena.track
        self.line = Polyline(self.tape.points, self.tape.closed) if self.tape else None
        half = self.tape.width / 2 if self.tape else 0.0
        self.half = half
        self.grid = SegmentGrid(self.line.segments, reach=half + TRACK_REACH_CM) if self.line else None

    def look(self, x: float, y: float) -> tuple[float, float]:
        """(darkness under a spot at x, y; cm it may move before that can change)."""
        floor = self.arena.floor
        if self.grid is None:
            return floor, math.inf
        d, _ = self.grid.nearest(x, y)
        inner, outer = self.half - SPOT_CM / 2, self.half + SPOT_CM / 2
        if d <= inner:
            return self.tape.darkness, inner - d
        if d >= outer:
            return floor, d - outer
        share = (outer - d) / SPOT_CM                       # how much of the spot lies on the tape
        return floor + (self.tape.darkness - floor) * share, 0.0


class LineLook:
    """What one line sensor on the robot sees (see the module docstring)."""

    def __init__(self, body, track: Track, mount):
        self.body, self.track, self.mount = body, track, mount
        self.reach = math.hypot(mount.x, mount.y)
        self._seen: tuple[float, float, float, float, float] | None = None   # x, y, heading, darkness, margin

    def __call__(self) -> float:
        x, y, heading = self.body.update()
        seen = self._seen
        if seen is not None:
            moved = math.hypot(x - seen[0], y - seen[1]) + self.reach * abs(heading - seen[2])
            if moved < seen[4]:
                return seen[3]
        px, py = mounted((x, y, heading), self.mount.x, self.mount.y)
        darkness, margin = self.track.look(px, py)
        self._seen = (x, y, heading, darkness, margin)
        return darkness


class Bumper:
    """The bumper switch's pin level (see the module docstring)."""

    def __init__(self, body):
        self.body = body

    def digital(self) -> int | None:
        self.body.update()
        return 0 if self.body.touching else None

    def voltage(self) -> float:
        return 0.0 if self.digital() == 0 else 1.0


class Encoder:
    """A wheel encoder's pin level (see the module docstring)."""

    def __init__(self, body, wheel: str, slots: int, wheel_diameter: float):
        self.body = body
        self.side = 0 if wheel == "left" else 1
        self.edge_cm = math.pi * wheel_diameter / (2 * slots)    # wheel travel between two level changes

    def digital(self) -> int:
        self.body.update()
        return int(self.body.travel[self.side] // self.edge_cm) % 2

    def voltage(self) -> float:
        return float(self.digital())
