"""lesson.toml -> frozen Lesson objects; malformed files raise CatalogError naming the file and the key."""

from __future__ import annotations

import shutil
from dataclasses import FrozenInstanceError
from pathlib import Path

import pytest

from makerkit.catalog import load_board
from makerkit.catalog.lessons import Lesson, load_lesson, load_lessons, parse_lesson
from makerkit.errors import CatalogError, UnknownLessonError
from makerkit.resources import data_dir

SHIPPED = ("01-blink", "02-button-led", "03-thermometer")


def test_the_lessons_ship_and_parse():
    lessons = load_lessons()
    assert set(SHIPPED) <= {lesson.id for lesson in lessons}    # the first three, and every lesson added since
    for lesson in lessons:
        assert isinstance(lesson, Lesson)
        assert lesson.title.zh and lesson.title.en and lesson.title.zh != lesson.title.en
        assert lesson.goals and all(g.zh and g.en for g in lesson.goals)
        assert {"uno", "esp32", "mpython"} <= set(lesson.boards)
        for name in ("README.md", "README.zh-CN.md", "starter.py", "solution.py", "check.py"):
            assert (lesson.path / name).is_file()
        assert "# " in lesson.readme("en") and "# 第" in lesson.readme("zh")
        assert lesson.wiring_for("uno") and lesson.wiring_for("esp32") and lesson.wiring_for("mpython")


def test_lessons_are_frozen():
    lesson = load_lesson("01-blink")
    with pytest.raises(FrozenInstanceError):
        lesson.id = "x"


@pytest.mark.parametrize("board", ["uno", "nano", "mega2560", "esp32", "esp32s3", "mpython"])
def test_every_lesson_pin_exists_on_every_board(board):
    profile = load_board(board)
    for lesson in load_lessons():
        for role, pin in lesson.pins_for(board).items():
            assert profile.pin(pin).name, (lesson.id, role, pin)
        for row in lesson.wiring_for(board):
            if row.pin not in ("GND", "5V", "3V3"):
                assert profile.pin(row.pin).name == row.pin, (lesson.id, board, row.pin)


def test_wiring_differs_per_board_where_it_should():
    blink = load_lesson("01-blink")
    assert [r.pin for r in blink.wiring_for("uno")] == ["D13", "GND"]
    assert [r.pin for r in blink.wiring_for("esp32")] == ["GPIO2", "GND"]
    assert [r.pin for r in blink.wiring_for("mpython")] == ["P8", "GND"]
    assert blink.pins_for("mpython") == {"led": "P8"}
    button = load_lesson("02-button-led")
    assert button.pins_for("uno") == {"led": "LED_BUILTIN", "button": "D4"}
    assert button.pins_for("mpython") == {"led": "P8", "button": "P5"}
    thermo = load_lesson("03-thermometer")
    assert thermo.plot == ("temperature", "humidity")
    assert thermo.check_seconds == 16


@pytest.mark.parametrize("key, lesson_id", [
    ("01-blink", "01-blink"), ("1", "01-blink"), ("01", "01-blink"), ("blink", "01-blink"),
    ("button-led", "02-button-led"), ("3", "03-thermometer"), ("THERMOMETER", "03-thermometer"),
])
def test_find_a_lesson_by_id_number_or_name(key, lesson_id):
    assert load_lesson(key).id == lesson_id


def test_find_a_lesson_by_path(tmp_path):
    folder = tmp_path / "01-blink"
    shutil.copytree(data_dir("lessons") / "01-blink", folder)
    assert load_lesson(folder).path == folder
    assert load_lesson(str(folder)).path == folder


def test_unknown_lesson_lists_the_lessons(tmp_path):
    with pytest.raises(UnknownLessonError) as info:
        load_lesson("99-nothing")
    assert "01-blink" in info.value.message_en and "01-blink" in info.value.message_zh
    with pytest.raises(UnknownLessonError) as info:
        load_lesson(tmp_path)
    assert "lesson.toml" in info.value.message_en


# --- malformed lesson.toml ------------------------------------------------------------------------

@pytest.fixture
def lesson_copy(tmp_path):
    """A copy of lesson 01 whose lesson.toml a test may edit: returns (folder, edit)."""
    folder = tmp_path / "01-blink"
    shutil.copytree(data_dir("lessons") / "01-blink", folder)
    toml = folder / "lesson.toml"

    def edit(old: str, new: str) -> Path:
        text = toml.read_text(encoding="utf-8")
        assert old in text, old
        toml.write_text(text.replace(old, new, 1), encoding="utf-8")
        return toml

    return folder, edit


@pytest.mark.parametrize("old, new, key", [
    ("schema = 1", "schema = 7", "schema"),
    ("schema = 1", "schema = \"one\"", "schema"),
    ('id = "01-blink"', 'id = "01-blinky"', "id"),
    ('id = "01-blink"', 'id = "Blink"', "id"),
    ('en = "Blink the built-in LED"', 'english = "Blink"', "title.en"),
    ('zh-CN = "让板载 LED 闪烁"', 'zh-CN = ""', "title.zh-CN"),
    ('boards = ["uno", "nano", "mega2560", "esp32", "esp32s3", "mpython"]', "boards = []", "boards"),
    ('boards = ["uno", "nano", "mega2560", "esp32", "esp32s3", "mpython"]', 'boards = "uno"', "boards"),
    ('"Control the LED with led.on() and led.off()",\n', "", "goals"),
    ("duration_min = 30", "duration_min = \"half an hour\"", "duration_min"),
    ('id = "led"', 'id = "LED!"', "parts[1].id"),
    ("optional = true", "optional = \"yes\"", "parts[1].optional"),
    ("[pins.default]", "[pins.everywhere]", "pins.default"),
    ('led = "LED_BUILTIN"', "led = 13", "pins.default.led"),
    ('pin = "D13"\npart = "led"', 'pin = "D13"\npart = "lamp"', "wiring.default[0].part"),
    ('pin = "GPIO2"', 'pins = "GPIO2"', "wiring.esp32[0].pin"),
    ("seconds = 10", "seconds = -1", "check.seconds"),
    ("seconds = 10", "seconds = 10\nneeds = \"magic\"", "check.needs"),
    ("[[wiring.mpython]]", "[[wiring.arduino101]]", "boards"),
])
def test_malformed_lesson_toml_names_file_and_key(lesson_copy, old, new, key):
    folder, edit = lesson_copy
    toml = edit(old, new)
    with pytest.raises(CatalogError) as info:
        parse_lesson(folder)
    err = info.value
    assert str(toml) in err.message_en and str(toml) in err.message_zh
    assert f"'{key}'" in err.message_en, err.message_en
    assert err.exit_code == 2 and err.hint_zh and err.hint_en


def test_invalid_toml_syntax_names_the_file(lesson_copy):
    folder, edit = lesson_copy
    toml = edit("schema = 1", "schema = = 1")
    with pytest.raises(CatalogError) as info:
        load_lesson(folder)
    assert str(toml) in info.value.message_en and "TOML" in info.value.message_en


def test_a_missing_lesson_file_is_named(lesson_copy):
    folder, _ = lesson_copy
    (folder / "check.py").unlink()
    with pytest.raises(CatalogError) as info:
        parse_lesson(folder)
    assert "check.py" in info.value.message_en and str(folder) in info.value.message_en


def test_a_malformed_lesson_in_a_folder_fails_the_listing(lesson_copy):
    folder, edit = lesson_copy
    edit("schema = 1", "schema = 2")
    with pytest.raises(CatalogError):
        load_lessons(folder.parent)
