"""Lessons are package data: every folder of lessons/ ships with makerkit with no line per lesson.

setup.py maps the packages ``makerkit._data.lessons`` / ``.boards`` / ``.firmware`` onto the top-level
folders; :func:`makerkit.resources.data_dir` finds them through importlib.resources in a wheel and in
the editable install the tests run in, and beside the package in a plain source checkout.
"""

from __future__ import annotations

import os
import shutil
import site as sitepkgs
import subprocess
import sys
import zipfile
from importlib import resources
from pathlib import Path

import pytest

from makerkit.catalog.lessons import load_lessons
from makerkit.resources import data_dir, packaged_dir

ROOT = Path(__file__).resolve().parents[2]
LESSON_FOLDERS = sorted(p.name for p in (ROOT / "lessons").iterdir() if (p / "lesson.toml").is_file())


def _installed(name: str) -> Path:
    try:
        return Path(str(resources.files(f"makerkit._data.{name}")))
    except ModuleNotFoundError:
        pytest.skip("makerkit is not installed (a plain source checkout)")


def test_the_packaging_names_no_lesson():
    config = (ROOT / "pyproject.toml").read_text("utf-8") + (ROOT / "setup.py").read_text("utf-8")
    assert LESSON_FOLDERS
    for folder in LESSON_FOLDERS:
        assert folder not in config, f"{folder} is named in the packaging: a new lesson would need a line"


@pytest.mark.parametrize("name", ["lessons", "boards", "firmware"])
def test_importlib_resources_finds_the_checkouts_folders(name):
    """The editable install maps the data packages onto the checkout's folders, so a lesson folder
    dropped into lessons/ is there at once."""
    found = _installed(name)
    assert found.resolve() == (ROOT / name).resolve()
    assert packaged_dir(name) == found and data_dir(name) == found


def test_every_lesson_folder_is_found_through_the_package():
    found = _installed("lessons")
    assert sorted(p.name for p in found.iterdir() if (p / "lesson.toml").is_file()) == LESSON_FOLDERS
    assert [lesson.id for lesson in load_lessons()] == [lesson.id for lesson in load_lessons(ROOT / "lessons")]


def test_makerkit_data_overrides_the_package(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "lessons" / "01-blink", tmp_path / "lessons" / "01-blink")
    monkeypatch.setenv("MAKERKIT_DATA", str(tmp_path))
    assert data_dir("lessons") == tmp_path / "lessons"
    assert [lesson.id for lesson in load_lessons()] == ["01-blink"]
    assert data_dir("boards") == packaged_dir("boards")       # what the override lacks comes from the package


def _copy_source(dest: Path) -> None:
    """What a wheel is built from, without the shared tree's build/ and egg-info."""
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info", "build", "dist")
    for name in ("setup.py", "pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, dest / name)
    for name in ("makerkit", "lessons", "boards", "firmware", "conf"):
        shutil.copytree(ROOT / name, dest / name, ignore=skip)


@pytest.mark.slow
def test_the_wheel_carries_every_lesson_folder_and_finds_it(tmp_path):
    """Build the wheel (pip, as a school would), add a lesson folder no config names, and run the
    unpacked wheel's ``makerkit lesson list`` from outside the checkout."""
    src = tmp_path / "src"
    src.mkdir()
    _copy_source(src)
    shutil.copytree(src / "lessons" / "01-blink", src / "lessons" / "98-new-one")
    toml = src / "lessons" / "98-new-one" / "lesson.toml"
    toml.write_text(toml.read_text("utf-8").replace('id = "01-blink"', 'id = "98-new-one"')
                    .replace("number = 1\n", "number = 98\n"), "utf-8")
    (src / "lessons" / "98-new-one" / "images").mkdir()
    (src / "lessons" / "98-new-one" / "images" / "wiring.svg").write_text("<svg/>", "utf-8")   # any file, any depth
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path / "w"), str(src)],
                           capture_output=True, text=True, timeout=300)
    if built.returncode and "No matching distribution" in built.stderr:
        pytest.skip("no package index to fetch setuptools from")
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "w").glob("makerkit-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    lessons = src / "lessons"
    for folder in LESSON_FOLDERS + ["98-new-one"]:
        for file in (lessons / folder).rglob("*"):
            if file.is_file() and "__pycache__" not in file.parts:
                assert f"makerkit/_data/lessons/{file.relative_to(lessons).as_posix()}" in names
    assert "makerkit/_data/boards/uno.toml" in names and "makerkit/_data/firmware/micropython/main.py" in names
    assert "makerkit/catalog/lesson_template/lesson.toml.tmpl" in names     # what `lesson new` makes a lesson from
    assert "makerkit/_data/lessons/98-new-one/images/wiring.svg" in names
    assert not [n for n in names if n.endswith(".pyc") or "share/makerkit/lessons" in n]

    # The unpacked wheel first, then this environment's site-packages for the dependencies, read with -S:
    # no .pth file runs (the editable install's finder stays out), as for the console script of a wheel.
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(site), *sitepkgs.getsitepackages()]), MAKERKIT_LANG="en")
    env.pop("MAKERKIT_DATA", None)
    where = subprocess.run([sys.executable, "-S", "-c", "from makerkit.resources import data_dir; print(data_dir('lessons'))"],
                           capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert Path(where.stdout.strip()) == site / "makerkit" / "_data" / "lessons", where.stderr
    script = "import sys; from makerkit.cli import main; sys.argv[0] = 'makerkit'; main(['lesson', 'list'])"
    listed = subprocess.run([sys.executable, "-S", "-c", script], capture_output=True, text=True,
                            env=env, cwd=tmp_path, timeout=60)
    assert listed.returncode == 0, listed.stderr
    for folder in LESSON_FOLDERS + ["98-new-one"]:
        assert folder in listed.stdout
