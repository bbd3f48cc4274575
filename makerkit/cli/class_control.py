"""``makerkit class stop`` and ``makerkit class say``: the teacher's controls over the class broker."""

from __future__ import annotations

import sys

import rich_click as click

from ..i18n import current_language

EXIT_SILENT = 11     # some kit that was online did not answer (or refused)

_common = [
    click.option("--broker", required=True, help="The class broker, mqtt://HOST:PORT or mqtts://HOST:PORT?ca=CERTS/ca.pem (TLS)."),
    click.option("--class", "class_id", required=True, help="Class id, e.g. 7a."),
    click.option("--username", envvar="MAKERKIT_MQTT_USERNAME", default=None,
                 help="Your teacher login (or MAKERKIT_MQTT_USERNAME); the password comes from MAKERKIT_MQTT_PASSWORD."),
    click.option("--timeout", type=float, default=2.0, show_default=True,
                 help="Seconds to wait for the kits' answers."),
    click.option("--db", default=None, help="Portfolio (sqlite:///... or postgresql://...): also name registered "
                                            "kits that never came online."),
]


def _options(fn):
    for option in reversed(_common):
        fn = option(fn)
    return fn


def _password() -> str | None:
    import os
    return os.environ.get("MAKERKIT_MQTT_PASSWORD") or None


def _show(result) -> None:
    from rich.console import Console
    from rich.table import Table

    from ..classroom.control import NO_ANSWER, OBEYED, OFFLINE, REFUSED
    zh = current_language() == "zh"
    states = {OBEYED: ("obeyed", "已执行", "green"), OFFLINE: ("offline", "离线", "yellow"),
              NO_ANSWER: ("no answer", "无应答", "red"), REFUSED: ("refused", "拒绝", "red")}
    table = Table(title=f"{result.class_id}: {result.cmd}")
    for col in (["套件", "结果", "做了什么", "说明", "用时"] if zh else ["kit", "result", "done", "detail", "time"]):
        table.add_column(col)
    for k in result.kits:
        en, cn, colour = states[k.state]
        table.add_row(k.kit, f"[{colour}]{cn if zh else en}[/]", k.done, k.detail,
                      "" if k.seconds is None else f"{k.seconds:.2f} s")
    Console().print(table)
    counts = {state: len(result.named(state)) for state in states}
    click.echo(f"已执行 {counts[OBEYED]}，离线 {counts[OFFLINE]}，无应答 {counts[NO_ANSWER] + counts[REFUSED]}。" if zh
               else f"{counts[OBEYED]} obeyed, {counts[OFFLINE]} offline, "
                    f"{counts[NO_ANSWER] + counts[REFUSED]} online but did not obey.")
    if not result.ok:
        sys.exit(EXIT_SILENT)


@click.command()
@_options
def stop(broker, class_id, username, timeout, db):
    """Stop every kit of the class now: motors, LEDs and buzzers off, servos hold.

    让全班的套件立即停下：电机、LED、蜂鸣器关闭，舵机保持位置。

    Example (password in MAKERKIT_MQTT_PASSWORD): makerkit class stop --broker mqtt://10.0.0.2:1883 --class 7a --username 7a.teacher.wang

    Exit code 11 when a kit that was online did not answer in time.
    """
    from ..classroom.control import stop_class
    _show(stop_class(broker=broker, class_id=class_id, username=username, password=_password(),
                     timeout=timeout, db=db))


@click.command()
@_options
@click.argument("text")
def say(broker, class_id, username, timeout, db, text):
    """Show a short message (at most 200 characters) on every kit's display, or in the student's lesson.

    在每个套件的屏幕上（没有屏幕的显示在学生正在运行的课程里）显示一条短消息。

    Example: makerkit class say --broker mqtt://10.0.0.2:1883 --class 7a --username 7a.teacher.wang "Tidy up!"

    Exit code 11 when a kit that was online did not answer in time.
    """
    from ..classroom.control import say_to_class
    _show(say_to_class(broker=broker, class_id=class_id, text=text, username=username, password=_password(),
                       timeout=timeout, db=db))


def register(group) -> None:
    """Add ``stop`` and ``say`` to the ``makerkit class`` group."""
    group.add_command(stop)
    group.add_command(say)
