"""Lesson metadata: ``lessons/<id>/lesson.toml`` parsed into frozen :class:`Lesson` objects.

A lesson is a folder::

    lessons/01-blink/
      lesson.toml        schema = 1, id, title/summary/goals (zh-CN, en), boards, parts, pins, wiring,
                         credits (science credits a first passing check earns; default 0),
                         project (true: a project lesson, whose READMEs walk through the design
                         cycle: research 调研, plan 方案, make 制造, reflect 反思; default false)
      README.zh-CN.md    README.md
      starter.py         solution.py     def main(kit): ...
      check.py           def check(run) -> list of findings

Texts are tables with a ``zh-CN`` and an ``en`` key. ``pins`` names the pins a lesson's scripts
and checker use, per board (``[pins.default]`` plus ``[pins.<board>]`` overrides); ``wiring`` is the
table a student follows, pin -> part leg (``[[wiring.default]]`` rows, or ``[[wiring.<board>]]``
for a board that is wired differently). Malformed files raise
:class:`~makerkit.errors.CatalogError` naming the file and the key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import CatalogError, UnknownLessonError
from ..i18n import current_language
from ..resources import data_dir
from ._toml import Fields, read_toml
from .robot_spec import RobotSpec, parse_robot
from .text import Text

SCHEMA_VERSION = 1
LANGS = ("zh-CN", "en")
NEEDS = ("any", "sim")
TOPICS = ("basics", "output", "input", "sensor", "actuator", "iot", "robot", "ai")   # `topics = [...]`
_ID = re.compile(r"^[0-9]{2}-[a-z0-9]+(-[a-z0-9]+)*$")
_ROLE = re.compile(r"^[a-z][a-z0-9_]*$")
REQUIRED_FILES = ("README.md", "README.zh-CN.md", "starter.py", "solution.py", "check.py")


@dataclass(frozen=True)
class Part:
    """Something on the student's table: ``count`` of it, optional or not."""
    id: str
    name: Text
    count: int = 1
    optional: bool = False


@dataclass(frozen=True)
class WireRow:
    """One row of a wiring table: board pin -> the leg of a part."""
    pin: str
    part: str
    leg: Text


@dataclass(frozen=True)
class Lesson:
    id: str
    number: int
    title: Text
    summary: Text
    goals: tuple[Text, ...]
    duration_min: int
    boards: tuple[str, ...]
    parts: tuple[Part, ...]
    pins: dict[str, dict[str, str]] = field(hash=False)      # board id or "default" -> role -> pin
    wiring: dict[str, tuple[WireRow, ...]] = field(hash=False)  # board id or "default" -> rows
    check_seconds: float = 10.0
    check_needs: str = "any"
    run_seconds: float | None = None
    plot: tuple[str, ...] = ()
    credits: float = 0.0      # science credits (科学学分) the first passing check earns (docs/PORTFOLIO.md)
    topics: tuple[str, ...] = ()   # drawn from TOPICS, for catalogues (`lesson list --json`)
    project: bool = False          # a project lesson: its READMEs have a design-cycle section
    robot: RobotSpec | None = None   # the [robot] table: the simulated robot and its arena (robot_spec.py)
    path: Path = field(default=Path("."), hash=False, compare=False)

    # -- files -------------------------------------------------------------------------------------
    def file(self, name: str) -> Path:
        return self.path / name

    @property
    def starter(self) -> Path:
        return self.path / "starter.py"

    @property
    def solution(self) -> Path:
        return self.path / "solution.py"

    @property
    def checker(self) -> Path:
        return self.path / "check.py"

    def readme(self, lang: str | None = None) -> str:
        name = "README.zh-CN.md" if (lang or current_language()) == "zh" else "README.md"
        return (self.path / name).read_text(encoding="utf-8")

    # -- per-board data ----------------------------------------------------------------------------
    def pins_for(self, board: str) -> dict[str, str]:
        """The lesson's pins (role -> printed pin name) on ``board``."""
        out = dict(self.pins.get("default", {}))
        out.update(self.pins.get(board, {}))
        return out

    def wiring_for(self, board: str) -> tuple[WireRow, ...]:
        return self.wiring.get(board) or self.wiring.get("default", ())

    def part(self, part_id: str) -> Part | None:
        return next((p for p in self.parts if p.id == part_id), None)

    def as_dict(self) -> dict[str, Any]:
        """The lesson as catalogue data (``makerkit lesson list --json``): plain JSON types only."""
        def text(t: Text) -> dict[str, str]:
            return {"en": t.en, "zh-CN": t.zh}
        return {"id": self.id, "number": self.number, "title": text(self.title), "summary": text(self.summary),
                "topics": list(self.topics), "boards": list(self.boards), "duration_min": self.duration_min,
                "credits": self.credits, "project": self.project, "parts": [p.id for p in self.parts if p.id != "board"]}


