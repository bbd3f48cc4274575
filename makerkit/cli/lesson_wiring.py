"""The wiring check in front of ``makerkit lesson run`` and ``check``: open the kit, check the
lesson's wires on it (:mod:`makerkit.lessons_runner.wiring_check`), show every fault, and stop with
exit status 23 before the student's code runs when one is found.

``--skip-wiring-check`` skips it; ``--sim-fault KIND:ARG`` wires the virtual kit wrong on purpose
(:mod:`makerkit.sim.faults`), so a teacher can show what a loose wire looks like.
"""

from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Iterator

import rich_click as click
from rich.console import Console
from rich.text import Text

from ..i18n import current_language

WIRING_OPTIONS = [
    click.option("--skip-wiring-check", is_flag=True,
                 help="Do not check the lesson's wires on the kit before the script runs."),
    click.option("--sim-fault", "sim_faults", multiple=True, metavar="KIND:ARG",
                 help="Virtual kit only: wire it wrong on purpose (unplugged:D4, stuck:D4, no-pull:D4, "
                      "pin-busy:D7, rail:A0, i2c-absent:0x38, i2c-moved:0x38:0x39). Repeatable."),
]


def _t(en: str, zh: str) -> str:
    return zh if current_language() == "zh" else en


@contextmanager
def checked_kit(console: Console, lesson, *, port: str | None, sim: bool, board: str | None, clock: str,
                skip: bool, faults: tuple[str, ...] = ()) -> Iterator[object]:
    """Open the lesson's kit, put in the ``--sim-fault`` faults, check the wiring unless ``skip``,
    and yield the kit (closed afterwards). A failed check exits with status 23."""
    from ..errors import UsageError
    from ..lessons_runner.runner import open_kit
    if faults and not sim:
        raise UsageError(en="--sim-fault is for the virtual kit: add --sim.",
                         zh="--sim-fault 只能用于虚拟套件：请加上 --sim。")
    kit = open_kit(port=port, sim=sim, board=board, clock=clock)
    try:
        if faults:
            from ..sim.faults import inject_spec
            for spec in faults:
                inject_spec(kit.sim.world, spec)
        if not skip and kit.board.id in lesson.boards:
            _gate(console, lesson, kit)
        yield kit
    finally:
        kit.close()


def _gate(console: Console, lesson, kit) -> None:
    from ..lessons_runner.wiring_check import check_wiring
    report = check_wiring(lesson, kit)
    if not report.checked and not report.unchecked:
        return
    console.print(_t(f"Checking the wiring of lesson {lesson.id} (do not touch the parts)...",
                     f"正在检查课程 {lesson.id} 的接线（请不要碰元件）……"))
    for note in report.unchecked:
        console.print(Text(f"- {note.part()}: {note.message()}", style="yellow"))
        console.print(Text(f"  {_t('What to do: ', '怎么改：')}{note.fix()}"))
    for found in report.faults:
        mark, style = ("!", "yellow") if found.warning else ("X", "red")
        console.print(Text(f"{mark} {found.part()}: {found.message()}", style=style))
        console.print(Text(f"  {_t('Look at: ', '检查这些线：')}{found.look_at()}"))
        if found.fix():
            console.print(Text(f"  {_t('What to do: ', '怎么改：')}{found.fix()}"))
    if report.passed:
        looks = (_t("The wires it could check look right.", "能检查的接线看起来没问题。") if report.unchecked
                 else _t("The wiring looks right.", "接线看起来没问题。"))
        console.print(Text(looks, style="green"))
        return
    count = len(report.errors)
    console.print(Text(_t(
        f"The wiring check found {count} problem{'s' if count > 1 else ''}: fix the wires above, then run "
        "the command again (or add --skip-wiring-check to run anyway).",
        f"接线检查发现了 {count} 个问题：先按上面的提示检查接线，再运行一次（或者加上 --skip-wiring-check 直接运行）。"),
        style="bold"))
    sys.exit(report.exit_code)
