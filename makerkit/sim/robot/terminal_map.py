"""A small top-down map of a robot run for the terminal, in Braille dots (2 × 4 dots a character).

:class:`TerminalMap` draws the arena's fence, walls, obstacles and track once, then each frame adds
the path so far and the robot (an arrow showing where it heads)::

    view = TerminalMap(robot.arena, columns=60)
    lines = view.render(robot.snapshot(), path)     # a list of strings, top line first
"""

from __future__ import annotations

import math
from typing import Iterable

_BRAILLE = 0x2800
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))    # [row][column] of a character's 2 × 4 dots
_ARROWS = "→↗↑↖←↙↓↘"


class TerminalMap:
    def __init__(self, arena, columns: int = 60):
        w, h = arena.size
        self.columns = max(10, columns)
        self.cm = w / (self.columns * 2)                  # cm per dot, the same both ways
        self.rows = max(3, math.ceil(h / (self.cm * 4)))
        self.h = h
        self._static: set[tuple[int, int]] = set()
        for seg in arena.segments():
            self._line(self._static, seg)
        for post in arena.posts():
            for k in range(24):
                a = 2 * math.pi * k / 24
                self._dot(self._static, post.x + post.r * math.cos(a), post.y + post.r * math.sin(a))
        if arena.track is not None:
            pts = list(arena.track.points) + ([arena.track.points[0]] if arena.track.closed else [])
            for a, b in zip(pts, pts[1:]):
                self._line(self._static, (*a, *b))

    def _dot(self, dots: set, x: float, y: float) -> None:
        col = min(int(x / self.cm), self.columns * 2 - 1)          # the far fence on the last dot
        row = min(int((self.h - y) / self.cm), self.rows * 4 - 1)
        if 0 <= col and 0 <= row:
            dots.add((col, row))

    def _line(self, dots: set, seg) -> None:
        x1, y1, x2, y2 = seg
        steps = max(1, int(math.hypot(x2 - x1, y2 - y1) / (self.cm / 2)))
        for k in range(steps + 1):
            self._dot(dots, x1 + (x2 - x1) * k / steps, y1 + (y2 - y1) * k / steps)

    def cells(self, snapshot: dict | None, path: Iterable[tuple[float, float]] = ()) -> list[list[tuple[str, str]]]:
        """The map as rows of (character, what it shows: "arena", "path" or "robot"), top row first,
        with the path's points and the robot of ``snapshot``."""
        trail: set[tuple[int, int]] = set()
        for x, y in path:
            self._dot(trail, x, y)
        bits = [[0] * self.columns for _ in range(self.rows)]
        kinds = [["arena"] * self.columns for _ in range(self.rows)]
        for col, row in self._static | trail:
            bits[row // 4][col // 2] |= _DOTS[row % 4][col % 2]
        for col, row in trail:
            kinds[row // 4][col // 2] = "path"
        out = [[(chr(_BRAILLE + b) if b else " ", kind) for b, kind in zip(line, kind_line)]
               for line, kind_line in zip(bits, kinds)]
        if snapshot is not None:
            col = min(int(snapshot["x"] / self.cm) // 2, self.columns - 1)
            row = min(int((self.h - snapshot["y"]) / self.cm) // 4, self.rows - 1)
            if 0 <= row and 0 <= col:
                out[row][col] = (_ARROWS[round((snapshot["heading"] % 360) / 45) % 8], "robot")
        return out

    def render(self, snapshot: dict | None, path: Iterable[tuple[float, float]] = ()) -> list[str]:
        """The map as plain text lines (see :meth:`cells`)."""
        return ["".join(char for char, _ in line) for line in self.cells(snapshot, path)]


def describe(snapshot: dict, names: Iterable[str] = ()) -> str:
    """One line about the robot: time, place, heading, wheel speeds, sensors, contact."""
    parts = [f"{snapshot['t']:6.1f}s  x {snapshot['x']:5.0f} cm  y {snapshot['y']:5.0f} cm  "
             f"heading {round(snapshot['heading']) % 360:3d}°  wheels {snapshot['left']:+.0f}/{snapshot['right']:+.0f} cm/s"]
    for i, cm in enumerate(snapshot["sonar"]):
        parts.append(f"sonar{i + 1} {cm:.0f} cm" if cm else f"sonar{i + 1} –")
    if snapshot["line"]:
        parts.append("line " + " ".join(f"{role.replace('line_', '')}={'■' if v else '□'}"
                                        for role, v in snapshot["line"].items()))
    if snapshot["touching"]:
        parts.append("BUMP 碰撞")
    return "  ".join(parts)
