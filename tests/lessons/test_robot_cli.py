"""Robot lessons through the CLI: `lesson check` and `lesson run` save the run's record (JSON,
"v": 1) and picture (PNG) next to the student's work or where --record / --picture say; with --db
both go into the portfolio, named by the first finding as the dashboard's kit page shows them;
`lesson run` shows the robot's map."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from PIL import Image

from makerkit.cli import cli
from makerkit.lessons_runner import EXIT_CHECK_FAILED
from makerkit.sim.robot.record import load_record


@pytest.fixture
def runner(monkeypatch, tmp_path):
    monkeypatch.setenv("MAKERKIT_LANG", "en")
    monkeypatch.setenv("MAKERKIT_WORK", str(tmp_path / "work"))
    return CliRunner()


def _png(path):
    with Image.open(path) as image:
        assert image.format == "PNG" and image.width > 500 and image.height > 500
        return image.size


def test_check_writes_the_picture_and_the_record_where_asked(runner, tmp_path):
    picture, record = tmp_path / "square.png", tmp_path / "square.json"
    result = runner.invoke(cli, ["lesson", "check", "18-drive-square", "--sim", "--solution",
                                 "--picture", str(picture), "--record", str(record)])
    assert result.exit_code == 0, result.output
    assert str(picture) in result.output and str(record) in result.output
    _png(picture)
    data = load_record(record)
    assert data["v"] == 1 and data["lesson"] == "18-drive-square" and data["mode"] == "check"
    assert data["outcome"] == "passed" and all(f["status"] == "pass" for f in data["findings"])
    assert len(data["path"]) > 300 and data["arena"]["id"] == "square-room"
    t, x, y, heading, left, right = data["path"][-1]
    assert abs(x - 50) < 15 and abs(y - 50) < 15 and left == right == 0


def test_a_failed_check_is_kept_in_the_work_folder_with_the_fault_marked(runner, tmp_path):
    result = runner.invoke(cli, ["lesson", "check", "18-drive-square", "--sim", "--board", "esp32"])
    assert result.exit_code == EXIT_CHECK_FAILED, result.output
    [record] = (tmp_path / "work" / "18-drive-square" / "runs").glob("*-check-esp32.json")
    assert record.with_suffix(".png").is_file()
    data = json.loads(record.read_text(encoding="utf-8"))
    assert data["outcome"] == "failed" and data["board"] == "esp32"
    [mark] = [m for m in data["marks"] if m["status"] == "fail"]
    assert "upper right corner" in mark["en"] and "右上角" in mark["zh"]
    assert abs(mark["x"] - 130) < 2 and abs(mark["y"] - 50) < 2


def test_run_draws_the_run_and_shows_the_robot(runner, tmp_path):
    picture = tmp_path / "run.png"
    result = runner.invoke(cli, ["lesson", "run", "18-drive-square", "--sim", "--solution", "--seconds", "1.5",
                                 "--picture", str(picture)])
    assert result.exit_code == 0, result.output
    assert "side 1" in result.output and "heading" in result.output and "wheels" in result.output
    assert any(ch in result.output for ch in "⡇⠉⣀")                       # the map, in Braille dots
    _png(picture)
    [record] = (tmp_path / "work" / "18-drive-square" / "runs").glob("*-run-uno.json")   # the record stays in the work folder
    data = load_record(record)
    # the run took its 1.5 s budget; on the real clock a loaded machine may close it late, so the upper
    # bound only says it did not run on
    assert data["mode"] == "run" and data["findings"] == [] and 1.4 <= data["seconds"] < 15.0


def test_check_with_db_puts_picture_and_record_in_the_portfolio(runner, tmp_path):
    from makerkit.store import open_store
    url = f"sqlite:///{tmp_path / 'class.db'}"
    with open_store(url) as store:
        store.add_class("7a")
        store.add_student("7a", student_id="s-robot1")
    result = runner.invoke(cli, ["lesson", "check", "18-drive-square", "--sim", "--db", url, "--student", "s-robot1"])
    assert result.exit_code == EXIT_CHECK_FAILED, result.output
    with open_store(url) as store:
        [run] = store.lesson_runs("s-robot1")
        first = run["findings"][0]
        png, media = store.attachment(first["picture"])
        kept, kind = store.attachment(first["record"])
    assert media == "image/png" and png[:8] == b"\x89PNG\r\n\x1a\n"
    assert kind == "application/json" and json.loads(kept)["findings"][0]["status"] == "fail"
    assert not any("picture" in f for f in run["findings"][1:])          # one picture per run on the kit page


def test_picture_for_a_lesson_without_a_robot_says_so(runner, tmp_path):
    result = runner.invoke(cli, ["lesson", "check", "01-blink", "--sim", "--solution", "--picture", str(tmp_path / "x.png")])
    assert result.exit_code == 0 and "has no robot" in result.output and not (tmp_path / "x.png").exists()


def test_run_stops_after_the_lessons_run_seconds(runner, tmp_path):
    import shutil
    from makerkit.catalog.lessons import load_lesson
    folder = tmp_path / "19-obstacle-avoid"
    shutil.copytree(load_lesson("19-obstacle-avoid").path, folder)
    toml = folder / "lesson.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("[run]\nseconds = 30", "[run]\nseconds = 1.5"),
                    encoding="utf-8")
    result = runner.invoke(cli, ["lesson", "run", str(folder), "--sim", "--solution"])   # loops for ever
    assert result.exit_code == 0, result.output
    assert "Stopped after 1.5 s." in result.output
