"""``makerkit lesson new``: a new lesson folder, made from the templates in ``lesson_template/``.

The folder holds everything a lesson needs (``lesson.toml`` in zh-CN and en, both READMEs, starter,
solution, checker) and works as made: its solution passes ``makerkit lesson check <folder> --sim
--solution`` and its starter does not. A teacher then rewrites it into their own lesson. The lesson
drives one LED: on each board the board's built-in LED, or the pin given.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from ..errors import UsageError
from .boards import BoardProfile, load_board
from .lessons import _ID, Lesson, parse_lesson

TEMPLATE_FILES = {"lesson.toml": "lesson.toml.tmpl", "README.md": "README.md.tmpl",
                  "README.zh-CN.md": "README.zh-CN.md.tmpl", "starter.py": "starter.py.tmpl",
                  "solution.py": "solution.py.tmpl", "check.py": "check.py.tmpl"}
DEFAULT_BOARDS = ("uno",)


@dataclass(frozen=True)
class LedPlan:
    """Where the lesson's LED is on each board, and what the scripts call it."""
    boards: tuple[BoardProfile, ...]
    pins: dict[str, str]          # board id -> printed pin the LED is on
    script_pin: str               # the lesson's [pins.default] led: "LED_BUILTIN" or a printed pin

    @property
    def builtin(self) -> bool:
        return self.script_pin == "LED_BUILTIN"


def check_lesson_id(lesson_id: str) -> str:
    if not _ID.match(lesson_id or ""):
        raise UsageError(
            en=f"'{lesson_id}' is not a lesson id: use two digits, a dash and lowercase words, such as 04-traffic-light.",
            zh=f"'{lesson_id}' 不是课程编号：要用两位数字、一个短横线和小写英文单词，例如 04-traffic-light。",
            hint_en="The id is also the name of the lesson's folder: makerkit lesson new 04-traffic-light",
            hint_zh="课程编号也是课程文件夹的名字：makerkit lesson new 04-traffic-light")
    return lesson_id


def plan_led(boards: tuple[str, ...] = DEFAULT_BOARDS, pin: str | None = None) -> LedPlan:
    """The LED's pin on each of ``boards``: ``pin`` everywhere, else each board's built-in LED."""
    profiles = tuple(load_board(b) for b in (boards or DEFAULT_BOARDS))
    pins = {}
    for profile in profiles:
        name = pin or profile.led_builtin
        if not name:
            raise UsageError(
                en=f"The {profile.name} has no plain built-in LED: say which pin the lesson's LED is on with --pin.",
                zh=f"{profile.name_zh} 没有可以直接开关的板载 LED：请用 --pin 指定课程的 LED 接在哪个引脚上。",
                hint_en="For example: --pin GPIO2 (see `makerkit boards` for the pins).",
                hint_zh="例如：--pin GPIO2（引脚名可以用 `makerkit boards` 查看）。")
        pins[profile.id] = profile.pin(name, mode="output").name    # a PinError names the board's pins
    script_pin = pin if pin else "LED_BUILTIN"
    return LedPlan(boards=profiles, pins=pins, script_pin=script_pin)


def _toml_pins(plan: LedPlan) -> str:
    return f'[pins.default]\nled = "{plan.script_pin}"\n'


def _toml_wiring(plan: LedPlan) -> str:
    first = plan.boards[0]
    out = []
    for profile in plan.boards:
        key = "default" if profile is first else profile.id
        if key != "default" and plan.pins[profile.id] == plan.pins[first.id]:
            continue
        for pin, leg_zh, leg_en in ((plan.pins[profile.id], "长脚（正极 +），串一个 220Ω 电阻", "long leg (+), through a 220 Ω resistor"),
                                    ("GND", "短脚（负极 −）", "short leg (−)")):
            out += [f"[[wiring.{key}]]", f'pin = "{pin}"', 'part = "led"',
                    f'leg = {{ zh-CN = "{leg_zh}", en = "{leg_en}" }}', ""]
    return "\n".join(out)


