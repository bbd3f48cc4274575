"""Robot arenas: ``lessons/arenas/<id>.toml`` parsed into frozen :class:`Arena` objects.

An arena is the floor a simulated robot drives on (:mod:`makerkit.sim.robot`): its size, the fence
around it, walls (segments) and obstacles (boxes and round posts), a track of dark tape (a polyline
with a width, closed for a lap, corners rounded if asked), the start pose, goals and checkpoints.
Lengths are centimetres, angles degrees; x grows to the right, y upwards, (0, 0) is the lower left
corner; a heading of 0 points along +x, 90 along +y. lessons/arenas/README.md documents the format
for teachers. Malformed files raise :class:`~makerkit.errors.CatalogError` naming the file and the
key, in both languages; a key the format does not know is an error too (a typo must not pass
silently).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CatalogError
from ..resources import data_dir
from ._toml import Fields, read_toml
from .text import Text

SCHEMA_VERSION = 1
ARENA_FOLDER = "arenas"          # inside the lessons folder, so arenas ship with the lessons
_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_KEYS = {
    "": {"schema", "id", "name", "about", "size_cm", "fence", "floor", "start", "walls", "obstacles",
         "track", "goals", "checkpoints"},
    "start": {"x_cm", "y_cm", "heading_deg"},
    "walls": {"from", "to", "name"},
    "obstacles": {"rect", "circle", "name"},
    "track": {"points", "width_cm", "closed", "round_cm", "darkness"},
    "goals": {"id", "name", "rect", "circle"},
    "checkpoints": {"id", "name", "rect", "circle"},
}


@dataclass(frozen=True)
class Shape:
    """A box (``kind == "rect"``: x, y of the lower left corner, w, h) or a round post or zone
    (``kind == "circle"``: x, y of the centre, r)."""
    kind: str
    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    r: float = 0.0

    def contains(self, x: float, y: float) -> bool:
        if self.kind == "circle":
            return math.hypot(x - self.x, y - self.y) <= self.r
        return self.x <= x <= self.x + self.w and self.y <= y <= self.y + self.h

    @property
    def centre(self) -> tuple[float, float]:
        if self.kind == "circle":
            return (self.x, self.y)
        return (self.x + self.w / 2, self.y + self.h / 2)

    def edges(self) -> tuple[tuple[float, float, float, float], ...]:
        """A box's four sides as segments (x1, y1, x2, y2); a circle has none."""
        if self.kind != "rect":
            return ()
        x0, y0, x1, y1 = self.x, self.y, self.x + self.w, self.y + self.h
        return ((x0, y0, x1, y0), (x1, y0, x1, y1), (x1, y1, x0, y1), (x0, y1, x0, y0))


@dataclass(frozen=True)
class Obstacle:
    shape: Shape
    name: Text


@dataclass(frozen=True)
class Zone:
    """A goal or a checkpoint: an area the robot should reach."""
    id: str
    name: Text
    shape: Shape


@dataclass(frozen=True)
class Track:
    """Dark tape on the floor: the polyline ``points`` (corners already rounded), ``width`` cm wide."""
    points: tuple[tuple[float, float], ...]
    width: float
    closed: bool
    darkness: float


