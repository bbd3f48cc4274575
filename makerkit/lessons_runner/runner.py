"""Run and check lessons: the two public functions the ``makerkit lesson`` command stands on.

``run_lesson`` runs a student's script on a kit in real time so they can watch it, until the time
is up or Ctrl-C; ``check_lesson`` runs it on the virtual clock (or a real kit) with the checker's
scenario and returns a :class:`~makerkit.lessons_runner.findings.CheckReport`.
Neither prints: they report through the ``on_event`` callback and their return values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from ..catalog.lessons import Lesson, load_lesson
from ..errors import CatalogError, UsageError
from .findings import CheckReport, Finding, failed, skipped
from .lesson_run import LessonRun
from .pins import LessonPins
from .script import load_checker
from .session import execute

CHECK_WALL_LIMIT = 30.0     # wall seconds a virtual-clock check may take before the script counts as stuck
_LESSON_BUG_EN = "This is a bug in the lesson, not in your program. Tell your teacher."
_LESSON_BUG_ZH = "这是课程本身的问题，不是你的程序的错。请告诉老师。"
REAL_GRACE = 5.0            # wall seconds past the budget before a script on a real kit counts as stuck


def open_kit(*, port: str | None = None, sim: bool = False, board: str | None = None,
             clock: str = "virtual", timeout: float = 5.0) -> Any:
    """Open the kit a lesson runs on: a real one on ``port``, or a virtual one (``sim=True``)."""
    if sim and port:
        raise UsageError(en="Use either --port or --sim, not both.", zh="--port 和 --sim 只能选一个。")
    if not sim and not port:
        raise UsageError(
            en="Say which kit to use: --port PORT for a real board, or --sim for the virtual kit.",
            zh="请指定使用哪个套件：真实开发板用 --port 串口，虚拟套件用 --sim。",
            hint_en="For example: makerkit lesson run 01-blink --sim",
            hint_zh="例如：makerkit lesson run 01-blink --sim")
    from ..api import connect
    if sim:
        return connect(f"sim://{board or 'uno'}", timeout=timeout, clock=clock)
    return connect(port, board=board, timeout=timeout)


def pick_script(lesson: Lesson, *, script: str | Path | None = None, solution: bool = False) -> Path:
    """The script to run: ``script`` if given, else the lesson's solution or starter."""
    if script is not None and solution:
        raise UsageError(en="Use either --script or --solution, not both.", zh="--script 和 --solution 只能选一个。")
    if script is not None:
        path = Path(script)
        if not path.is_file():
            raise UsageError(en=f"There is no file {path}.", zh=f"找不到文件 {path}。",
                             hint_en="Check the file name and the folder you are in.",
                             hint_zh="请检查文件名和当前所在的文件夹。")
        return path
    return lesson.solution if solution else lesson.starter


def _check_board(lesson: Lesson, kit: Any) -> None:
    if kit.board.id not in lesson.boards:
        raise UsageError(
            en=f"Lesson {lesson.id} is written for {', '.join(lesson.boards)}, not the {kit.board.name}.",
            zh=f"课程 {lesson.id} 适用于 {'、'.join(lesson.boards)}，不适用于 {kit.board.name_zh}。",
            hint_en="Use one of those boards, or --sim --board uno for the virtual kit.",
            hint_zh="请换成其中一种开发板，或者用 --sim --board uno 使用虚拟套件。")


def _with_kit(kit: Any | None, opener: Callable[[], Any]) -> tuple[Any, bool]:
    return (kit, False) if kit is not None else (opener(), True)


def run_script(lesson: Lesson, kit: Any, script: Path, *, seconds: float | None,
               wall_limit: float | None = None, on_event: Callable | None = None,
               scenario: Callable[[LessonRun], None] | None = None) -> LessonRun:
    """Run ``script`` on an open ``kit`` and return the :class:`LessonRun` (the kit stays open)."""
    run = LessonRun(lesson, kit, script, seconds)

    def before_start(session: Any) -> None:
        session.pins = LessonPins.for_board(lesson, kit.board)
        run.start(session)
        if lesson.robot is not None:
            from .robot_run import attach_robot
            attach_robot(run, session)
        if scenario is not None and run.is_sim:
            try:
                scenario(run)
            except Exception as exc:
                raise CatalogError(
                    en=f"{lesson.checker}: the lesson's scenario failed: {type(exc).__name__}: {exc}",
                    zh=f"{lesson.checker}：课程的场景程序出错了：{type(exc).__name__}: {exc}",
                    hint_en=_LESSON_BUG_EN, hint_zh=_LESSON_BUG_ZH) from exc

    ended: list = []
    session, result = execute(script, kit, seconds=seconds, wall_limit=wall_limit, on_event=on_event,
                              before_start=before_start, after_end=lambda s: ended.append(run.stop()))
    run.finish(session, result)
    return run


