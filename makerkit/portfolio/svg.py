"""Line charts as inline SVG, made in Python: a printable page needs no script and no network.

A series of thousands of readings is reduced to about :data:`MAX_POINTS` bucket means (the shape a
40-minute lesson's curve needs, in a few kilobytes of markup), shared among the stretches between
pauses (each lesson is its own line)."""

from __future__ import annotations

from datetime import datetime, timezone
from html import escape

MAX_POINTS = 300
WIDTH, HEIGHT, PAD_L, PAD_R, PAD_T, PAD_B = 640, 200, 52, 12, 26, 30


def reduce(points: list[tuple[float, float]], limit: int = MAX_POINTS) -> list[tuple[float, float]]:
    """Bucket means over equal time spans; the input is sorted by time."""
    if len(points) <= limit:
        return points
    t0, t1 = points[0][0], points[-1][0]
    span = (t1 - t0) or 1.0
    sums: dict[int, list[float]] = {}
    for t, v in points:
        b = min(limit - 1, int((t - t0) / span * limit))
        s = sums.setdefault(b, [0.0, 0.0, 0])
        s[0] += t; s[1] += v; s[2] += 1
    return [(s[0] / s[2], s[1] / s[2]) for _, s in sorted(sums.items())]


def _runs(pts: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """The points cut where readings paused (a week between two lessons is not a straight line): at a
    step over 20 times the typical one and over 10 minutes."""
    steps = sorted(b[0] - a[0] for a, b in zip(pts, pts[1:]))
    limit = max(600.0, 20 * steps[len(steps) // 2]) if steps else 0.0
    runs = [[pts[0]]]
    for a, b in zip(pts, pts[1:]):
        if b[0] - a[0] > limit:
            runs.append([])
        runs[-1].append(b)
    return runs


def _fmt(v: float) -> str:
    return f"{v:.1f}" if abs(v) < 1000 else f"{v:.0f}"


def _clock(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M")


def line_chart(points: list[tuple[float, float]], *, title: str, unit: str = "", label: str = "") -> str:
    """An ``<svg>`` element (role img, with ``aria-label``) of ``(epoch seconds, value)`` points."""
    if not points:
        return ""
    runs = [reduce(run, max(2, MAX_POINTS * len(run) // len(points))) for run in _runs(points)]
    pts = [p for run in runs for p in run]
    w, h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    lo, hi = min(v for _, v in pts), max(v for _, v in pts)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    t0, t1 = pts[0][0], pts[-1][0]
    tspan = (t1 - t0) or 1.0
    def xy(t: float, v: float) -> str:
        return f"{PAD_L + (t - t0) / tspan * w:.1f},{PAD_T + (hi - v) / (hi - lo) * h:.1f}"
    lines = "".join(f'<polyline points="{" ".join(xy(t, v) for t, v in run)}" class="chart-line"/>'
                    for run in runs)
    unit_txt = f" ({escape(unit)})" if unit else ""
    return (
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label or title)}">'
        f'<text x="{PAD_L}" y="16" class="chart-title">{escape(title)}{unit_txt}</text>'
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{w}" height="{h}" class="chart-frame"/>'
        f'<text x="{PAD_L - 6}" y="{PAD_T + 10}" text-anchor="end" class="chart-axis">{_fmt(hi)}</text>'
        f'<text x="{PAD_L - 6}" y="{PAD_T + h}" text-anchor="end" class="chart-axis">{_fmt(lo)}</text>'
        f'<text x="{PAD_L}" y="{HEIGHT - 10}" class="chart-axis">{_clock(t0)}</text>'
        f'<text x="{PAD_L + w}" y="{HEIGHT - 10}" text-anchor="end" class="chart-axis">{_clock(t1)}</text>'
        f'{lines}</svg>')


def bar_chart(values: list[tuple[str, float | None]], *, top: float, title: str) -> str:
    """Horizontal bars of ``(label, value)`` on ``0..top`` (the evaluation summary); None: no bar."""
    row, label_w, w = 26, 150, 360
    height = 24 + row * len(values)
    parts = [f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {label_w + w + 60} {height}" '
             f'role="img" aria-label="{escape(title)}"><text x="0" y="14" class="chart-title">{escape(title)}</text>']
    for i, (label, value) in enumerate(values):
        y = 24 + i * row
        parts.append(f'<text x="0" y="{y + 15}" class="chart-axis">{escape(label)}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{w}" height="16" class="bar-back"/>')
        if value is not None:
            parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w * value / top:.1f}" height="16" class="bar"/>'
                         f'<text x="{label_w + w + 6}" y="{y + 15}" class="chart-axis">{value:.1f} / {top:g}</text>')
    return "".join(parts) + "</svg>"