@dataclass(frozen=True)
class Arena:
    id: str
    name: Text
    size: tuple[float, float]
    fence: bool
    floor: float
    start: tuple[float, float, float]          # x cm, y cm, heading degrees
    walls: tuple[tuple[float, float, float, float], ...]
    obstacles: tuple[Obstacle, ...]
    track: Track | None
    goals: tuple[Zone, ...]
    checkpoints: tuple[Zone, ...]
    about: Text | None = None
    wall_names: tuple[Text, ...] = ()         # one per wall
    path: Path = field(default=Path("."), compare=False)

    def segments(self) -> tuple[tuple[float, float, float, float], ...]:
        """Everything a robot bumps into that is straight: the fence, the walls, the boxes' sides."""
        out = list(self.walls)
        if self.fence:
            w, h = self.size
            out += [(0, 0, w, 0), (w, 0, w, h), (w, h, 0, h), (0, h, 0, 0)]
        for obstacle in self.obstacles:
            out += obstacle.shape.edges()
        return tuple(out)

    def posts(self) -> tuple[Shape, ...]:
        """The round obstacles."""
        return tuple(o.shape for o in self.obstacles if o.shape.kind == "circle")

    def zone(self, zone_id: str) -> Zone | None:
        return next((z for z in self.goals + self.checkpoints if z.id == zone_id), None)

    def as_dict(self) -> dict:
        """Plain JSON data (the run record keeps the arena, so a picture can be drawn from it alone)."""
        def shape(s: Shape) -> dict:
            return ({"circle": [s.x, s.y, s.r]} if s.kind == "circle" else {"rect": [s.x, s.y, s.w, s.h]})

        def label(t: Text) -> dict:
            return {"en": t.en, "zh-CN": t.zh}

        track = None
        if self.track is not None:
            track = {"points": [list(p) for p in self.track.points], "width_cm": self.track.width,
                     "closed": self.track.closed, "darkness": self.track.darkness}
        return {"id": self.id, "name": label(self.name), "size_cm": list(self.size), "fence": self.fence,
                "floor": self.floor, "start": list(self.start), "walls": [list(w) for w in self.walls],
                "obstacles": [{**shape(o.shape), "name": label(o.name)} for o in self.obstacles],
                "track": track,
                "goals": [{"id": z.id, "name": label(z.name), **shape(z.shape)} for z in self.goals],
                "checkpoints": [{"id": z.id, "name": label(z.name), **shape(z.shape)} for z in self.checkpoints]}


# --- parsing -------------------------------------------------------------------------------------

def _known(f: Fields, section: str) -> None:
    allowed = _KEYS[section]
    for key in f.data:
        if key not in allowed:
            raise CatalogError(
                en=f"{f.path}: key '{f.prefix}{key}' is not part of an arena (known here: {', '.join(sorted(allowed))}).",
                zh=f"{f.path}：键 '{f.prefix}{key}' 不是场地文件里的键（这里可以用：{'、'.join(sorted(allowed))}）。")


def _number(f: Fields, key: str, default=..., *, low: float | None = None, high: float | None = None,
            want: str = "a number") -> float:
    value = f.get(key, (int, float), want, default)
    if isinstance(value, bool) or not math.isfinite(value) or (low is not None and value < low) \
            or (high is not None and value > high):
        raise f.fail(key, want)
    return float(value)


def _numbers(f: Fields, key: str, count: int, want: str, default=...) -> tuple[float, ...] | None:
    value = f.get(key, list, want, default)
    if value is None:
        return None
    if len(value) != count or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                      and math.isfinite(v) for v in value):
        raise f.fail(key, want)
    return tuple(float(v) for v in value)


def _label(f: Fields, key: str, default: Text | None = None) -> Text | None:
    if key not in f.data and default is not None:
        return default
    t = f.table(key)
    zh, en = t.str("zh-CN"), t.str("en")
    if not zh.strip() or not en.strip():
        raise f.fail(key, "a name in both languages: { zh-CN = \"...\", en = \"...\" }")
    return Text(zh=zh, en=en)


def _shape(f: Fields, size: tuple[float, float]) -> Shape:
    rect = _numbers(f, "rect", 4, "[x, y, width, height] in cm (x, y: the lower left corner)", None)
    circle = _numbers(f, "circle", 3, "[x, y, radius] in cm (x, y: the centre)", None)
    if (rect is None) == (circle is None):
        raise f.fail("rect", "given, or else circle (exactly one of the two)")
    if rect is not None:
        x, y, w, h = rect
        if w <= 0 or h <= 0:
            raise f.fail("rect", "a box with a width and a height above 0")
        shape = Shape("rect", x, y, w=w, h=h)
    else:
        x, y, r = circle
        if r <= 0:
            raise f.fail("circle", "a circle with a radius above 0")
        shape = Shape("circle", x, y, r=r)
    if not _inside(shape.centre, size):
        raise f.fail("rect" if rect else "circle", f"inside the arena (0..{size[0]:g} × 0..{size[1]:g} cm)")
    return shape


def _inside(point: tuple[float, float], size: tuple[float, float]) -> bool:
    return 0 <= point[0] <= size[0] and 0 <= point[1] <= size[1]


