"""``makerkit lesson list | show | run | check``: lessons for students, a few lines over the library.

``run`` shows what the student's script does as it happens (LED changes, printed lines, a live
chart of readings); ``check`` prints the checker's findings and exits 0 when the lesson passes,
20 when the script ran but something needs fixing, 21 when the script crashed.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager

import rich_click as click
from rich.console import Console, Group
from rich.live import Live
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from ..catalog.lessons import load_lesson, load_lessons
from ..i18n import current_language
from .lesson_files import new, pick, show_copy, start
from .lesson_robot import RobotRunView, attach_to_portfolio, robot_options, save_robot_run
from .lesson_wiring import WIRING_OPTIONS, checked_kit


def _zh() -> bool:
    return current_language() == "zh"


def _t(en: str, zh: str) -> str:
    return zh if _zh() else en


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


_FANCY = {"led": "💡", "world": "👉", "event": "📣", "pass": "✔", "fail": "✘", "skip": "–"}
_PLAIN = {"led": "*", "world": ">", "event": "!", "pass": "OK", "fail": "X", "skip": "-"}


def _symbol(console: Console, name: str) -> str:
    """A marker the terminal can show (a GBK console on Windows has no emoji)."""
    return _FANCY[name] if "utf" in (console.encoding or "").lower() else _PLAIN[name]


_KIT_OPTIONS = [
    click.option("--port", metavar="URL", help="A real kit: serial port or URL (COM3, /dev/ttyUSB0, socket://...)."),
    click.option("--sim", is_flag=True, help="Use the virtual kit (no board needed)."),
    click.option("--board", metavar="BOARD", help="Board profile: uno, esp32, mpython... (the virtual kit's board with --sim)."),
    click.option("--script", "script", metavar="FILE", type=click.Path(dir_okay=False),
                 help="Run this script (default: your copy from `lesson start`, else the lesson's starter)."),
    click.option("--solution", is_flag=True, help="Run the lesson's solution."),
    click.option("--update-firmware", is_flag=True,
                 help="A real kit with outdated or other firmware: update it first without asking."),
    *WIRING_OPTIONS,
]


def _kit_options(fn):
    for option in reversed(_KIT_OPTIONS):
        fn = option(fn)
    return fn


_RECORD_OPTIONS = [
    click.option("--db", metavar="URL", help="Record the result in this portfolio (sqlite:///portfolio.db or postgresql://...)."),
    click.option("--student", metavar="ID", help="Whose result it is (default: whoever holds the kit, with --db)."),
    click.option("--kit", "kit_id", metavar="ID", help="The kit's id in the class (default: the id the kit reports)."),
    click.option("--class", "class_id", metavar="ID", help="The kit's class, when its id is used in several."),
]


def _record_options(fn):
    for option in reversed(_RECORD_OPTIONS):
        fn = option(fn)
    return fn


def _record(console: Console, db: str | None, **fields) -> None:
    """Put a run or check into the portfolio and say for whom (nothing without --db)."""
    if not db:
        return
    from ..portfolio import record_lesson_result
    from ..store import open_store
    with open_store(db) as store:
        got = record_lesson_result(store, **fields)
    console.print(_t(f"Recorded in the portfolio for {got['student'] or got['group']} (run {got['run']}).",
                     f"已记入 {got['student'] or got['group']} 的成长档案（记录 {got['run']}）。"))


@click.group()
def lesson() -> None:
    """List, show, start, run and check lessons; make new ones.  列出、查看、开始、运行和检查课程；新建课程。

    Start here:  makerkit lesson run 01-blink --sim
    """


lesson.add_command(new)
lesson.add_command(start)


@lesson.command("list")
@click.option("--json", "as_json", is_flag=True,
              help="Print the catalogue as JSON (id, title, topics, boards, duration_min...) for programs.")
def list_(as_json: bool) -> None:
    """List the lessons.  列出所有课程。"""
    if as_json:
        import json
        click.echo(json.dumps([item.as_dict() for item in load_lessons()], ensure_ascii=False, indent=2))
        return
    console = _console()
    table = Table(box=None, show_header=True, header_style="bold")
    table.add_column(_t("lesson", "课程"))
    table.add_column(_t("title", "标题"))
    table.add_column(_t("time", "时长"), justify="right")
    for item in load_lessons():
        table.add_row(item.id, item.title.pick(), _t(f"{item.duration_min} min", f"{item.duration_min} 分钟"))
    console.print(table)
    console.print(_t("Start with: makerkit lesson run 01-blink --sim",
                     "从这里开始：makerkit lesson run 01-blink --sim"))


@lesson.command()
@click.argument("lesson_id", metavar="ID")
@click.option("--board", metavar="BOARD", help="Show the wiring for this board only (uno, esp32, mpython...).")
def show(lesson_id: str, board: str | None) -> None:
    """Show a lesson: parts, wiring and the student's guide.  查看课程：材料、接线和学习指南。"""
    item = load_lesson(lesson_id)
    console = _console()
    console.print(f"[bold]{item.id}: {item.title.pick()}[/bold]")
    console.print(item.summary.pick())
    console.print()
    console.print(f"[bold]{_t('Goals', '学习目标')}[/bold]")
    for goal in item.goals:
        console.print(f"  • {goal.pick()}")
    console.print(f"[bold]{_t('Parts', '材料')}[/bold]")
    for part in item.parts:
        extra = f" ×{part.count}" if part.count > 1 else ""
        console.print(f"  • {part.name.pick()}{extra}")
    boards = [board] if board else ["default"] + [b for b in item.boards if b in item.wiring and b != "default"]
    for key in boards:
        _wiring_table(console, item, key)
    console.print(f"[bold]{_t('Files', '文件')}[/bold]")
    console.print(f"  starter:  {item.starter}")
    console.print(f"  solution: {item.solution}")
    show_copy(console, item)
    console.print()
    readme = item.readme()
    console.print(Markdown(readme) if console.is_terminal else readme)


