"""``makerkit kit assign|history|release``: who holds which kit, and since when."""

from __future__ import annotations

import json

import rich_click as click

from ..i18n import current_language

DB_HELP = "Portfolio: sqlite:///portfolio.db or postgresql://..."


def _when(text: str | None) -> str | None:
    from ..protocol.telemetry import normalise_time
    return normalise_time(text) if text else None


@click.group()
def kit():
    """Hand kits to students or groups and see who held them.

    把套件分给学生或小组，查看使用记录。
    """


@kit.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--kit", "kit_id", required=True, help="Kit id, e.g. kit-07.")
@click.option("--student", default=None, help="The student's id (see makerkit class show).")
@click.option("--group", default=None, help="A group's id, for a kit a team shares.")
@click.option("--since", default=None, help="ISO 8601 time of the hand-over (default: now).")
@click.option("--until", default=None, help="ISO 8601 end, to record a hold in the past (when nobody held the kit).")
@click.option("--class", "class_id", default=None, help="The kit's class, when the kit id is used in several.")
def assign(db, kit_id, student, group, since, until, class_id):
    """Hand a kit to a student or a group from --since (default: now); ends the previous holder then.

    把套件交给一个学生或小组（从 --since 开始，默认现在）；之前的使用者在这一刻结束。
    Readings already credited to someone never move to someone else.
    """
    from ..errors import UsageError
    from ..roster import resolve_kit_class
    from ..store import open_store
    if (student is None) == (group is None):
        raise UsageError(en="Give either --student or --group.", zh="请给出 --student 或 --group 其中之一。")
    with open_store(db) as store:
        cls = resolve_kit_class(store, kit_id, class_id=class_id, student=student, group=group)
        hold = store.assign(cls, kit_id, student=student, group=group, since=_when(since), until=_when(until))
    click.echo(f"{cls}/{kit_id} -> {hold.holder} (" + ("自 " if current_language() == "zh" else "since ") +
               f"{hold.since})")


@kit.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--kit", "kit_id", required=True, help="Kit id, e.g. kit-07.")
@click.option("--at", default=None, help="ISO 8601 time the kit came back (default: now).")
@click.option("--class", "class_id", default=None, help="The kit's class, when the kit id is used in several.")
def release(db, kit_id, at, class_id):
    """The kit goes back in the box: its current holder's time ends (readings after it belong to nobody).

    归还套件：当前使用者的使用时间结束。
    """
    from ..roster import resolve_kit_class
    from ..store import open_store
    with open_store(db) as store:
        cls = resolve_kit_class(store, kit_id, class_id=class_id)
        hold = store.release(cls, kit_id, _when(at))
    click.echo(f"{cls}/{kit_id}: " + (f"{hold.holder} ended" if hold else "nobody held it"))


@kit.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--kit", "kit_id", required=True, help="Kit id, e.g. kit-07.")
@click.option("--class", "class_id", default=None, help="Only this class.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def history(db, kit_id, class_id, as_json):
    """Every hold of a kit: class, holder, since, until (empty: still).

    列出套件的全部使用记录。
    """
    from ..store import open_store
    with open_store(db) as store:
        holds = store.history(class_id, kit_id)
    rows = [{"class": h.class_id, "kit": h.kit, "holder_kind": h.holder_kind, "holder": h.holder,
             "since": h.since, "until": h.until} for h in holds]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    click.echo("class,kit,holder_kind,holder,since,until")
    for r in rows:
        click.echo(f"{r['class']},{r['kit']},{r['holder_kind']},{r['holder']},{r['since']},{r['until'] or ''}")
