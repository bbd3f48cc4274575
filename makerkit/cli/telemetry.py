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