def run_lesson(lesson: str | Path | Lesson, *, port: str | None = None, sim: bool = False,
               board: str | None = None, script: str | Path | None = None, solution: bool = False,
               seconds: float | None = None, scenario: bool = True, clock: str = "real",
               on_event: Callable[[object], None] | None = None, kit: Any = None,
               timeout: float = 5.0) -> LessonRun:
    """Run a lesson script for a student to watch, until ``seconds`` pass or Ctrl-C.

    On the virtual kit the checker's scenario plays too (``scenario=False`` turns it off), so the
    button of lesson 02 gets pressed now and then. Everything the script does and prints reaches
    ``on_event`` as it happens. Returns the :class:`LessonRun`; ``run.crash`` tells if it crashed."""
    lesson = load_lesson(lesson)
    path = pick_script(lesson, script=script, solution=solution)
    kit, own = _with_kit(kit, lambda: open_kit(port=port, sim=sim, board=board, clock=clock, timeout=timeout))
    try:
        _check_board(lesson, kit)
        play = None
        if scenario:
            play = getattr(load_checker(lesson.checker), "scenario", None)
        return run_script(lesson, kit, path, seconds=seconds, on_event=on_event, scenario=play)
    finally:
        if own:
            kit.close()


def check_lesson(lesson: str | Path | Lesson, *, port: str | None = None, sim: bool = False,
                 board: str | None = None, script: str | Path | None = None, solution: bool = False,
                 seconds: float | None = None, kit: Any = None, timeout: float = 5.0,
                 wall_limit: float | None = None, on_event: Callable[[object], None] | None = None
                 ) -> CheckReport:
    """Run a lesson script with the checker's scenario and return the checker's verdict.

    On the virtual kit (``sim=True``) simulated time runs as fast as the computer can go, so a
    10-second lesson checks in well under a second. On a real kit (``port=...``) the run takes real
    time, and findings that need the virtual kit are reported as skipped. ``wall_limit``: wall
    seconds after which a script that never waits counts as stuck (default: 30 on the virtual kit,
    the budget plus 5 on a real one)."""
    lesson = load_lesson(lesson)
    checker = load_checker(lesson.checker)
    path = pick_script(lesson, script=script, solution=solution)
    kit, own = _with_kit(kit, lambda: open_kit(port=port, sim=sim, board=board, clock="virtual", timeout=timeout))
    try:
        _check_board(lesson, kit)
        is_sim = getattr(kit, "sim", None) is not None
        ident = getattr(kit, "identity", None)
        base = dict(lesson_id=lesson.id, board=kit.board.id, script=str(path), sim=is_sim,
                    kit_id=ident.kit_id if ident else "", class_id=ident.class_id if ident else "")
        if lesson.check_needs == "sim" and not is_sim:
            return CheckReport(**base, findings=(skipped(
                f"Lesson {lesson.id} can only be checked on the virtual kit.",
                f"课程 {lesson.id} 只能用虚拟套件检查。"),))
        budget = seconds or lesson.check_seconds
        run = run_script(lesson, kit, path, seconds=budget,
                         wall_limit=wall_limit or (CHECK_WALL_LIMIT if is_sim else budget + REAL_GRACE),
                         on_event=on_event,
                         scenario=getattr(checker, "scenario", None))
        if run.crash is not None:
            return CheckReport(**base, crash=run.crash, run=run)
        findings = _call_checker(checker, run, lesson)
        return CheckReport(**base, findings=findings, run=run)
    finally:
        if own:
            kit.close()


def _call_checker(checker: Any, run: LessonRun, lesson: Lesson) -> tuple[Finding, ...]:
    try:
        found = checker.check(run)
    except Exception as exc:
        raise CatalogError(
            en=f"{lesson.checker}: the lesson's checker failed: {type(exc).__name__}: {exc}",
            zh=f"{lesson.checker}：课程的检查程序出错了：{type(exc).__name__}: {exc}",
            hint_en=_LESSON_BUG_EN, hint_zh=_LESSON_BUG_ZH) from exc
    findings = tuple(found or ())
    if not all(isinstance(f, Finding) for f in findings):
        raise CatalogError(en=f"{lesson.checker}: check(run) must return a list of findings.",
                           zh=f"{lesson.checker}：check(run) 必须返回检查结果列表。")
    if not findings:
        findings = (failed("The checker found nothing to check.", "检查程序没有找到可以检查的内容。"),)
    return findings
