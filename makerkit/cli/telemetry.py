"""``makerkit telemetry export|quarantine|gaps``: read the portfolio."""

from __future__ import annotations

import sys

import rich_click as click


@click.group()
def telemetry():
    """Export stored telemetry, list quarantined messages and sequence gaps.

    导出遥测数据，查看被隔离的消息和缺失的序号。
    """


@telemetry.command()
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
@click.option("--kit", default=None, help="Only this kit.")
@click.option("--class", "class_id", default=None, help="Only this class.")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--names", is_flag=True, help="Add the students' display names (default: pseudonymous ids only).")
def export(db, kit, class_id, fmt, names):
    """One row per reading: class,kit,seq,time,name,value,unit,student,group (time in ISO 8601 UTC;
    student/group: the pseudonymous id of who held the kit when the reading was taken)."""
    from ..store import open_store
    from ..store.export import write_export
    with open_store(db) as store:
        write_export(store, sys.stdout, kit=kit, class_id=class_id, fmt=fmt, names=names)


@telemetry.command()
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--limit", type=int, default=None, help="At most this many rows.")
def quarantine(db, fmt, limit):
    """What the collector refused, with the reason (bad JSON, wrong types, NaN, oversize, wrong topic)."""
    from ..store import open_store
    from ..store.export import write_quarantine
    with open_store(db) as store:
        write_quarantine(store, sys.stdout, fmt=fmt, limit=limit)


@telemetry.command()
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
@click.option("--state", type=click.Choice(["open", "healed", "lost", "jump"]), default=None)
def gaps(db, state):
    """Sequence gaps the collector found, and whether replays healed them."""
    from ..store import open_store
    with open_store(db) as store:
        click.echo("class,kit,first,last,state,requests,detected_at,note,inc")
        for g in store.gaps(state=state):
            click.echo(f"{g.class_id},{g.kit},{g.first},{g.last},{g.state},{g.requests},{g.detected_at},"
                       f"\"{g.note}\",{g.inc}")


@telemetry.command()
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--student", required=True, help="Student's display name (added to the class if new).")
@click.option("--kit", "kit_id", required=True, help="Kit id the student holds, e.g. kit-07.")
@click.option("--since", default=None,
              help="ISO 8601 UTC time the student got the kit (default: since the beginning for a kit nobody held "
                   "yet, so earlier readings count too; now for a hand-over).")
def assign(db, class_id, student, kit_id, since):
    """Register a class set by names: this student holds this kit from --since on.

    登记：这个学生从 --since 起使用这个套件。Same rules as `makerkit kit assign` (which takes ids):
    readings already credited to a student never move.
    """
    from ..protocol.telemetry import normalise_time
    from ..store import BEGINNING, open_store
    with open_store(db) as store:
        store.add_class(class_id)
        sid = store.add_student(class_id, student)
        when = normalise_time(since) if since else (None if store.history(class_id, kit_id) else BEGINNING)
        hold = store.assign(class_id, kit_id, student=sid, since=when)
        left = store.unassigned_kits()
    click.echo(f"{class_id}/{kit_id} -> {student} ({sid}, since {hold.since})")
    if left:
        click.echo("unassigned: " + ", ".join(f"{c}/{k} ({n})" for (c, k), n in left.items()), err=True)


@telemetry.command()
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
def unassigned(db):
    """Kits with readings that nobody held when they were taken (class,kit,readings)."""
    from ..store import open_store
    with open_store(db) as store:
        click.echo("class,kit,readings")
        for (cls, kit), n in store.unassigned_kits().items():
            click.echo(f"{cls},{kit},{n}")