def _firmware_gate(console: Console, port: str | None, sim: bool, board: str | None, update: bool) -> None:
    """A real kit with outdated or other firmware: offer to update it in place (once), then go on."""
    if sim or not port:
        return
    from ..errors import MakerkitError
    from ..lessons_runner.firmware_gate import firmware_check, update_in_place
    try:
        found = firmware_check(port, board)
    except MakerkitError:
        return                    # the lesson's own connect names the problem (wrong port, no answer)
    if not found.needs_update:
        return
    lang = "zh" if _zh() else "en"
    console.print(found.message(lang))
    if not update:
        if not sys.stdin.isatty():
            console.print(_t("Going on with it; add --update-firmware to update it first.",
                             "先继续运行；加上 --update-firmware 可以先更新固件。"))
            return
        if not click.confirm(_t("Update the kit's firmware now (about a minute)?", "现在更新套件的固件吗（大约一分钟）？"),
                             default=True):
            return
    console.print(_t("Updating the kit's firmware...", "正在更新套件的固件……"))
    now = update_in_place(found)
    console.print(_t(f"Updated: the kit runs {now}.", f"已更新：套件现在运行 {now}。"))


def _wiring_table(console: Console, item, key: str) -> None:
    from ..catalog import load_board
    if key == "default":
        shown = [b for b in item.boards if b not in item.wiring or b == "default"]
        names = ", ".join(shown)
        rows = item.wiring.get("default", ())
    else:
        profile = load_board(key)
        names = profile.name_zh if _zh() else profile.name
        rows = item.wiring_for(profile.id)
    table = Table(title=_t(f"Wiring: {names}", f"接线：{names}"), title_justify="left", show_header=True)
    table.add_column(_t("board pin", "开发板引脚"))
    table.add_column(_t("part", "元件"))
    table.add_column(_t("leg", "元件的脚"))
    for row in rows:
        part = item.part(row.part)
        table.add_row(row.pin, part.name.pick() if part else row.part, row.leg.pick())
    console.print(table)


