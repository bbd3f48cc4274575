"""Robot lessons in ``makerkit lesson run`` and ``check``: the live view and the run's files.

During ``lesson run`` a robot lesson shows a small top-down map of the arena with the robot and
its path, a line with its pose, wheel speeds and sensors, and the latest lines the program printed
(:class:`RobotRunView`). After the run or check the record (JSON, ``"v": 1``) and the picture (PNG)
are saved next to the student's work, ``makerkit-work/<lesson>/runs/``, or where ``--record`` and
``--picture`` say (:func:`save_robot_run`); with ``--db`` both go into the portfolio as attachments,
named by the first finding (``picture``, ``record``: their SHA-256), as the dashboard's kit page
shows them.
"""

from __future__ import annotations

import threading

import rich_click as click
from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from ..i18n import current_language

ROBOT_OPTIONS = [
    click.option("--picture", metavar="FILE.png", type=click.Path(dir_okay=False),
                 help="Robot lessons: draw the run (arena, path, sensor hits, faults) into this PNG "
                      "(default: makerkit-work/ID/runs/...png)."),
    click.option("--record", "record_file", metavar="FILE.json", type=click.Path(dir_okay=False),
                 help="Robot lessons: save the run's record (path, events, findings) here "
                      "(default: makerkit-work/ID/runs/...json)."),
]
MAP_COLUMNS = 60
REFRESH_PER_SECOND = 8
_STYLES = {"arena": "grey50", "path": "cyan", "robot": "bold magenta"}


def _t(en: str, zh: str) -> str:
    return zh if current_language() == "zh" else en


def robot_options(fn):
    for option in reversed(ROBOT_OPTIONS):
        fn = option(fn)
    return fn


class RobotRunView:
    """The live view of a robot lesson's run (see the module docstring); events that are not the
    robot's go to ``lines`` (the ``lesson run`` view passes them on with ``show``)."""

    def __init__(self, console: Console):
        self.console = console
        self.robot = None
        self.map = None
        self.lines: list[str] = []
        self.live: Live | None = None
        self._lock = threading.Lock()

    def __enter__(self):
        if self.console.is_terminal:
            self.live = Live(console=self.console, get_renderable=self._render, auto_refresh=True,
                             refresh_per_second=REFRESH_PER_SECOND, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.live is not None:
            self.live.refresh()
            self.live.__exit__(*exc)
        elif self.robot is not None:
            self.console.print(self._render())

    def started(self, robot) -> None:
        from ..sim.robot.terminal_map import TerminalMap
        with self._lock:
            self.robot = robot
            self.map = TerminalMap(robot.arena, columns=min(MAP_COLUMNS, max(20, self.console.width - 2)))

    def show(self, text: str) -> None:
        with self._lock:
            self.lines.append(text)
            del self.lines[:-6]
        if self.live is None:
            self.console.print(text, markup=False)

    def _render(self):
        from ..sim.robot.terminal_map import describe
        with self._lock:
            robot, lines = self.robot, list(self.lines)
        if robot is None:
            return Text(_t("(the robot is not in its arena yet)", "（机器人还没有放进场地）"))
        snapshot = robot.snapshot()
        path = [(s.x, s.y) for s in robot.body.samples[-2000:]]
        board = Text()
        for row in self.map.cells(snapshot, path):
            for char, kind in row:
                board.append(char, style=_STYLES[kind])
            board.append("\n")
        names = robot.arena.name.zh if current_language() == "zh" else robot.arena.name.en
        blocks = [Text(names, style="bold"), board, Text(describe(snapshot))]
        if self.live is not None:
            blocks.append(Text("\n".join(lines)))
        return Group(*blocks)


def save_robot_run(console: Console, run, *, mode: str, findings=(), outcome: str = "",
                   picture: str | None = None, record_file: str | None = None):
    """Save a robot run's record and picture and say where; returns the
    :class:`~makerkit.lessons_runner.robot_run.SavedRun` (None: the run had no simulated robot)."""
    from ..lessons_runner.robot_run import run_record, save_run
    record = run_record(run, mode=mode, findings=findings, outcome=outcome) if run is not None else None
    if record is None:
        if (picture or record_file) and run is not None and run.lesson.robot is None:
            console.print(_t(f"Lesson {run.lesson.id} has no robot: --picture and --record are for robot lessons.",
                             f"课程 {run.lesson.id} 没有机器人：--picture 和 --record 只用于机器人课程。"))
        elif picture or record_file:
            console.print(_t("No robot picture: only the virtual kit (--sim) sees where the robot drives.",
                             "没有机器人运行图：只有虚拟套件（--sim）才能看到机器人开过的路线。"))
        return None
    saved = save_run(record, record_path=record_file, picture_path=picture)
    console.print(_t(f"The robot's run: picture {saved.picture}, record {saved.record}.",
                     f"机器人的运行：运行图 {saved.picture}，运行记录 {saved.record}。"))
    return saved


def attach_to_portfolio(db: str | None, saved, findings: list[dict]) -> list[dict]:
    """With ``--db``: the picture and the record stored as attachments, named by the first finding
    (a run without findings gets one that says so). Returns the findings to record."""
    if not db or saved is None:
        return findings
    from ..store import open_store
    with open_store(db) as store:
        picture = store.put_attachment(saved.picture.read_bytes(), "image/png")
        kept = store.put_attachment(saved.record.read_bytes(), "application/json")
    findings = [dict(f) for f in findings] or [{
        "status": "skip", "en": "The robot's run: see its picture.", "zh": "机器人的运行：见运行图。",
        "fix_en": "", "fix_zh": ""}]
    findings[0]["picture"], findings[0]["record"] = picture, kept
    return findings
