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
def export(db, kit, class_id, fmt):
    """One row per reading: class,kit,seq,time,name,value,unit (time in ISO 8601 UTC)."""
    from ..store import open_store
    from ..store.export import write_export
    with open_store(db) as store:
        write_export(store, sys.stdout, kit=kit, class_id=class_id, fmt=fmt)


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
@click.option("--state", type=click.Choice(["open", "healed", "lost"]), default=None)
def gaps(db, state):
    """Sequence gaps the collector found, and whether replays healed them."""
    from ..store import open_store
    with open_store(db) as store:
        click.echo("class,kit,first,last,state,requests,detected_at,note")
        for g in store.gaps(state=state):
            click.echo(f"{g.class_id},{g.kit},{g.first},{g.last},{g.state},{g.requests},{g.detected_at},{g.note}")


@telemetry.command()
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--student", required=True, help="Student's name.")
@click.option("--kit", "kit_id", required=True, help="Kit id the student holds, e.g. kit-07.")
@click.option("--since", default=None,
              help="ISO 8601 UTC time the student got the kit (default: since the beginning, so earlier readings count too).")
def assign(db, class_id, student, kit_id, since):
    """Register a class set: this student holds this kit from --since on (ends the previous holder).

    登记：这个学生从 --since 起使用这个套件；之前的读数也会归到正确的学生名下。
    """
    from ..protocol.telemetry import normalise_time
    from ..store import open_store
    with open_store(db) as store:
        store.add_class(class_id)
        sid = store.add_student(class_id, student)
        store.register_kit(kit_id, class_id)
        store.assign_kit(kit_id, sid, since=normalise_time(since) if since else None)
        left = store.unassigned_kits()
    click.echo(f"{kit_id} -> {student} ({class_id})")
    if left:
        click.echo("unassigned: " + ", ".join(f"{k} ({n})" for k, n in left.items()), err=True)


@telemetry.command()
@click.option("--db", required=True, help="Portfolio: sqlite:///portfolio.db or postgresql://...")
def unassigned(db):
    """Kits with readings that no student held when they were taken (kit,readings)."""
    from ..store import open_store
    with open_store(db) as store:
        click.echo("kit,readings")
        for kit, n in store.unassigned_kits().items():
            click.echo(f"{kit},{n}")
