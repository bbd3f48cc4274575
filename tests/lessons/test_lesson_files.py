"""``makerkit lesson new`` (a teacher's lesson folder that works as made), ``makerkit lesson start``
(the student's own copy, never written over) and lessons in any folder given by path."""

from __future__ import annotations

import shutil
from importlib import resources

import pytest
from click.testing import CliRunner

from makerkit.catalog.lessons import load_lessons, parse_lesson
from makerkit.catalog.scaffold import TEMPLATE_FILES
from makerkit.cli import cli
from makerkit.errors import PinError, UsageError
from makerkit.lessons_runner import EXIT_CHECK_FAILED
from makerkit.resources import data_dir

FILES = ("lesson.toml", "README.md", "README.zh-CN.md", "starter.py", "solution.py", "check.py")


@pytest.fixture
def runner(monkeypatch, tmp_path):
    monkeypatch.setenv("MAKERKIT_LANG", "en")
    monkeypatch.delenv("MAKERKIT_WORK", raising=False)
    monkeypatch.chdir(tmp_path)
    return CliRunner()


def _ok(result, code=0):
    assert result.exit_code == code, result.output
    return result.output


def _refused(result, cls=UsageError) -> str:
    """The error the command stopped with (main() prints it and exits 2): both languages, in one text."""
    assert isinstance(result.exception, cls), result.output
    err = result.exception
    assert err.exit_code == 2 and err.message_zh != err.message_en and err.hint_zh != err.hint_en
    return "\n".join((err.message_en, err.hint_en, err.message_zh, err.hint_zh))


# -- lesson new -----------------------------------------------------------------------------------

def test_the_templates_ship_as_package_data():
    folder = resources.files("makerkit.catalog").joinpath("lesson_template")
    assert sorted(TEMPLATE_FILES.values()) == sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmpl"))


def test_new_makes_a_lesson_that_passes_as_made_and_whose_starter_does_not(runner, tmp_path):
    out = _ok(runner.invoke(cli, ["lesson", "new", "04-my-lesson"]))
    assert "makerkit lesson check ./04-my-lesson --sim --solution" in out
    folder = tmp_path / "04-my-lesson"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)
    lesson = parse_lesson(folder)
    assert lesson.id == "04-my-lesson" and lesson.number == 4 and lesson.boards == ("uno",)
    assert lesson.title.en and lesson.title.zh and lesson.summary.zh != lesson.summary.en
    assert "# " in lesson.readme("en") and "中文版" in lesson.readme("en") and "English" in lesson.readme("zh")
    assert "Well done!" in _ok(runner.invoke(cli, ["lesson", "check", "./04-my-lesson", "--sim", "--solution"]))
    failed = _ok(runner.invoke(cli, ["lesson", "check", "./04-my-lesson", "--sim"]), EXIT_CHECK_FAILED)
    assert "never turned off again" in failed and "led.off()" in failed
    assert [item.id for item in load_lessons(tmp_path)] == ["04-my-lesson"]
    for script in ("starter.py", "solution.py"):       # the pin comes from the lesson's [pins], per board
        text = (folder / script).read_text("utf-8")
        assert "kit.led(kit.pins.led)" in text and "LED_BUILTIN" not in text


def test_new_for_boards_without_a_plain_led_needs_a_pin(runner, tmp_path):
    out = _refused(runner.invoke(cli, ["lesson", "new", "05-two-boards", "--board", "esp32s3", "--board", "mpython"]))
    assert "--pin" in out and "板载 LED" in out and not (tmp_path / "05-two-boards").exists()
    out = _ok(runner.invoke(cli, ["lesson", "new", "05-two-boards", "--dir", "mine", "--board", "esp32s3",
                                  "--board", "mpython", "--pin", "GPIO2", "--title-en", "Two boards",
                                  "--title-zh", "两块板"]))
    assert "--board esp32s3 --solution" in out
    lesson = parse_lesson(tmp_path / "mine" / "05-two-boards")
    assert lesson.title.pick("zh") == "两块板" and lesson.boards == ("esp32s3", "mpython")
    assert lesson.wiring_for("mpython")[0].pin != lesson.wiring_for("esp32s3")[0].pin   # GPIO2 is printed P11
    for board in ("esp32s3", "mpython"):
        _ok(runner.invoke(cli, ["lesson", "check", "mine/05-two-boards", "--sim", "--board", board, "--solution"]))


@pytest.mark.parametrize("bad", ["4-blink", "04_blink", "04-Blink", "blink", "04-"])
def test_new_refuses_a_bad_id(runner, tmp_path, bad):
    out = _refused(runner.invoke(cli, ["lesson", "new", bad]))
    assert "is not a lesson id" in out and "04-traffic-light" in out and "不是课程编号" in out
    assert list(tmp_path.iterdir()) == []


def test_new_never_writes_over_a_folder(runner, tmp_path):
    (tmp_path / "04-mine").mkdir()
    (tmp_path / "04-mine" / "notes.txt").write_text("mine", "utf-8")
    out = _refused(runner.invoke(cli, ["lesson", "new", "04-mine"]))
    assert "already" in out and "--dir" in out and "不会覆盖" in out
    assert [p.name for p in (tmp_path / "04-mine").iterdir()] == ["notes.txt"]


def test_new_with_an_unknown_pin_names_the_boards_pins(runner):
    out = _refused(runner.invoke(cli, ["lesson", "new", "04-x", "--pin", "Q9"]), PinError)
    assert "Q9" in out and "D13" in out


# -- a lesson in any folder -------------------------------------------------------------------------

