"""A robot lesson's run on the virtual kit: the robot put in its arena before the script starts, and
what is kept of the run afterwards (its record and picture).

A lesson with a ``[robot]`` table (:mod:`makerkit.catalog.robot_spec`) gets its simulated robot
attached to the virtual kit's world just before the student's script runs, wired to the lesson's
pins for the board in use (:func:`attach_robot`); ``run.robot`` is then the
:class:`~makerkit.sim.robot.SimRobot`, and the checker judges its path. On a real kit nothing is
attached: the real robot drives on the real floor. :func:`run_record` makes the run's record
(:mod:`makerkit.sim.robot.record`) with the checker's findings; :func:`save_run` writes it and its
picture next to the student's work: ``makerkit-work/<lesson>/runs/<when>-<mode>-<board>.json``
and ``.png``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .workdir import work_dir


@dataclass(frozen=True)
class RobotStarted:
    """The robot is in its arena (``lesson run`` shows it live)."""
    t: float
    robot: Any


def attach_robot(run, session) -> None:
    """Put the lesson's robot into the virtual kit's world at the arena's start (virtual kit only)."""
    spec = run.lesson.robot
    if spec is None or not run.is_sim:
        return
    from ..sim.robot import attach
    run.robot = attach(run.world, spec, session.pins)
    session.recorder.add(RobotStarted(0.0, run.robot))


def run_record(run, *, mode: str, findings=(), outcome: str = "") -> dict | None:
    """The record of ``run``'s robot (None when the run had none), with the checker's ``findings``."""
    robot = getattr(run, "robot", None)
    if robot is None:
        return None
    from ..sim.robot.record import build_record
    return build_record(robot, lesson=run.lesson.id, board=run.board.id, mode=mode, script=run.script.name,
                        outcome=outcome, findings=[asdict(f) for f in findings])


@dataclass(frozen=True)
class SavedRun:
    record: Path
    picture: Path


def runs_dir(lesson_id: str, base: str | Path | None = None) -> Path:
    """Where a lesson's robot runs are kept: ``makerkit-work/<lesson>/runs``."""
    return work_dir(base) / lesson_id / "runs"


def save_run(record: dict, *, record_path: str | Path | None = None, picture_path: str | Path | None = None,
             base: str | Path | None = None) -> SavedRun:
    """Write ``record`` and its picture: to the paths given, else into :func:`runs_dir`."""
    from ..sim.robot.picture import save_picture
    from ..sim.robot.record import save_record
    stem = f"{datetime.now():%Y%m%d-%H%M%S}-{record['mode']}-{record['board']}"
    folder = runs_dir(record["lesson"], base)
    json_path = Path(record_path) if record_path else _free(folder / f"{stem}.json")
    png_path = Path(picture_path) if picture_path else json_path.with_suffix(".png")
    save_record(record, json_path)
    save_picture(record, png_path)
    return SavedRun(json_path, png_path)


def _free(path: Path) -> Path:
    """``path``, or ``path-2``, ``-3``... when it is taken (two runs in one second)."""
    n = 2
    found = path
    while found.exists():
        found = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return found