def _describe_kit(sim: bool, board: str | None, port: str | None) -> str:
    if sim:
        return _t(f"the virtual {board or 'uno'}", f"虚拟 {board or 'uno'}")
    return port or "?"


class _RunView:
    """Shows a run's events as they happen; with a plot, a live chart above the latest lines; for a
    robot lesson on the virtual kit, the robot's live map (``robot``: a RobotRunView)."""

    def __init__(self, console: Console, plot: tuple[str, ...], robot: RobotRunView | None = None):
        from ..lessons_runner.chart import Series
        self.console = console
        self.series = {name: Series(name) for name in plot}
        self.lines: list[str] = []
        self.live: Live | None = None
        self.robot = robot

    def __enter__(self):
        if self.robot is not None:
            self.robot.__enter__()
        elif self.series and self.console.is_terminal:
            self.live = Live(self._render(), console=self.console, auto_refresh=False, transient=False)
            self.live.__enter__()
        return self

    def __exit__(self, *exc):
        if self.robot is not None:
            self.robot.__exit__(*exc)
        if self.live is not None:
            self.live.__exit__(*exc)

    def _render(self):
        from ..lessons_runner.chart import render
        blocks = [Text("\n".join(render(s)) + "\n") for s in self.series.values()]
        blocks.append(Text("\n".join(self.lines[-8:])))
        return Group(*blocks)

    def show(self, text: str) -> None:
        if self.robot is not None:
            self.robot.show(text)
        elif self.live is not None:
            self.lines.append(text)
            del self.lines[:-8]
            self.live.update(self._render(), refresh=True)
        else:
            self.console.print(text, markup=False)

    def __call__(self, event) -> None:
        from ..lessons_runner import KitEvent, LevelChange, Output, Published, Reading, ScenarioEvent
        from ..lessons_runner.robot_run import RobotStarted
        stamp = f"[{event.t:6.1f}s]" if hasattr(event, "t") else ""
        if isinstance(event, RobotStarted):
            if self.robot is not None:
                self.robot.started(event.robot)
        elif isinstance(event, Output):
            self.show(f"{stamp} {event.text}")
        elif isinstance(event, LevelChange) and self.robot is None:   # a robot's motor pins: its map shows them
            state = (_t("on", "亮") if event.level >= 1 else _t("off", "灭") if event.level <= 0
                     else f"{event.level:.0%}")
            self.show(f"{stamp} {_symbol(self.console, 'led')} {event.pin}: {state}")
        elif isinstance(event, ScenarioEvent):
            self.show(f"{stamp} {_symbol(self.console, 'world')} {_t(event.en, event.zh)}")
        elif isinstance(event, KitEvent):
            data = " ".join(f"{key}={value}" for key, value in event.data.items())
            self.show(f"{stamp} {_symbol(self.console, 'event')} {_t('event', '事件')} {event.name} {data}".rstrip())
        elif isinstance(event, (Reading, Published)) and event.name in self.series:
            series = self.series[event.name]
            if isinstance(event, Published) and event.unit:
                series.unit = event.unit
            elif isinstance(event, Reading) and not series.unit:
                series.unit = {"temperature": "°C", "humidity": "%"}.get(event.name, "")
            if isinstance(event, Reading):
                series.add(event.t, event.value)
                if self.live is not None:
                    self.live.update(self._render(), refresh=True)


@contextmanager
def _class_link(console: Console, kit, broker: str | None, class_id: str | None, kit_id: str | None):
    """``--broker``: the tethered kit is bridged to the class while the lesson runs."""
    import os

    from ..lessons_runner.tether import class_link
    with class_link(kit, broker=broker, class_id=class_id, kit_id=kit_id,
                    username=os.environ.get("MAKERKIT_MQTT_USERNAME") or None,
                    password=os.environ.get("MAKERKIT_MQTT_PASSWORD") or None) as bridge:
        if bridge is not None:
            console.print(_t(f"Linked to the class broker as {bridge.class_id}/{bridge.kit_id}: what the kit sends "
                             f"goes to the class (waiting in {bridge.outbox.path} while the broker is away).",
                             f"已作为 {bridge.class_id}/{bridge.kit_id} 连接到班级的 MQTT 服务器：套件发送的数据会送到全班"
                             f"（服务器断开时先保存在 {bridge.outbox.path} 中）。"))
        yield bridge


