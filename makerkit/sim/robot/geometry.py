"""Plane geometry for the robot world: distances to segments, ray casts, a grid that finds the
segments near a point quickly, and a polyline measured along its length. Pure functions of numbers;
lengths in cm.

A segment is a tuple ``(x1, y1, x2, y2)``. :class:`SegmentGrid` answers "how far is the nearest
segment" exactly whenever it is nearer than its ``reach``, and says "at least ``reach``" otherwise,
looking only at the few segments listed for the point's cell, so the robot can ask it every
simulated millisecond.
"""

from __future__ import annotations

import math
from typing import Iterable, Sequence

Segment = tuple[float, float, float, float]


def closest_on_segment(px: float, py: float, seg: Segment) -> tuple[float, float, float]:
    """(distance, x, y of the closest point) from the point to the segment."""
    x1, y1, x2, y2 = seg
    dx, dy = x2 - x1, y2 - y1
    length2 = dx * dx + dy * dy
    u = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length2))
    cx, cy = x1 + u * dx, y1 + u * dy
    return math.hypot(px - cx, py - cy), cx, cy


def segment_distance(px: float, py: float, seg: Segment) -> float:
    return closest_on_segment(px, py, seg)[0]


def ray_segment(ox: float, oy: float, dx: float, dy: float, seg: Segment) -> float | None:
    """How far along the unit ray (ox, oy) + t (dx, dy), t >= 0, it meets the segment; None if never."""
    x1, y1, x2, y2 = seg
    ex, ey = x2 - x1, y2 - y1
    denom = dx * ey - dy * ex
    if abs(denom) < 1e-12:
        return None                                   # parallel: a wall seen edge-on returns no echo
    wx, wy = x1 - ox, y1 - oy
    t = (wx * ey - wy * ex) / denom
    u = (wx * dy - wy * dx) / denom
    if t < 0 or u < -1e-9 or u > 1 + 1e-9:
        return None
    return t


def ray_circle(ox: float, oy: float, dx: float, dy: float, cx: float, cy: float, r: float) -> float | None:
    """How far along the unit ray it meets the circle's edge (from outside); None if never."""
    fx, fy = ox - cx, oy - cy
    b = fx * dx + fy * dy
    c = fx * fx + fy * fy - r * r
    disc = b * b - c
    if disc < 0:
        return None
    t = -b - math.sqrt(disc)
    return t if t >= 0 else None


class SegmentGrid:
    """Segments sorted into square cells of ``cell`` cm: each cell lists the segments that may be
    nearer than ``reach`` to a point in it (see the module docstring)."""

    def __init__(self, segments: Iterable[Segment], *, reach: float, cell: float = 10.0):
        self.segments: tuple[Segment, ...] = tuple(segments)
        self.reach = float(reach)
        self.cell = float(cell)
        self._cells: dict[tuple[int, int], tuple[int, ...]] = {}
        half_diag = self.cell * math.sqrt(2) / 2
        cells: dict[tuple[int, int], list[int]] = {}
        for index, seg in enumerate(self.segments):
            x1, y1, x2, y2 = seg
            pad = self.reach + self.cell
            for i in range(self._index(min(x1, x2) - pad), self._index(max(x1, x2) + pad) + 1):
                for j in range(self._index(min(y1, y2) - pad), self._index(max(y1, y2) + pad) + 1):
                    cx, cy = (i + 0.5) * self.cell, (j + 0.5) * self.cell
                    if segment_distance(cx, cy, seg) <= self.reach + half_diag:
                        cells.setdefault((i, j), []).append(index)
        self._cells = {key: tuple(found) for key, found in cells.items()}

    def _index(self, v: float) -> int:
        return math.floor(v / self.cell)

    def nearest(self, px: float, py: float) -> tuple[float, int]:
        """(distance, index) of the nearest segment; (reach, -1) when none is nearer than reach."""
        best, which = self.reach, -1
        for index in self._cells.get((self._index(px), self._index(py)), ()):
            d = segment_distance(px, py, self.segments[index])
            if d < best:
                best, which = d, index
        return best, which


class Polyline:
    """A path of points measured along its length (a closed one comes back to its first point)."""

    def __init__(self, points: Sequence[tuple[float, float]], closed: bool):
        pts = list(points)
        if closed and pts[0] != pts[-1]:
            pts.append(pts[0])
        self.closed = closed
        self.segments: tuple[Segment, ...] = tuple(
            (a[0], a[1], b[0], b[1]) for a, b in zip(pts, pts[1:]) if a != b)
        self.starts: list[float] = []
        total = 0.0
        for seg in self.segments:
            self.starts.append(total)
            total += math.hypot(seg[2] - seg[0], seg[3] - seg[1])
        self.length = total

    def along(self, index: int, px: float, py: float) -> float:
        """How far along the polyline the point's projection onto segment ``index`` lies."""
        x1, y1, x2, y2 = self.segments[index]
        length = math.hypot(x2 - x1, y2 - y1)
        u = 0.0 if length == 0 else ((px - x1) * (x2 - x1) + (py - y1) * (y2 - y1)) / length
        return self.starts[index] + max(0.0, min(length, u))

    def project(self, px: float, py: float) -> tuple[float, float]:
        """(distance from the polyline, how far along it the nearest point lies), by a full scan."""
        best, index = math.inf, 0
        for i, seg in enumerate(self.segments):
            d = segment_distance(px, py, seg)
            if d < best:
                best, index = d, i
        return best, self.along(index, px, py)

    def point_at(self, s: float) -> tuple[float, float]:
        """The point ``s`` cm along the polyline (wrapped around a closed one)."""
        if self.closed and self.length > 0:
            s %= self.length
        s = max(0.0, min(self.length, s))
        for start, seg in zip(reversed(self.starts), reversed(self.segments)):
            if s >= start:
                x1, y1, x2, y2 = seg
                length = math.hypot(x2 - x1, y2 - y1)
                u = 0.0 if length == 0 else (s - start) / length
                return (x1 + u * (x2 - x1), y1 + u * (y2 - y1))
        return (self.segments[0][0], self.segments[0][1])
