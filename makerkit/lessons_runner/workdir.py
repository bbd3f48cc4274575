"""The student's own copy of a lesson's starter: ``makerkit lesson start`` makes it, run/check use it.

The copy is ``makerkit-work/<lesson id>/starter.py`` in the current folder (``MAKERKIT_WORK`` names
another folder to hold the lesson folders). ``start`` never writes over a copy that is there: a
student's work is the one thing makerkit must not lose. With ``force`` the old copy is kept beside
the new one as ``starter-old-1.py`` (``-2``, ... when that exists too).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..catalog.lessons import Lesson
from ..errors import UsageError
from .runner import pick_script

WORK_ENV = "MAKERKIT_WORK"
WORK_FOLDER = "makerkit-work"
COPY_NAME = "starter.py"


def work_dir(base: str | Path | None = None) -> Path:
    """The folder that holds the student's lesson folders."""
    if base is None and os.environ.get(WORK_ENV):
        return Path(os.environ[WORK_ENV])
    return Path(base) / WORK_FOLDER if base is not None else Path(WORK_FOLDER)


def work_copy(lesson: Lesson, base: str | Path | None = None) -> Path:
    """Where the student's copy of ``lesson``'s starter is (or will be)."""
    return work_dir(base) / lesson.id / COPY_NAME


@dataclass(frozen=True)
class Started:
    path: Path                    # the student's copy, fresh from the starter
    kept: Path | None = None      # where the copy that was there went (with force)


def _kept_name(path: Path) -> Path:
    """Where ``force`` moves the copy that is there: the first free ``starter-old-N.py``."""
    n = 1
    while (kept := path.with_name(f"{path.stem}-old-{n}{path.suffix}")).exists():
        n += 1
    return kept


def start_lesson(lesson: Lesson, base: str | Path | None = None, *, force: bool = False) -> Started:
    """Copy ``lesson``'s starter to the student's working folder; refuse to replace work without ``force``."""
    path = work_copy(lesson, base)
    kept = _kept_name(path) if path.exists() else None
    if kept is not None:
        if not force:
            raise UsageError(
                en=f"You have already started lesson {lesson.id}: your work is in {path}, and makerkit does not write over it.",
                zh=f"你已经开始过课程 {lesson.id} 了：你的程序在 {path}，makerkit 不会覆盖它。",
                hint_en=f"Go on with that file (makerkit lesson run {lesson.id} --sim runs it). To start again from "
                        f"the starter, add --force: your old file is kept as {kept.name}.",
                hint_zh=f"接着改这个文件就行（makerkit lesson run {lesson.id} --sim 会运行它）。想从初始程序重新开始，"
                        f"加上 --force：你原来的文件会保存为 {kept.name}。")
        path.rename(kept)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(lesson.starter, path)
    return Started(path=path, kept=kept)


def student_script(lesson: Lesson, *, script: str | Path | None = None, solution: bool = False,
                   base: str | Path | None = None) -> tuple[Path, bool]:
    """The script run/check use, and whether it is the student's copy: ``script`` or the solution
    when asked for, else the copy ``start`` made when there is one, else the lesson's starter."""
    if script is None and not solution:
        copy = work_copy(lesson, base)
        if copy.is_file():
            return copy, True
    return pick_script(lesson, script=script, solution=solution), False
