"""``makerkit project create|entry|link|showcase|finish|show|list``: projects through the design
cycle (research 调研分析, plan 制订方案, make 动手制造, reflect 评估反思)."""

from __future__ import annotations

import json

import rich_click as click

from .portfolio import _ACTOR, DB_HELP, _actor, _t


@click.group()
def project():
    """A student's or a group's projects, stage by stage, with photos and files.

    学生或小组的项目：按“调研分析、制订方案、动手制造、评估反思”记录，可附照片和文件。
    """


@project.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--title", required=True, help="The project's title.")
@click.option("--student", default=None, help="A student's own project.")
@click.option("--group", default=None, help="A group's project.")
@click.option("--class", "class_id", default=None, help="The group's class, when the group id is used in several.")
@click.option("--topic", default="", help="The topic (主题).")
@click.option("--start", default=None, help="Start date (default: today).")
@click.option("--end", default=None, help="End date, if known.")
@click.option("--credits", type=click.FloatRange(min=0), default=0.0, help="Science credits when complete.")
@_ACTOR
def create(db, title, student, group, class_id, topic, start, end, credits, actor):
    """Start a project for a student or a group; prints its id.  创建项目，输出项目编号。"""
    from ..portfolio import create_project
    from ..store import open_store
    with open_store(db) as store:
        pid = create_project(store, title=title, student=student, group=group, class_id=class_id, topic=topic,
                             start=start, end=end, credits=credits, actor=_actor(actor))
    click.echo(pid)


@project.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--project", "project_id", required=True, help="The project's id (p-...).")
@click.option("--stage", required=True, type=click.Choice(["research", "plan", "make", "reflect"]))
@click.option("--text", required=True, help="Notes, the plan, the build log or the reflection.")
@click.option("--by", "author", default=None, help="The student who wrote it (default: the teacher).")
@click.option("--attach", multiple=True, type=click.Path(dir_okay=False, exists=True),
              help="A photo or file (repeat for several); robot run pictures too.")
@click.option("--at", default=None, help="When it was written (ISO 8601; default: now).")
@_ACTOR
def entry(db, project_id, stage, text, author, attach, at, actor):
    """Add a dated stage entry with attachments.  添加某一阶段的记录（可附文件）。"""
    from ..portfolio import add_stage_entry, iso_time
    from ..store import open_store
    with open_store(db) as store:
        entry_id = add_stage_entry(store, project=project_id, stage=stage, text=text, author=author,
                                   attach=list(attach), at=iso_time(at) if at else None, actor=_actor(actor))
    click.echo(_t(f"Entry {entry_id} added to {project_id}.", f"已在 {project_id} 中添加记录 {entry_id}。"))


@project.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--project", "project_id", required=True, help="The project's id (p-...).")
@click.option("--kit", default=None, help="Link this kit's readings (with --from and --to).")
@click.option("--from", "since", default=None, help="Start of the readings (ISO 8601).")
@click.option("--to", "until", default=None, help="End of the readings (ISO 8601).")
@click.option("--lesson-run", type=int, default=None, help="Link a recorded lesson run by its number.")
@click.option("--note", default="", help="What it shows.")
@_ACTOR
def link(db, project_id, kit, since, until, lesson_run, note, actor):
    """Link telemetry or a lesson run the project used.  关联项目用到的数据或课程记录。"""
    from ..errors import UsageError
    from ..portfolio import iso_time, link_lesson_run, link_telemetry
    from ..store import open_store
    if (kit is None) == (lesson_run is None) or (kit and not (since and until)):
        raise UsageError(en="Give --kit with --from and --to, or --lesson-run N.",
                         zh="请给出 --kit 加 --from 和 --to，或者 --lesson-run 编号。")
    with open_store(db) as store:
        if kit:
            link_telemetry(store, project=project_id, kit=kit, since=iso_time(since), until=iso_time(until),
                           note=note, actor=_actor(actor))
        else:
            link_lesson_run(store, project=project_id, run=lesson_run, note=note, actor=_actor(actor))
    click.echo(_t(f"Linked to {project_id}.", f"已关联到 {project_id}。"))


@project.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--project", "project_id", required=True, help="The project's id (p-...).")
@click.option("--off", is_flag=True, help="Take it off the showcase.")
@_ACTOR
def showcase(db, project_id, off, actor):
    """Select a project for the class showcase.  选为班级展示作品。"""
    from ..portfolio import set_showcase
    from ..store import open_store
    with open_store(db) as store:
        set_showcase(store, project=project_id, selected=not off, actor=_actor(actor))
    click.echo(f"{project_id}: " + ("-" if off else "showcase"))


@project.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--project", "project_id", required=True, help="The project's id (p-...).")
@click.option("--end", default=None, help="End date (default: today).")
@_ACTOR
def finish(db, project_id, end, actor):
    """Record the project's end date.  记录项目结束日期。"""
    from ..portfolio import finish_project
    from ..store import open_store
    with open_store(db) as store:
        finish_project(store, project=project_id, end=end, actor=_actor(actor))
    click.echo(_t(f"{project_id} finished.", f"{project_id} 已结束。"))


@project.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--project", "project_id", required=True, help="The project's id (p-...).")
def show(db, project_id):
    """A project with its entries and links, as JSON.  查看项目（JSON）。"""
    from ..store import open_store
    with open_store(db) as store:
        info = store.need_project(project_id)
        info["entries"], info["links"] = store.entries(project_id), store.links(project_id)
    click.echo(json.dumps(info, ensure_ascii=False, indent=2))


@project.command("list")
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="The class.")
def list_(db, class_id):
    """The class's projects: id, owner, title, showcase.  列出班级的项目。"""
    from ..store import open_store
    with open_store(db) as store:
        rows = store.projects(class_id=class_id)
    for p in rows:
        click.echo(f"{p['id']}  {p['student_id'] or p['group_id']}  {'*' if p['showcase'] else ' '}  {p['title']}")
