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
TRACK_REACH_CM = 4.0      # how far beyond the tape's edge the track grid looks
TRACK_CELL_CM = 5.0       # the track grid's cells: a few tape pieces each
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
        self.grid = (SegmentGrid(self.line.segments, reach=half + TRACK_REACH_CM, cell=TRACK_CELL_CM)
                     if self.line else None)

    def look(self, x: float, y: float, threshold: float | None = None) -> tuple[float, float]:
        """(darkness under a spot at x, y; cm it may move before that can change). With a module's
        ``threshold`` only which side of it the darkness is on matters (its DO), so the margin is
        the way to where the darkness crosses it."""
        floor = self.arena.floor
        if self.grid is None:
            return floor, math.inf
        d, _ = self.grid.nearest(x, y)
        inner, outer = self.half - SPOT_CM / 2, self.half + SPOT_CM / 2
        if d <= inner:
            darkness, margin = self.tape.darkness, inner - d
        elif d >= outer:
            darkness, margin = floor, d - outer
        else:
            share = (outer - d) / SPOT_CM                   # how much of the spot lies on the tape
            darkness, margin = floor + (self.tape.darkness - floor) * share, 0.0
        if threshold is None:
            return darkness, margin
        dark = self.tape.darkness
        if threshold > dark or threshold <= floor:
            return darkness, math.inf                       # the DO reads the same everywhere
        switch = outer - SPOT_CM * (threshold - floor) / (dark - floor)   # the DO flips this far from the middle
        return darkness, abs(d - switch)


class LineLook:
    """What one line sensor on the robot sees (see the module docstring). After each look it knows
    how long the spot cannot reach the tape's edge at the present wheel speeds, and answers from
    what it saw until then (or until the speeds change). It is the line sensor's source of darkness
    (``line_sensor.reads_from``) and, for a module read on its DO, drives the pin itself: the
    firmware reads it every millisecond, so the answer is kept as the level the module outputs."""

    def __init__(self, body, track: Track, mount, *, threshold: float | None = None):
        self.body, self.track, self.mount = body, track, mount
        self.threshold = threshold             # a module read on its DO only: its comparator's threshold
        self.reach = math.hypot(mount.x, mount.y)
        self._darkness = 0.0
        self._level = 0
        self._until = -1.0                     # seconds (the kit's): what it saw holds until then...
        self._epoch = -1                       # ... while the wheel speeds stay as they were

    def _fresh(self) -> None:
        body = self.body
        if body.epoch == self._epoch and body.world.now() < self._until:
            return
        self._darkness, margin = self.at(body.update())
        self._level = 1 if self.threshold is not None and self._darkness >= self.threshold else 0
        self._until = (body.t_us + body.quiet_for(margin, self.reach)) / 1e6
        self._epoch = body.epoch

    def __call__(self) -> float:
        self._fresh()
        return self._darkness

    def digital(self) -> int:
        """The module's DO: 1 over the line."""
        self._fresh()
        return self._level

    def voltage(self) -> float:
        return float(self.digital())

    def at(self, pose) -> tuple[float, float]:
        """(darkness, margin in cm) the sensor sees with the robot at ``pose``."""
        px, py = mounted(pose, self.mount.x, self.mount.y)
        return self.track.look(px, py, self.threshold)


class Bumper:
    """The bumper switch's pin level (see the module docstring)."""

    def __init__(self, body):
        self.body = body
        self._until = -1                       # microseconds: no contact can start before then...
        self._epoch = -1                       # ... while the wheel speeds stay as they were

    def digital(self) -> int | None:
        body = self.body
        if body.epoch == self._epoch and body.now_us() < self._until:
            return None
        body.update()
        self._until, self._epoch = body.contact_free_until(), body.epoch
        return 0 if body.touching else None

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