@pytest.mark.parametrize("given", ["./away/01-blink", "{abs}/away/01-blink", "away/01-blink/lesson.toml"])
def test_a_lesson_in_any_folder_given_by_path(runner, tmp_path, given):
    shutil.copytree(data_dir("lessons") / "01-blink", tmp_path / "away" / "01-blink")
    path = given.format(abs=tmp_path)
    assert "Well done!" in _ok(runner.invoke(cli, ["lesson", "check", path, "--sim", "--solution"]))
    _ok(runner.invoke(cli, ["lesson", "check", path, "--sim"]), EXIT_CHECK_FAILED)


# -- lesson start ---------------------------------------------------------------------------------

def test_start_copies_the_starter_and_run_and_check_use_it(runner, tmp_path):
    out = _ok(runner.invoke(cli, ["lesson", "start", "01-blink"]))
    copy = tmp_path / "makerkit-work" / "01-blink" / "starter.py"
    assert "makerkit-work/01-blink/starter.py" in out.replace("\\", "/")
    assert copy.read_text("utf-8") == (data_dir("lessons") / "01-blink" / "starter.py").read_text("utf-8")
    failed = _ok(runner.invoke(cli, ["lesson", "check", "01-blink", "--sim"]), EXIT_CHECK_FAILED)
    assert "Using your copy" in failed
    copy.write_text((data_dir("lessons") / "01-blink" / "solution.py").read_text("utf-8"), "utf-8")
    passed = _ok(runner.invoke(cli, ["lesson", "check", "01-blink", "--sim"]))
    assert "Using your copy" in passed and "Well done!" in passed
    ran = _ok(runner.invoke(cli, ["lesson", "run", "01-blink", "--sim", "--seconds", "0.3"]))
    assert "Using your copy" in ran and "starter.py" in ran
    solution = _ok(runner.invoke(cli, ["lesson", "check", "01-blink", "--sim", "--solution"]))
    assert "Using your copy" not in solution and "Checking solution.py" in solution


def test_start_never_writes_over_the_students_work(runner, tmp_path):
    _ok(runner.invoke(cli, ["lesson", "start", "blink"]))
    copy = tmp_path / "makerkit-work" / "01-blink" / "starter.py"
    copy.write_text("# my work\n", "utf-8")
    out = _refused(runner.invoke(cli, ["lesson", "start", "01-blink"]))
    assert "already started" in out and "--force" in out and "starter-old-1.py" in out and "不会覆盖" in out
    assert copy.read_text("utf-8") == "# my work\n"

    out = _ok(runner.invoke(cli, ["lesson", "start", "01-blink", "--force"]))
    assert "starter-old-1.py" in out
    assert (copy.parent / "starter-old-1.py").read_text("utf-8") == "# my work\n"
    assert copy.read_text("utf-8") != "# my work\n"
    copy.write_text("# second try\n", "utf-8")
    _ok(runner.invoke(cli, ["lesson", "start", "01-blink", "--force"]))
    assert (copy.parent / "starter-old-2.py").read_text("utf-8") == "# second try\n"
    assert (copy.parent / "starter-old-1.py").read_text("utf-8") == "# my work\n"


def test_start_a_lesson_given_by_path_and_makerkit_work(runner, tmp_path, monkeypatch):
    shutil.copytree(data_dir("lessons") / "01-blink", tmp_path / "away" / "01-blink")
    monkeypatch.setenv("MAKERKIT_WORK", str(tmp_path / "desk"))
    _ok(runner.invoke(cli, ["lesson", "start", "./away/01-blink"]))
    assert (tmp_path / "desk" / "01-blink" / "starter.py").is_file()
    assert "Using your copy" in _ok(runner.invoke(cli, ["lesson", "check", "./away/01-blink", "--sim"]),
                                    EXIT_CHECK_FAILED)


def test_without_a_copy_run_and_check_use_the_starter_as_before(runner):
    out = _ok(runner.invoke(cli, ["lesson", "check", "01-blink", "--sim"]), EXIT_CHECK_FAILED)
    assert "Using your copy" not in out and "Checking starter.py" in out


@pytest.mark.parametrize("command", ["new", "start"])
def test_help(runner, command):
    out = _ok(runner.invoke(cli, ["lesson", command, "--help"]))
    assert "Usage:" in out and ("makerkit-work" in out if command == "start" else "--dir" in out)


def test_start_refuses_as_a_real_command_with_exit_2(tmp_path):
    """Through main(): the refusal is a message and a hint in the student's language, exit code 2."""
    import os
    import subprocess
    import sys
    env = dict(os.environ, MAKERKIT_LANG="zh", PYTHONIOENCODING="utf-8")
    env.pop("MAKERKIT_WORK", None)
    start = [sys.executable, "-m", "makerkit", "lesson", "start", "01-blink"]
    assert subprocess.run(start, cwd=tmp_path, env=env, capture_output=True, timeout=60).returncode == 0
    again = subprocess.run(start, cwd=tmp_path, env=env, capture_output=True, text=True, encoding="utf-8", timeout=60)
    assert again.returncode == 2 and "错误：你已经开始过课程 01-blink 了" in again.stderr and "--force" in again.stderr


def test_show_says_where_the_students_copy_is(runner):
    before = _ok(runner.invoke(cli, ["lesson", "show", "01-blink"])).replace("\\", "/")
    assert "makerkit lesson start 01-blink copies the starter to makerkit-work/01-blink/starter.py" in before
    _ok(runner.invoke(cli, ["lesson", "start", "01-blink"]))
    after = _ok(runner.invoke(cli, ["lesson", "show", "01-blink"])).replace("\\", "/")
    assert "yours:    makerkit-work/01-blink/starter.py" in after