def _show_crash(console: Console, crash) -> None:
    console.print(Text(_t("Your program stopped with an error:", "你的程序出错停下来了："), style="bold red"))
    console.print(Text(crash.traceback_text()), markup=False)
    console.print(Text(_t("Hint: ", "提示：") + crash.hint(), style="yellow"))


@lesson.command()
@click.argument("lesson_id", metavar="ID")
@_kit_options
@click.option("--seconds", type=click.FloatRange(min=0, min_open=True), metavar="N",
              help="Stop after N seconds (default: the lesson's [run] seconds, else run until Ctrl-C).")
@click.option("--no-scenario", is_flag=True, help="On the virtual kit, do not press buttons or change the room.")
@click.option("--broker", metavar="URL",
              help="A kit on a USB cable (Uno...): link it to the class broker while the lesson runs, so what it "
                   "publishes reaches the class and the teacher's messages reach it (login: MAKERKIT_MQTT_USERNAME "
                   "and MAKERKIT_MQTT_PASSWORD).")
@robot_options
@_record_options
def run(lesson_id, port, sim, board, script, solution, update_firmware, skip_wiring_check, sim_faults, seconds,
        no_scenario, broker, picture, record_file, db, student, kit_id, class_id) -> None:
    """Run a lesson script and watch it, until Ctrl-C.  运行课程程序并观察它，按 Ctrl-C 停止。

    makerkit lesson run 01-blink --sim
    """
    from ..lessons_runner import EXIT_SCRIPT_CRASHED, run_lesson
    from ..lessons_runner.announce import announce
    item = load_lesson(lesson_id)
    console = _console()
    path = pick(console, item, script, solution)
    _firmware_gate(console, port, sim, board, update_firmware)
    with checked_kit(console, item, port=port, sim=sim, board=board, clock="real", skip=skip_wiring_check,
                     faults=sim_faults) as kit, _class_link(console, kit, broker, class_id, kit_id) as link:
        announce(kit, item.id, state="running", mode="run", bridge=link)       # the class dashboard's tile
        console.print(_t(f"Running {path.name} of lesson {item.id} on {_describe_kit(sim, board, port)}. "
                         "Press Ctrl-C to stop.",
                         f"在{_describe_kit(sim, board, port)} 上运行课程 {item.id} 的 {path.name}。按 Ctrl-C 停止。"))
        robot = RobotRunView(console) if item.robot is not None and sim else None
        with _RunView(console, item.plot, robot) as view:
            result = run_lesson(item, kit=kit, script=path, seconds=seconds or item.run_seconds,
                                scenario=not no_scenario, on_event=view)
        outcome = "crashed" if result.crash is not None else ("finished" if result.ended == "finished" else "stopped")
        announce(kit, item.id, state="ended", mode="run", outcome=outcome, bridge=link)
    saved = save_robot_run(console, result, mode="run", outcome=outcome, picture=picture, record_file=record_file)
    ident = getattr(result.kit, "identity", None)
    _record(console, db, lesson_id=item.id, mode="run", board=result.board.id, sim=result.is_sim,
            outcome=outcome, findings=attach_to_portfolio(db, saved, []), script=path, credits=0.0, student=student,
            kit=kit_id or (ident.kit_id if ident else None) or None,
            class_id=class_id or (ident.class_id if ident else None) or None, actor=student or "student")
    if result.crash is not None:
        _show_crash(console, result.crash)
        sys.exit(EXIT_SCRIPT_CRASHED)
    ended = {"finished": _t(f"Your program finished after {result.elapsed:.1f} s.",
                            f"你的程序运行了 {result.elapsed:.1f} 秒，结束了。"),
             "budget": _t(f"Stopped after {result.elapsed:.1f} s.", f"运行 {result.elapsed:.1f} 秒后停止。"),
             "interrupted": _t(f"Stopped (Ctrl-C) after {result.elapsed:.1f} s.",
                               f"已停止（Ctrl-C），运行了 {result.elapsed:.1f} 秒。")}
    console.print(ended.get(result.ended, result.ended))
    if path == item.starter:
        mine = f"my_{item.id.split('-', 1)[1].replace('-', '_')}.py"
        kit_args = ("--sim" if sim else f"--port {port}") + (f" --board {board}" if board else "")
        console.print(_t(
            f"Next: `makerkit lesson start {lesson_id}` copies the starter into your own folder; finish it (the "
            f"lesson's guide: makerkit lesson show {item.id}), then check it:\n  makerkit lesson check {lesson_id} {kit_args}\n"
            f"(A file of your own elsewhere: makerkit lesson check {item.id} {kit_args} --script {mine})",
            f"下一步：`makerkit lesson start {lesson_id}` 会把初始程序复制到你自己的文件夹；把它写完整（课程指南："
            f"makerkit lesson show {item.id}），然后检查：\n  makerkit lesson check {lesson_id} {kit_args}\n"
            f"（用别处你自己的文件：makerkit lesson check {item.id} {kit_args} --script {mine}）"))


