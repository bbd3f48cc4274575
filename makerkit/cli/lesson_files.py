"""``makerkit lesson new | start``: a teacher's new lesson folder, a student's own copy of a starter.

``pick`` is how ``lesson run`` and ``lesson check`` choose their script: ``--script``/``--solution``
when given, else the student's copy that ``lesson start`` made (and they say so), else the starter.
"""

from __future__ import annotations

from pathlib import Path

import rich_click as click
from rich.console import Console

from ..catalog.lessons import load_lesson
from ..i18n import current_language


def _t(en: str, zh: str) -> str:
    return zh if current_language() == "zh" else en


def _console() -> Console:
    return Console(highlight=False, soft_wrap=True)


def pick(console: Console, item, script, solution) -> Path:
    """The script to run or check; tells the student when it is their own copy."""
    from ..lessons_runner.workdir import student_script
    path, mine = student_script(item, script=script, solution=solution)
    if mine:
        console.print(_t(f"Using your copy {path} (from makerkit lesson start); --solution runs the lesson's "
                         "solution, --script FILE another file.",
                         f"使用你自己的文件 {path}（由 makerkit lesson start 复制）；--solution 运行参考答案，"
                         "--script 文件 运行别的文件。"))
    return path


def show_copy(console: Console, item) -> None:
    """``lesson show``: where the student's own copy is, or how to make it."""
    from ..lessons_runner.workdir import work_copy
    copy = work_copy(item)
    if copy.is_file():
        console.print(_t(f"  yours:    {copy}", f"  你的文件：{copy}"))
    else:
        console.print(_t(f"  (makerkit lesson start {item.id} copies the starter to {copy})",
                         f"  （makerkit lesson start {item.id} 会把初始程序复制到 {copy}）"))


@click.command()
@click.argument("lesson_id", metavar="ID")
@click.option("--dir", "directory", metavar="DIR", default=".", show_default=True,
              type=click.Path(file_okay=False), help="Where to make the lesson's folder (DIR/ID).")
@click.option("--board", "boards", metavar="BOARD", multiple=True,
              help="A board the lesson is for (repeat for several; default: uno).")
@click.option("--pin", metavar="PIN", help="The pin of the lesson's LED (default: each board's built-in LED).")
@click.option("--title-en", metavar="TEXT", help="The lesson's title in English (default: from the id).")
@click.option("--title-zh", metavar="TEXT", help="The lesson's title in Chinese.")
def new(lesson_id, directory, boards, pin, title_en, title_zh) -> None:
    """Make a new lesson folder for a teacher to rewrite.  新建一个课程文件夹，供老师改写。

    The folder DIR/ID holds lesson.toml (zh-CN and en), README.md, README.zh-CN.md, starter.py,
    solution.py and check.py. As made, its solution passes `makerkit lesson check DIR/ID --sim
    --solution` and its starter does not. ID is two digits, a dash and lowercase words.

    makerkit lesson new 04-traffic-light --board uno --board esp32
    """
    from ..catalog.scaffold import new_lesson
    made = new_lesson(lesson_id, directory, boards=tuple(boards), pin=pin, title_en=title_en, title_zh=title_zh)
    console = _console()
    where = Path(directory) / made.id
    where = f"./{made.id}" if where == Path(made.id) else where.as_posix()   # ./ID: a path, not a shipped id
    board = "" if made.boards[0] == "uno" else f" --board {made.boards[0]}"
    console.print(_t(f"Made the lesson {made.id} in {where}:", f"已在 {where} 新建课程 {made.id}："))
    for name in ("lesson.toml", "README.md", "README.zh-CN.md", "starter.py", "solution.py", "check.py"):
        console.print(f"  {where}/{name}")
    console.print(_t(
        f"Rewrite them into your lesson (lessons/README.md explains each file), then check it:\n"
        f"  makerkit lesson check {where} --sim{board} --solution",
        f"把它们改写成你的课程（每个文件的写法见 lessons/README.md），然后检查：\n"
        f"  makerkit lesson check {where} --sim{board} --solution"))


@click.command()
@click.argument("lesson_id", metavar="ID")
@click.option("--force", is_flag=True,
              help="Start again from the starter; your old file is kept as starter-old-N.py.")
def start(lesson_id, force) -> None:
    """Copy a lesson's starter into your own folder.  把课程的初始程序复制到你自己的文件夹。

    The copy is makerkit-work/ID/starter.py in the current folder (MAKERKIT_WORK names another
    folder). `lesson run ID` and `lesson check ID` then run it, without --script. An existing copy
    is never written over: --force starts again and keeps it as starter-old-N.py.

    makerkit lesson start 01-blink
    """
    from ..lessons_runner.workdir import start_lesson
    item = load_lesson(lesson_id)
    started = start_lesson(item, force=force)
    console = _console()
    if started.kept is not None:
        console.print(_t(f"Your old file is kept as {started.kept}.", f"你原来的文件已保存为 {started.kept}。"))
    console.print(_t(f"Copied the starter of lesson {item.id} to {started.path}. Open it and finish it "
                     f"(the guide: makerkit lesson show {lesson_id}), then:",
                     f"已把课程 {item.id} 的初始程序复制到 {started.path}。打开它，把它写完整"
                     f"（课程指南：makerkit lesson show {lesson_id}），然后："))
    console.print(f"  makerkit lesson run {lesson_id} --sim")
    console.print(f"  makerkit lesson check {lesson_id} --sim")