def _entries(f: Fields, key: str, section: str) -> list[Fields]:
    out = []
    for i, entry in enumerate(f.get(key, list, f"a list of [[{key}]] tables", [])):
        if not isinstance(entry, dict):
            raise f.fail(f"{key}[{i}]", "a table")
        item = Fields(entry, f.path, f"{key}[{i}].")
        _known(item, section)
        out.append(item)
    return out


def _walls(f: Fields, size) -> tuple[tuple[tuple[float, float, float, float], ...], tuple[Text, ...]]:
    walls, names = [], []
    for w in _entries(f, "walls", "walls"):
        names.append(_label(w, "name", Text("墙", "a wall")))
        a = _numbers(w, "from", 2, "[x, y] in cm")
        b = _numbers(w, "to", 2, "[x, y] in cm")
        if a == b:
            raise w.fail("to", "another point than from (a wall has a length)")
        for key, p in (("from", a), ("to", b)):
            if not _inside(p, size):
                raise w.fail(key, f"a point inside the arena (0..{size[0]:g} × 0..{size[1]:g} cm)")
        walls.append(a + b)
    return tuple(walls), tuple(names)


def _zones(f: Fields, key: str, size) -> tuple[Zone, ...]:
    zones, seen = [], set()
    for z in _entries(f, key, key):
        zone_id = z.str("id")
        if not _ID.match(zone_id) or zone_id in seen:
            raise z.fail("id", "a new lowercase name such as \"goal\" or \"cp1\"")
        seen.add(zone_id)
        zones.append(Zone(zone_id, _label(z, "name"), _shape(z, size)))
    return tuple(zones)


def _track(f: Fields, size) -> Track | None:
    if "track" not in f.data:
        return None
    t = f.table("track")
    _known(t, "track")
    want = "a list of at least two [x, y] points in cm"
    raw = t.get("points", list, want)
    if len(raw) < 2 or not all(isinstance(p, list) and len(p) == 2 and all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in p) for p in raw):
        raise t.fail("points", want)
    points = [(float(x), float(y)) for x, y in raw]
    if any(not _inside(p, size) for p in points):
        raise t.fail("points", f"points inside the arena (0..{size[0]:g} × 0..{size[1]:g} cm)")
    closed = t.bool("closed", False)
    if closed and len(points) < 3:
        raise t.fail("points", "at least three points for a closed track")
    width = _number(t, "width_cm", 2.5, low=0.5, high=20, want="a tape width from 0.5 to 20 cm")
    radius = _number(t, "round_cm", 0.0, low=0, want="a corner radius in cm, 0 or more")
    darkness = _number(t, "darkness", 0.9, low=0, high=1, want="a darkness from 0 (white) to 1 (black)")
    if radius > 0:
        points = round_corners(points, radius, closed)
    return Track(tuple(points), width, closed, darkness)


def _start(f: Fields, size) -> tuple[float, float, float]:
    s = f.table("start")
    _known(s, "start")
    x = _number(s, "x_cm", low=0, high=size[0], want=f"a position from 0 to {size[0]:g} cm")
    y = _number(s, "y_cm", low=0, high=size[1], want=f"a position from 0 to {size[1]:g} cm")
    return (x, y, _number(s, "heading_deg", 0.0, want="an angle in degrees (0 points along +x, 90 along +y)"))


def parse_arena(path: Path) -> Arena:
    """Parse one arena file (see the module docstring)."""
    path = Path(path)
    f = Fields(read_toml(path), path)
    _known(f, "")
    if f.int("schema") != SCHEMA_VERSION:
        raise f.fail("schema", f"{SCHEMA_VERSION} (this makerkit reads arena schema {SCHEMA_VERSION})")
    arena_id = f.str("id")
    if not _ID.match(arena_id) or arena_id != path.stem:
        raise f.fail("id", f"the file's name without .toml ('{path.stem}'), in lowercase words and dashes")
    size = _numbers(f, "size_cm", 2, "[width, height] in cm, each from 20 to 2000")
    if not all(20 <= v <= 2000 for v in size):
        raise f.fail("size_cm", "[width, height] in cm, each from 20 to 2000")
    obstacles = tuple(Obstacle(_shape(o, size), _label(o, "name", Text("障碍物", "an obstacle")))
                      for o in _entries(f, "obstacles", "obstacles"))
    walls, wall_names = _walls(f, size)
    return Arena(
        id=arena_id, name=_label(f, "name"), size=size, fence=f.bool("fence", True),
        floor=_number(f, "floor", 0.05, low=0, high=1, want="a darkness from 0 (white) to 1 (black)"),
        start=_start(f, size), walls=walls, obstacles=obstacles, track=_track(f, size),
        goals=_zones(f, "goals", size), checkpoints=_zones(f, "checkpoints", size),
        about=_label(f, "about") if "about" in f.data else None, wall_names=wall_names, path=path)