def _md_wiring(plan: LedPlan, zh: bool) -> str:
    head = "| 开发板 | LED 的长脚（串 220Ω 电阻） | LED 的短脚 |" if zh else "| Board | LED long leg (through 220 Ω) | LED short leg |"
    rows = [head, "|---|---|---|"]
    for profile in plan.boards:
        rows.append(f"| {profile.name_zh if zh else profile.name} | `{plan.pins[profile.id]}` | `GND` |")
    if plan.builtin:
        rows.append("")
        rows.append("用板载 LED 的话不用接线。" if zh else "With the built-in LED there is nothing to wire.")
    return "\n".join(rows)


def _where(folder: Path) -> str:
    """How the student names the lesson in a command: its id when it is in the shipped lessons."""
    from ..errors import CatalogError
    from ..resources import data_dir
    try:
        if folder.resolve().parent == data_dir("lessons").resolve():
            return folder.name
    except CatalogError:     # no shipped lessons: the path will do
        pass
    try:
        rel = Path(os.path.relpath(folder, Path.cwd()))
    except ValueError:       # another drive on Windows
        return str(folder)
    text = rel.as_posix()
    return text if text.startswith("..") else f"./{text}"


def _fields(lesson_id: str, plan: LedPlan, title_en: str, title_zh: str, folder: Path) -> dict[str, str]:
    return {
        "id": lesson_id, "number": str(int(lesson_id[:2])),
        "boards": ", ".join(f'"{p.id}"' for p in plan.boards),
        "title_en": title_en, "title_zh": title_zh,
        "title_en_toml": json.dumps(title_en, ensure_ascii=False), "title_zh_toml": json.dumps(title_zh, ensure_ascii=False),
        "led_optional": "true" if plan.builtin else "false",
        "pins": _toml_pins(plan), "wiring": _toml_wiring(plan),
        "where": _where(folder),
        "parts_en": "- A board and a USB data cable\n- An LED and a 220 Ω resistor"
                    + (" (optional: the built-in LED is enough)" if plan.builtin else ""),
        "parts_zh": "- 开发板和 USB 数据线\n- LED 和 220Ω 电阻" + ("（可以不用：板载 LED 就够了）" if plan.builtin else ""),
        "wiring_en": _md_wiring(plan, zh=False), "wiring_zh": _md_wiring(plan, zh=True),
    }


def _plain(text: str) -> str:
    """A title as it can stand in a Python docstring and a Markdown heading."""
    return " ".join(text.replace("\\", "/").replace('"', "'").split())


def new_lesson(lesson_id: str, directory: str | Path = ".", *, boards: tuple[str, ...] = DEFAULT_BOARDS,
               pin: str | None = None, title_en: str | None = None, title_zh: str | None = None) -> Lesson:
    """Make the folder ``directory/lesson_id`` from the templates and return the lesson in it."""
    check_lesson_id(lesson_id)
    plan = plan_led(tuple(boards), pin)
    words = lesson_id.split("-", 1)[1].replace("-", " ")
    title_en = _plain(title_en or words.capitalize())
    title_zh = _plain(title_zh or f"新课程：{words}")
    folder = Path(directory) / lesson_id
    if folder.exists():
        raise UsageError(
            en=f"There is already a {'folder' if folder.is_dir() else 'file'} {folder}: makerkit lesson new never writes over one.",
            zh=f"已经有 {folder} 了：makerkit lesson new 不会覆盖已有的文件夹。",
            hint_en="Pick another id, or another place with --dir.",
            hint_zh="请换一个课程编号，或者用 --dir 换一个位置。")
    fields = _fields(lesson_id, plan, title_en, title_zh, folder)
    templates = resources.files(__package__).joinpath("lesson_template")
    texts = {name: Template(templates.joinpath(template).read_text(encoding="utf-8")).substitute(fields)
             for name, template in TEMPLATE_FILES.items()}
    folder.mkdir(parents=True)
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return parse_lesson(folder)
