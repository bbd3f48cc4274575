"""A small terminal chart of readings over time, as plain text lines (the CLI puts them on screen).

:class:`Series` keeps only the newest ``width`` points (a lesson-long run never grows it), and
:func:`render` draws them as columns of block characters with the scale on the left::

    30.0 ┤      ▄██
         │    ▂████
    18.0 ┤▇▇▇▇█████
"""

from __future__ import annotations

import math
from collections import deque

_EIGHTHS = " ▁▂▃▄▅▆▇█"


class Series:
    """The newest readings of one quantity (``name``, ``unit``)."""

    def __init__(self, name: str, unit: str = "", width: int = 60):
        self.name, self.unit = name, unit
        self.points: deque[tuple[float, float]] = deque(maxlen=max(2, width))

    def add(self, t: float, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return
        self.points.append((float(t), float(value)))

    @property
    def last(self) -> float | None:
        return self.points[-1][1] if self.points else None

    def __len__(self) -> int:
        return len(self.points)


def _fmt(value: float) -> str:
    return f"{value:.1f}" if abs(value) < 1000 else f"{value:.0f}"


def render(series: Series, height: int = 6) -> list[str]:
    """Draw ``series`` as ``height`` text rows plus a title line."""
    unit = f" {series.unit}" if series.unit else ""
    if not series.points:
        return [f"{series.name}{unit}: (no readings yet)"]
    values = [v for _, v in series.points]
    low, high = min(values), max(values)
    if high - low < 1e-9:
        low, high = low - 1.0, high + 1.0
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    label_w = max(len(_fmt(high)), len(_fmt(low)))
    levels = [round((v - low) / (high - low) * height * 8) for v in values]
    rows = []
    for row in range(height - 1, -1, -1):
        cells = []
        for level in levels:
            fill = level - row * 8
            cells.append(_EIGHTHS[max(0, min(8, fill))])
        if row == height - 1:
            label, edge = _fmt(high).rjust(label_w), "┤"
        elif row == 0:
            label, edge = _fmt(low).rjust(label_w), "┤"
        else:
            label, edge = " " * label_w, "│"
        rows.append(f"{label} {edge}{''.join(cells)}")
    title = (f"{series.name}: {_fmt(values[-1])}{unit}  "
             f"(min {_fmt(min(values))}, max {_fmt(max(values))}, {len(values)} readings)")
    return [title] + rows