# --- parsing -------------------------------------------------------------------------------------

def _text(f: Fields, key: str) -> Text:
    t = f.table(key)
    return Text(zh=_nonempty(t, "zh-CN"), en=_nonempty(t, "en"))


def _nonempty(f: Fields, key: str) -> str:
    value = f.str(key)
    if not value.strip():
        raise f.fail(key, "a text that is not empty")
    return value


def _text_lists(f: Fields, key: str) -> tuple[Text, ...]:
    t = f.table(key)
    zh, en = t.str_list("zh-CN"), t.str_list("en")
    if len(zh) != len(en):
        raise f.fail(key, f"a table whose zh-CN and en lists are equally long ({len(zh)} vs {len(en)})")
    if not en:
        raise f.fail(key, "a table with at least one item in each language")
    return tuple(Text(zh=z, en=e) for z, e in zip(zh, en))


def _positive(f: Fields, key: str, default: Any) -> Any:
    value = f.get(key, (int, float), "a positive number", default)
    if value is not None and (isinstance(value, bool) or value <= 0):
        raise f.fail(key, "a positive number")
    return value


def _credits(f: Fields) -> float:
    value = f.get("credits", (int, float), "a number of credits, 0 or more", 0.0)
    if isinstance(value, bool) or value < 0:
        raise f.fail("credits", "a number of credits, 0 or more")
    return float(value)


def _topics(f: Fields) -> tuple[str, ...]:
    topics = tuple(f.str_list("topics", []))
    unknown = [t for t in topics if t not in TOPICS]
    if unknown or len(set(topics)) != len(topics):
        raise f.fail("topics", f"a list of different topics from {', '.join(TOPICS)}")
    return topics


def _parse_identity(f: Fields, folder: Path) -> tuple[str, int, tuple[str, ...]]:
    """The lesson's schema check, id (matching its folder), number and boards."""
    schema = f.int("schema")
    if schema != SCHEMA_VERSION:
        raise f.fail("schema", f"{SCHEMA_VERSION} (this makerkit reads lesson schema {SCHEMA_VERSION})")
    lesson_id = f.str("id")
    if not _ID.match(lesson_id):
        raise f.fail("id", "two digits, a dash and lowercase words, such as \"01-blink\"")
    if lesson_id != folder.name:
        raise f.fail("id", f"the name of the lesson's folder ('{folder.name}')")
    number = f.int("number", int(lesson_id[:2]))
    boards = tuple(f.str_list("boards"))
    if not boards:
        raise f.fail("boards", "a list of at least one board id, such as [\"uno\", \"esp32\"]")
    return lesson_id, number, boards


def _parse_parts(f: Fields, path: Path) -> list[Part]:
    parts = []
    for i, entry in enumerate(f.get("parts", list, "a list of [[parts]] tables")):
        if not isinstance(entry, dict):
            raise f.fail(f"parts[{i}]", "a table")
        p = Fields(entry, path, f"parts[{i}].")
        part_id = p.str("id")
        if not _ROLE.match(part_id):
            raise p.fail("id", "a lowercase name such as \"led\" or \"button\"")
        count = p.int("count", 1)
        if count < 1:
            raise p.fail("count", "a whole number of at least 1")
        parts.append(Part(id=part_id, name=_text(p, "name"), count=count, optional=p.bool("optional", False)))
    return parts


def _parse_pins(f: Fields) -> dict[str, dict[str, str]]:
    pins: dict[str, dict[str, str]] = {}
    pin_tables = f.table("pins")
    if "default" not in pin_tables.data:
        raise pin_tables.fail("default", "a table of role = pin name (it is missing)")
    for board in pin_tables.data:
        t = pin_tables.table(board)
        roles = {}
        for role in t.data:
            if not _ROLE.match(role):
                raise t.fail(role, "a role named in lowercase, such as led or button")
            roles[role] = t.str(role)
        pins[board] = roles
    return pins