# --- rounding a polyline's corners ---------------------------------------------------------------

def round_corners(points: list[tuple[float, float]], radius: float, closed: bool,
                  step_deg: float = 10.0) -> list[tuple[float, float]]:
    """The polyline with each corner replaced by an arc of ``radius`` (smaller where the sides are
    too short for it), in pieces of at most ``step_deg`` degrees."""
    n = len(points)
    out: list[tuple[float, float]] = []
    for i in range(n):
        if not closed and i in (0, n - 1):
            out.append(points[i])
            continue
        prev, here, nxt = points[i - 1], points[i], points[(i + 1) % n]
        out.extend(_corner(prev, here, nxt, radius, step_deg))
    return out


def _corner(prev, here, nxt, radius, step_deg):
    ax, ay = prev[0] - here[0], prev[1] - here[1]
    bx, by = nxt[0] - here[0], nxt[1] - here[1]
    la, lb = math.hypot(ax, ay), math.hypot(bx, by)
    if la == 0 or lb == 0:
        return [here]
    ax, ay, bx, by = ax / la, ay / la, bx / lb, by / lb
    angle = math.acos(max(-1.0, min(1.0, ax * bx + ay * by)))     # the inner angle at the corner
    if angle > math.pi - 1e-6 or angle < 1e-6:
        return [here]
    cut = min(radius / math.tan(angle / 2), la / 2, lb / 2)       # how far from the corner the arc starts
    r = cut * math.tan(angle / 2)
    bis = math.hypot(ax + bx, ay + by)
    cx = here[0] + (ax + bx) / bis * (r / math.sin(angle / 2))
    cy = here[1] + (ay + by) / bis * (r / math.sin(angle / 2))
    p1 = (here[0] + ax * cut, here[1] + ay * cut)
    p2 = (here[0] + bx * cut, here[1] + by * cut)
    a1, a2 = math.atan2(p1[1] - cy, p1[0] - cx), math.atan2(p2[1] - cy, p2[0] - cx)
    sweep = (a2 - a1 + math.pi) % (2 * math.pi) - math.pi
    pieces = max(1, math.ceil(abs(math.degrees(sweep)) / step_deg))
    return [(cx + r * math.cos(a1 + sweep * k / pieces), cy + r * math.sin(a1 + sweep * k / pieces))
            for k in range(pieces + 1)]


# --- finding arenas -------------------------------------------------------------------------------

def arenas_dir() -> Path:
    return data_dir("lessons") / ARENA_FOLDER


def arena_path(name: str, folder: Path | None = None) -> Path:
    """The file of arena ``name``: a ``.toml`` file relative to ``folder`` (a lesson's own arena), or
    the id of an arena that ships with makerkit."""
    if name.endswith(".toml"):
        path = Path(name) if folder is None else Path(folder) / name
        if path.is_file():
            return path
    else:
        path = arenas_dir() / f"{name}.toml"
        if path.is_file():
            return path
    known = ", ".join(a.stem for a in sorted(arenas_dir().glob("*.toml"))) or "-"
    raise CatalogError(
        en=f"There is no arena {name!r} (looked for {path}). Arenas that ship with makerkit: {known}.",
        zh=f"找不到场地 {name!r}（查找过 {path}）。makerkit 自带的场地：{known}。",
        hint_en="Use one of those names, or put your arena's .toml file in the lesson's folder and give its file name.",
        hint_zh="请使用上面列出的名字，或者把你的场地 .toml 文件放进课程文件夹，再写上它的文件名。")


def load_arena(name: str, folder: Path | None = None) -> Arena:
    """Arena ``name`` (see :func:`arena_path`), parsed."""
    return parse_arena(arena_path(name, folder))


def load_arenas() -> list[Arena]:
    """Every arena that ships with makerkit, by id."""
    return [parse_arena(p) for p in sorted(arenas_dir().glob("*.toml"))]
