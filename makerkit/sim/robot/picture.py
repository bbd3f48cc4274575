"""A robot run drawn as a picture (PNG, with Pillow), from its record alone (:mod:`.record`).

Seen from above: the floor with a 10 cm grid, the track's tape, walls, boxes and posts, goals (green)
and checkpoints (blue, numbered in their order), the start (a grey arrow), the path the robot drove
(light blue at the start, dark blue at the end), where its distance sensors' echoes came from
(orange dots), each contact with a wall (a red cross), the robot where it stopped, and numbered
circles where the checker found something (red: a fault, green: passed) explained in the legend
below, in English and, where a Chinese font is installed, in Chinese too.
"""

from __future__ import annotations

import math
from pathlib import Path

ARENA_PX = 760            # the longer side of the arena on the picture
MARGIN = 28
LEGEND_LINE = 20
_FONTS = ("NotoSansCJK-Regular.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
          "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "msyh.ttc", "C:/Windows/Fonts/msyh.ttc",
          "/System/Library/Fonts/PingFang.ttc", "DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
COLOURS = {"floor": (250, 250, 247), "grid": (232, 232, 228), "grid5": (210, 210, 205), "tape": (70, 70, 70),
           "wall": (93, 64, 55), "box": (141, 110, 99), "goal": (67, 160, 71), "check": (30, 136, 229),
           "hit": (251, 140, 0), "contact": (229, 57, 53), "fail": (229, 57, 53), "pass": (46, 125, 50),
           "skip": (158, 158, 158), "text": (33, 33, 33), "robot": (94, 53, 177), "start": (120, 120, 120)}


def _font(size: int):
    """A font for both languages when one is installed (returns (font, has_chinese))."""
    from PIL import ImageFont
    for i, name in enumerate(_FONTS):
        try:
            return ImageFont.truetype(name, size), i < 6
        except OSError:
            continue
    return ImageFont.load_default(size=size), False


class _Canvas:
    def __init__(self, size_cm: tuple[float, float], legend_lines: int):
        from PIL import Image, ImageDraw
        w, h = size_cm
        self.scale = ARENA_PX / max(w, h)
        self.h_cm = h
        self.width = int(w * self.scale) + 2 * MARGIN
        self.arena_bottom = int(h * self.scale) + 2 * MARGIN
        self.image = Image.new("RGB", (self.width, self.arena_bottom + legend_lines * LEGEND_LINE + MARGIN),
                               (255, 255, 255))
        self.draw = ImageDraw.Draw(self.image)
        self.font, self.chinese = _font(13)
        self.small, _ = _font(10)

    def xy(self, x: float, y: float) -> tuple[float, float]:
        return (MARGIN + x * self.scale, MARGIN + (self.h_cm - y) * self.scale)

    def px(self, cm: float) -> float:
        return cm * self.scale

    def shape(self, zone: dict, outline, fill=None, width: int = 2) -> None:
        if "circle" in zone:
            x, y, r = zone["circle"]
            cx, cy = self.xy(x, y)
            self.draw.ellipse([cx - self.px(r), cy - self.px(r), cx + self.px(r), cy + self.px(r)],
                              outline=outline, fill=fill, width=width)
        else:
            x, y, w, h = zone["rect"]
            (x0, y1), (x1, y0) = self.xy(x, y), self.xy(x + w, y + h)
            self.draw.rectangle([x0, y0, x1, y1], outline=outline, fill=fill, width=width)


def _floor(c: _Canvas, arena: dict) -> None:
    w, h = arena["size_cm"]
    c.draw.rectangle([*c.xy(0, h), *c.xy(w, 0)], fill=COLOURS["floor"])
    for step, colour in ((10, "grid"), (50, "grid5")):
        for x in range(0, int(w) + 1, step):
            c.draw.line([c.xy(x, 0), c.xy(x, h)], fill=COLOURS[colour])
        for y in range(0, int(h) + 1, step):
            c.draw.line([c.xy(0, y), c.xy(w, y)], fill=COLOURS[colour])
    for x in range(0, int(w) + 1, 50):
        gx, gy = c.xy(x, 0)
        c.draw.text((gx - 6, gy + 3), f"{x}", font=c.small, fill=COLOURS["start"])
    for y in range(50, int(h) + 1, 50):
        gx, gy = c.xy(0, y)
        c.draw.text((gx - 24, gy - 6), f"{y}", font=c.small, fill=COLOURS["start"])
    track = arena.get("track")
    if track:
        points = [c.xy(x, y) for x, y in track["points"]]
        if track["closed"]:
            points.append(points[0])
        c.draw.line(points, fill=COLOURS["tape"], width=max(2, round(c.px(track["width_cm"]))), joint="curve")


def _walls(c: _Canvas, arena: dict) -> None:
    w, h = arena["size_cm"]
    if arena["fence"]:
        c.draw.rectangle([*c.xy(0, h), *c.xy(w, 0)], outline=COLOURS["wall"], width=4)
    for x1, y1, x2, y2 in arena["walls"]:
        c.draw.line([c.xy(x1, y1), c.xy(x2, y2)], fill=COLOURS["wall"], width=max(3, round(c.px(1.5))))
    for obstacle in arena["obstacles"]:
        c.shape(obstacle, COLOURS["wall"], COLOURS["box"])
    for zone in arena["goals"]:
        c.shape(zone, COLOURS["goal"], (200, 230, 201), width=3)
        x, y = _label_at(c, zone)
        c.draw.text((x, y - 14), zone["id"], font=c.font, fill=COLOURS["goal"])
    for i, zone in enumerate(arena["checkpoints"], start=1):
        c.shape(zone, COLOURS["check"], None, width=2)
        x, y = _label_at(c, zone)
        c.draw.text((x, y - 16), str(i), font=c.font, fill=COLOURS["check"])
    sx, sy, heading = arena["start"]
    _arrow(c, sx, sy, heading, 10, COLOURS["start"])


def _label_at(c: _Canvas, zone: dict) -> tuple[float, float]:
    """Where a zone's label goes: just above its upper right edge."""
    if "circle" in zone:
        x, y, r = zone["circle"]
        return c.xy(x + r * 0.7, y + r * 0.7)
    x, y, w, h = zone["rect"]
    return c.xy(x + w, y + h)


def _centre(zone: dict) -> tuple[float, float]:
    if "circle" in zone:
        return zone["circle"][0], zone["circle"][1]
    x, y, w, h = zone["rect"]
    return x + w / 2, y + h / 2


def _arrow(c: _Canvas, x: float, y: float, heading: float, length: float, colour) -> None:
    a = math.radians(heading)
    tip = (x + length * math.cos(a), y + length * math.sin(a))
    left = (x + length * 0.4 * math.cos(a + 2.5), y + length * 0.4 * math.sin(a + 2.5))
    right = (x + length * 0.4 * math.cos(a - 2.5), y + length * 0.4 * math.sin(a - 2.5))
    c.draw.polygon([c.xy(*tip), c.xy(*left), c.xy(*right)], fill=colour)


def _path(c: _Canvas, record: dict) -> None:
    path = record["path"]
    n = len(path)
    for i in range(1, n):
        share = i / max(1, n - 1)
        colour = (int(100 - 87 * share), int(181 - 110 * share), int(246 - 85 * share))
        c.draw.line([c.xy(path[i - 1][1], path[i - 1][2]), c.xy(path[i][1], path[i][2])], fill=colour, width=4)
    for t, _, cm, hx, hy in record["sonar"][::max(1, len(record["sonar"]) // 1500)]:
        if cm > 0:
            x, y = c.xy(hx, hy)
            c.draw.ellipse([x - 2, y - 2, x + 2, y + 2], fill=COLOURS["hit"])
    for event in record["events"]:
        x, y = c.xy(event["x"], event["y"])
        c.draw.line([x - 6, y - 6, x + 6, y + 6], fill=COLOURS["contact"], width=3)
        c.draw.line([x - 6, y + 6, x + 6, y - 6], fill=COLOURS["contact"], width=3)
    if path:
        _robot(c, record["robot"], *path[-1][1:4])


def _robot(c: _Canvas, robot: dict, x: float, y: float, heading: float) -> None:
    cx, cy = c.xy(x, y)
    r = c.px(robot["radius_cm"])
    c.draw.ellipse([cx - r, cy - r, cx + r, cy + r], outline=COLOURS["robot"], width=3)
    a = math.radians(heading)
    c.draw.line([cx, cy, *c.xy(x + robot["radius_cm"] * math.cos(a), y + robot["radius_cm"] * math.sin(a))],
                fill=COLOURS["robot"], width=3)
    for mount in robot["line"] + robot["sonar"]:
        mx = x + mount["x_cm"] * math.cos(a) - mount["y_cm"] * math.sin(a)
        my = y + mount["x_cm"] * math.sin(a) + mount["y_cm"] * math.cos(a)
        px, py = c.xy(mx, my)
        c.draw.ellipse([px - 3, py - 3, px + 3, py + 3], fill=COLOURS["robot"])


def _marks(c: _Canvas, record: dict) -> None:
    for i, mark in enumerate(record["marks"], start=1):
        x, y = c.xy(mark["x"], mark["y"])
        colour = COLOURS.get(mark["status"], COLOURS["fail"])
        c.draw.ellipse([x - 11, y - 11, x + 11, y + 11], outline=colour, width=3)
        c.draw.text((x + 12, y - 20), str(i), font=c.font, fill=colour)


def _legend_lines(record: dict, chinese: bool) -> list[tuple[str, tuple]]:
    head = (f"{record.get('lesson') or 'robot run'} · {record.get('board', '')} · {record.get('mode', '')} · "
            f"{record.get('seconds', 0):.1f} s · {record.get('outcome') or ''}")
    lines = [(head, COLOURS["text"])]
    for i, mark in enumerate(record["marks"], start=1):
        colour = COLOURS.get(mark["status"], COLOURS["fail"])
        lines.append((f"{i}. {mark['en']}", colour))
        if chinese:
            lines.append((f"    {mark['zh']}", colour))
    for finding in record["findings"]:
        if not any(finding.get("en") == m["en"] for m in record["marks"]):
            colour = COLOURS.get(finding.get("status", ""), COLOURS["text"])
            lines.append((f"· {finding.get('en', '')}", colour))
            if chinese:
                lines.append((f"    {finding.get('zh', '')}", colour))
    if record["events"]:
        lines.append((f"× {len(record['events'])} contact(s) with walls or obstacles"
                      + (f" / 碰撞 {len(record['events'])} 次" if chinese else ""), COLOURS["contact"]))
    return lines


def render(record: dict):
    """The picture of ``record`` as a Pillow image."""
    font, chinese = _font(13)
    w, h = record["arena"]["size_cm"]
    room = int(w * ARENA_PX / max(w, h))
    lines = [piece for text, colour in _legend_lines(record, chinese) for piece in _wrap(font, text, colour, room)]
    c = _Canvas((w, h), len(lines))
    _floor(c, record["arena"])
    _walls(c, record["arena"])
    _path(c, record)
    _marks(c, record)
    y = c.arena_bottom
    for text, colour in lines:
        c.draw.text((MARGIN, y), text, font=c.font, fill=colour)
        y += LEGEND_LINE
    return c.image


def _wrap(font, text: str, colour, room: int) -> list[tuple[str, tuple]]:
    """``text`` cut into lines no wider than ``room`` pixels (between words where it has spaces)."""
    out, line = [], ""
    indent = "    " if text.startswith("    ") else ""
    for char in text:
        if font.getlength(line + char) > room and line.strip():
            cut = line.rfind(" ")
            head, rest = (line[:cut], line[cut + 1:]) if cut > len(indent) else (line, "")
            out.append((head, colour))
            line = indent + rest
        line += char
    out.append((line, colour))
    return out


def save_picture(record: dict, path: str | Path) -> Path:
    """Draw ``record`` into the PNG file ``path`` (its folder is made); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    render(record).save(path, format="PNG", optimize=True)
    return path
