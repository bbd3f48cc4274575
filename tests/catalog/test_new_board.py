"""A new board is a new TOML file: a school's own board, in a folder of its own, runs a lesson on its
virtual kit with no change to makerkit's code."""

from __future__ import annotations

import shutil

from makerkit.catalog import load_board
from makerkit.catalog.boards import EXTRA_BOARDS_ENV, boards_dir
from makerkit.lessons_runner import check_lesson
from makerkit.resources import data_dir


def _school_board(folder):
    """An ESP32 board of the school's own, with its LED on GPIO5 instead of GPIO2."""
    text = (boards_dir() / "esp32.toml").read_text(encoding="utf-8")
    text = text.replace('id = "esp32"', 'id = "schoolbot"', 1)
    text = text.replace('name = "ESP32 DevKitC"', 'name = "SchoolBot ESP32"', 1)
    text = text.replace('led_builtin = "GPIO2"', 'led_builtin = "GPIO5"', 1)
    text = text.replace('LED_BUILTIN = "GPIO2"', 'LED_BUILTIN = "GPIO5"', 1)
    (folder / "schoolbot.toml").write_text(text, encoding="utf-8")


def test_a_board_profile_in_a_folder_runs_a_lesson(tmp_path, monkeypatch):
    boards = tmp_path / "boards"
    boards.mkdir()
    _school_board(boards)
    monkeypatch.setenv(EXTRA_BOARDS_ENV, str(boards))
    board = load_board("schoolbot")
    assert board.led_builtin == "GPIO5" and board.install == "deploy" and board.has_repl

    lesson = tmp_path / "01-blink"
    shutil.copytree(data_dir("lessons") / "01-blink", lesson)
    toml = lesson / "lesson.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace('boards = ["uno"', 'boards = ["schoolbot", "uno"', 1),
                    encoding="utf-8")

    report = check_lesson(lesson, sim=True, board="schoolbot", solution=True)
    assert report.passed, [f.message() for f in report.findings]
    assert report.run.board.id == "schoolbot"
    assert [(d.kind, d.pin) for d in report.run.devices] == [("led", "GPIO5")]


def test_how_firmware_gets_on_a_board_is_a_profile_field():
    assert load_board("uno").firmware_command() == "makerkit flash --board uno --port PORT"
    assert load_board("mpython").firmware_command("COM5") == "makerkit deploy --port COM5"
    assert load_board("esp32s3").machine_names == ("ESP32S3",)
    assert load_board("uno").boot_silent and not load_board("esp32").boot_silent