@lesson.command()
@click.argument("lesson_id", metavar="ID")
@_kit_options
@robot_options
@_record_options
def check(lesson_id, port, sim, board, script, solution, update_firmware, skip_wiring_check, sim_faults, picture,
          record_file, db, student, kit_id, class_id) -> None:
    """Check a lesson script: exit 0 when it passes.  检查课程程序：通过时退出码为 0。

    makerkit lesson check 01-blink --sim --script my_blink.py
    """
    from ..lessons_runner import check_lesson
    from ..lessons_runner.announce import announce
    item = load_lesson(lesson_id)
    console = _console()
    path = pick(console, item, script, solution)
    _firmware_gate(console, port, sim, board, update_firmware)
    console.print(_t(f"Checking {path.name} for lesson {item.id} on {_describe_kit(sim, board, port)}...",
                     f"正在{_describe_kit(sim, board, port)} 上检查课程 {item.id} 的 {path.name}……"))
    with checked_kit(console, item, port=port, sim=sim, board=board, clock="virtual", skip=skip_wiring_check,
                     faults=sim_faults) as kit:
        announce(kit, item.id, state="running", mode="check")
        report = check_lesson(item, kit=kit, script=path)
        announce(kit, item.id, state="ended", mode="check", outcome=report.outcome)
    if report.crash is not None:
        _show_crash(console, report.crash)
    for finding in report.findings:
        mark = _symbol(console, finding.status)
        style = {"pass": "green", "fail": "red", "skip": "yellow"}[finding.status]
        console.print(Text(f"{mark} {finding.message()}", style=style))
        if finding.failed and finding.fix():
            console.print(Text(f"  {_t('What to do: ', '怎么改：')}{finding.fix()}"))
    if report.passed:
        console.print(Text(_t(f"Well done! Lesson {item.id} passed.", f"太棒了！课程 {item.id} 通过了。"),
                           style="bold green"))
    elif report.crash is None:
        console.print(Text(_t("Not yet: fix the points above and check again.",
                              "还差一点：按上面的提示改一改，再检查一次。"), style="bold"))
    from dataclasses import asdict
    saved = save_robot_run(console, report.run, mode="check", findings=report.findings, outcome=report.outcome,
                           picture=picture, record_file=record_file)
    _record(console, db, lesson_id=item.id, mode="check", board=report.board, sim=report.sim, outcome=report.outcome,
            findings=attach_to_portfolio(db, saved, [asdict(f) for f in report.findings]), script=path,
            credits=item.credits, student=student, kit=kit_id or report.kit_id or None,
            class_id=class_id or report.class_id or None, actor=student or "student")
    if report.exit_code:
        sys.exit(report.exit_code)