def _parse_wiring(f: Fields, path: Path, part_ids: set[str]) -> dict[str, tuple[WireRow, ...]]:
    wiring: dict[str, tuple[WireRow, ...]] = {}
    wire_tables = f.table("wiring")
    if "default" not in wire_tables.data:
        raise wire_tables.fail("default", "a list of [[wiring.default]] rows (it is missing)")
    for board in wire_tables.data:
        rows = []
        for i, entry in enumerate(wire_tables.get(board, list, "a list of [[wiring.BOARD]] rows")):
            if not isinstance(entry, dict):
                raise wire_tables.fail(f"{board}[{i}]", "a table with pin, part and leg")
            w = Fields(entry, path, f"wiring.{board}[{i}].")
            part = w.str("part")
            if part not in part_ids:
                raise w.fail("part", f"the id of one of the [[parts]] ('{part}' is not one)")
            rows.append(WireRow(pin=w.str("pin"), part=part, leg=_text(w, "leg")))
        wiring[board] = tuple(rows)
    return wiring


def parse_lesson(path: Path) -> Lesson:
    """Parse one ``lesson.toml`` (``path`` is the file or its folder)."""
    path = Path(path)
    if path.is_dir():
        path = path / "lesson.toml"
    folder = path.parent
    f = Fields(read_toml(path), path)
    lesson_id, number, boards = _parse_identity(f, folder)
    parts = _parse_parts(f, path)
    pins = _parse_pins(f)
    wiring = _parse_wiring(f, path, {p.id for p in parts} | {"board"})
    for board in list(pins) + list(wiring):
        if board != "default" and board not in boards:
            raise f.fail("boards", f"a list that includes '{board}' (pins or wiring mention it)")

    check = f.table("check", {})
    needs = check.str("needs", "any")
    if needs not in NEEDS:
        raise check.fail("needs", f"one of {', '.join(NEEDS)}")
    run = f.table("run", {})

    lesson = Lesson(
        id=lesson_id, number=number, title=_text(f, "title"), summary=_text(f, "summary"),
        goals=_text_lists(f, "goals"), duration_min=f.int("duration_min", 45), boards=boards,
        parts=tuple(parts), pins=pins, wiring=wiring,
        check_seconds=float(_positive(check, "seconds", 10.0)), check_needs=needs,
        run_seconds=_positive(run, "seconds", None), plot=tuple(run.str_list("plot", [])),
        credits=_credits(f), topics=_topics(f), project=f.bool("project", False), robot=parse_robot(f, folder, set(pins["default"])),
        path=folder)
    for name in REQUIRED_FILES:
        if not (folder / name).is_file():
            raise CatalogError(en=f"{folder}: the lesson has no {name}.",
                               zh=f"{folder}：这个课程缺少文件 {name}。")
    return lesson


# --- finding lessons ---------------------------------------------------------------------------

def lessons_dir() -> Path:
    return data_dir("lessons")


def load_lessons(directory: Path | None = None) -> list[Lesson]:
    """All lessons in ``directory`` (default: the ones that ship with makerkit), by number."""
    folder = Path(directory) if directory else lessons_dir()
    found = [parse_lesson(p) for p in sorted(folder.glob("*/lesson.toml"))]
    return sorted(found, key=lambda lesson: (lesson.number, lesson.id))


def load_lesson(lesson: str | Path | Lesson, directory: Path | None = None) -> Lesson:
    """One lesson by id (``"01-blink"``), number (``"1"``, ``"01"``), short name (``"blink"``) or
    the path of its folder."""
    if isinstance(lesson, Lesson):
        return lesson
    as_path = Path(lesson)
    if isinstance(lesson, Path) or ("/" in str(lesson) or "\\" in str(lesson)) or \
            (as_path.is_dir() and (as_path / "lesson.toml").is_file()):
        if (as_path / "lesson.toml").is_file() or as_path.name == "lesson.toml":
            return parse_lesson(as_path)
        raise UnknownLessonError(
            en=f"{as_path} is not a lesson folder (it has no lesson.toml).",
            zh=f"{as_path} 不是课程文件夹（里面没有 lesson.toml）。")
    key = str(lesson).strip().lower()
    folder = Path(directory) if directory else lessons_dir()
    candidates = sorted(p.parent.name for p in folder.glob("*/lesson.toml"))
    for name in candidates:
        number, _, short = name.partition("-")
        if key in (name, short) or (key.isdigit() and int(key) == int(number)):
            return parse_lesson(folder / name)
    raise UnknownLessonError(
        en=f"There is no lesson called {lesson!r}. Lessons: {', '.join(candidates) or '(none)'}.",
        zh=f"没有叫 {lesson!r} 的课程。现有课程：{'、'.join(candidates) or '（无）'}。")
