"""``makerkit class import|show``: the class roster and its kits."""

from __future__ import annotations

import json

import rich_click as click

from ..i18n import current_language

DB_HELP = "Portfolio: sqlite:///portfolio.db or postgresql://..."


@click.group(name="class")
def class_():
    """A class: import its roster, see its students, groups and kits.

    班级：导入名单，查看学生、小组和套件。
    """


@class_.command(name="import")
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--name", "class_name", default="", help="The class's display name, e.g. 'Class 7A'.")
@click.argument("file", type=click.Path(dir_okay=False))
def import_(db, class_id, class_name, file):
    """Add the students of a CSV file (columns: name, and optionally id and group) to a class.

    从 CSV 文件导入学生（列：name 姓名，可选 id 学号、group 小组）。
    """
    from ..protocol.telemetry import check_id
    from ..roster import import_roster
    from ..store import open_store
    check_id(class_id, "class")
    with open_store(db) as store:
        res = import_roster(store, class_id, file, class_name=class_name)
    zh = current_language() == "zh"
    click.echo(f"{class_id}: 新增 {len(res.added)} 名学生，已有 {len(res.updated)} 名，{len(res.groups)} 个小组。" if zh else
               f"{class_id}: {len(res.added)} students added, {len(res.updated)} already there, "
               f"{len(res.groups)} groups.")
    if res.not_in_file:
        click.echo((f"名单里没有、但仍保留的学生：{', '.join(res.not_in_file)}" if zh else
                    f"Kept, though not in this file: {', '.join(res.not_in_file)}"), err=True)


@class_.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="Class id, e.g. 7a.")
@click.option("--names", is_flag=True, help="Show students' display names (default: pseudonymous ids only).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def show(db, class_id, names, as_json):
    """Students, groups and kits of a class: who holds which kit since when, last seen, firmware.

    显示班级的学生、小组和套件：谁从何时起使用哪个套件、最后在线时间、固件版本。
    """
    from ..roster import class_overview
    from ..store import open_store
    with open_store(db) as store:
        view = class_overview(store, class_id, names=names)
    if as_json:
        click.echo(json.dumps(view, ensure_ascii=False, indent=2))
        return
    _print_overview(view, names, current_language() == "zh")


def _print_overview(view: dict, names: bool, zh: bool) -> None:
    import sys

    from rich.console import Console
    from rich.table import Table
    # piped into a file, rich would fit the tables into 80 columns and cut the times short with "…"
    console = Console(width=None if sys.stdout.isatty() else 160)
    title = f"{view['class']} ({view['name']})"
    t = Table(title=("学生 " if zh else "Students ") + title)
    for col in (["编号", "小组", "套件"] if zh else ["id", "group", "kits"]) + ((["姓名"] if zh else ["name"]) if names else []):
        t.add_column(col)
    for s in view["students"]:
        t.add_row(s["id"], s["group"] or "", ", ".join(s["kits"]), *([s.get("name") or ""] if names else []))
    console.print(t)
    if view["groups"]:
        g = Table(title="小组" if zh else "Groups")
        for col in (["编号", "名称", "成员", "套件"] if zh else ["id", "name", "members", "kits"]):
            g.add_column(col)
        for grp in view["groups"]:
            g.add_row(grp["id"], grp["name"], ", ".join(grp["members"]), ", ".join(grp["kits"]))
        console.print(g)
    k = Table(title="套件" if zh else "Kits")
    for i, col in enumerate(["套件", "开发板", "使用者", "起始时间", "最后在线", "固件", "标签"] if zh else
                            ["kit", "board", "holder", "since", "last seen", "firmware", "label"]):
        k.add_column(col, overflow="fold" if i in (3, 4) else "ellipsis")     # a time is never cut short
    for kit in view["kits"]:
        holder = kit["holder"] or {}
        who = holder.get("id", "")
        if holder.get("kind") == "group":
            who += " (小组)" if zh else " (group)"
        k.add_row(kit["kit"], kit["board"] or "", who, holder.get("since", ""),
                  kit["last_seen"] or ("从未" if zh else "never"), kit["firmware"] or "", kit["label"] or "")
    console.print(k)


from .class_control import register as _register_controls  # noqa: E402 - the teacher's stop / say

_register_controls(class_)

from .class_provision import register as _register_provisioning  # noqa: E402 - provision / update / status / labels

_register_provisioning(class_)
