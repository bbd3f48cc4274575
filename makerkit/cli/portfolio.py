"""``makerkit portfolio evaluate|summary|export|showcase|dump|erase|prune|audit``: the student
portfolio, a few lines over :mod:`makerkit.portfolio` each."""

from __future__ import annotations

import getpass
import json
import os

import rich_click as click

from ..i18n import current_language

DB_HELP = "Portfolio: sqlite:///portfolio.db or postgresql://..."
_ACTOR = click.option("--actor", default=None, metavar="NAME",
                      help="Who does this, for the audit log (default: MAKERKIT_ACTOR or the computer's user name).")


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    try:
        return os.environ.get("MAKERKIT_ACTOR") or getpass.getuser()
    except (KeyError, OSError):
        return "teacher"


def _t(en: str, zh: str) -> str:
    return zh if current_language() == "zh" else en


@click.group()
def portfolio():
    """Students' portfolios: evaluations, exports, and the data rules for minors.

    学生成长档案：评价、导出，以及未成年人数据规则（删除、定期清理、审计）。
    """


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--student", required=True, help="The student evaluated (pseudonymous id).")
@click.option("--dimension", required=True, type=click.Choice(["individual", "group", "maker"]),
              help="individual 个人表现, group 小组合作, maker 创客成果.")
@click.option("--by", "by", required=True, metavar="teacher|self|peer:ID", help="Who evaluates.")
@click.option("--level", required=True, type=int, help="The rubric's level (1 = lowest).")
@click.option("--comment", default="", help="A comment (shown to the student).")
@click.option("--project", default=None, help="The project evaluated (default: the term).")
@click.option("--rubric", default=None, type=click.Path(dir_okay=False, exists=True), help="A school's rubric TOML file.")
@_ACTOR
def evaluate(db, student, dimension, by, level, comment, project, rubric, actor):
    """Record a teacher, self or peer evaluation on one dimension.  记录一条教师评价、自评或同伴互评。"""
    from ..portfolio import evaluate as run
    from ..store import open_store
    with open_store(db) as store:
        eval_id = run(store, student=student, dimension=dimension, by=by, level=level, comment=comment,
                      project=project, rubric=rubric, actor=_actor(actor))
    click.echo(_t(f"Evaluation {eval_id} recorded for {student}.", f"已为 {student} 记录评价 {eval_id}。"))


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--student", required=True, help="The student (pseudonymous id).")
@click.option("--term", default=None, help="Only this term, e.g. 2026-2027-1 (default: all).")
@click.option("--rubric", default=None, type=click.Path(dir_okay=False, exists=True), help="A school's rubric TOML file.")
def summary(db, student, term, rubric):
    """A student's evaluation summary per dimension and credits per term, as JSON.  评价汇总和学分（JSON）。"""
    from ..portfolio import gather
    from ..store import open_store
    with open_store(db) as store:
        data = gather(store, student, term=term, rubric=rubric, with_files=False, charts=False)
    click.echo(json.dumps({"student": data["student"], "summary": data["summary"],
                           "credits": {t: {k: v for k, v in c.items() if k != "items"} for t, c in data["credits"].items()}},
                          ensure_ascii=False, indent=2))


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--student", default=None, help="One student (pseudonymous id).")
@click.option("--class", "class_id", default=None, help="The whole class (csv and json only).")
@click.option("--format", "fmt", required=True, type=click.Choice(["html", "csv", "json"]))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--lang", default="zh-CN", type=click.Choice(["zh-CN", "en"]), help="Language of the page.")
@click.option("--parent", is_flag=True, help="The parents' read-only copy (html).")
@click.option("--names", is_flag=True, help="Show display names (default: pseudonymous ids only).")
@click.option("--term", default=None, help="Only this term, e.g. 2026-2027-1 (default: all).")
@click.option("--rubric", default=None, type=click.Path(dir_okay=False, exists=True), help="A school's rubric TOML file.")
@_ACTOR
def export(db, student, class_id, fmt, out, lang, parent, names, term, rubric, actor):
    """Export a student's page (html) or the quality record (csv/json).  导出成长档案页面或综合素质评价记录。"""
    from ..portfolio import export_portfolio
    from ..store import open_store
    with open_store(db) as store:
        n = export_portfolio(store, out=out, fmt=fmt, student=student, class_id=class_id, lang=lang, names=names,
                             parent=parent, term=term, rubric=rubric, actor=_actor(actor))
    click.echo(_t(f"Wrote {out} ({n} student{'s' if n != 1 else ''}).", f"已写入 {out}（{n} 名学生）。"))


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--class", "class_id", required=True, help="The class.")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--lang", default="zh-CN", type=click.Choice(["zh-CN", "en"]))
@click.option("--names", is_flag=True, help="Show students' display names.")
def showcase(db, class_id, out, lang, names):
    """The class showcase page of the selected projects.  班级作品展示页。"""
    from ..portfolio import export_showcase
    from ..store import open_store
    with open_store(db) as store:
        n = export_showcase(store, class_id=class_id, out=out, lang=lang, names=names)
    click.echo(_t(f"Wrote {out} ({n} projects).", f"已写入 {out}（{n} 个项目）。"))


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--student", required=True, help="The student (pseudonymous id).")
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="JSON file to write.")
@_ACTOR
def dump(db, student, out, actor):
    """Everything held about a student, files included, as one JSON file.  导出某个学生的全部数据。"""
    from ..portfolio import export_everything
    from ..store import open_store
    with open_store(db) as store:
        counts = export_everything(store, student=student, out=out, actor=_actor(actor))
    click.echo(f"{out}: " + ", ".join(f"{k}={v}" for k, v in counts.items() if v))


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--student", required=True, help="The student (pseudonymous id).")
@click.option("--yes", is_flag=True, help="Yes, erase it: this cannot be undone.")
@_ACTOR
def erase(db, student, yes, actor):
    """Erase everything held about a student, leaving nothing in the files.  彻底删除某个学生的全部数据。"""
    from ..portfolio import erase_student
    from ..store import open_store
    with open_store(db) as store:
        counts = erase_student(store, student=student, confirm=yes, actor=_actor(actor))
    click.echo(_t(f"Erased {student}: ", f"已删除 {student}：") + ", ".join(f"{k}={v}" for k, v in counts.items() if v))


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--before", required=True, help="Delete what was recorded before this date (2026-02-01).")
@click.option("--yes", is_flag=True, help="Yes, delete it: this cannot be undone.")
@_ACTOR
def prune(db, before, yes, actor):
    """Delete what is older than a date (the retention rule).  删除某日期之前的数据（保存期限）。"""
    from ..portfolio import prune as run
    from ..store import open_store
    with open_store(db) as store:
        counts = run(store, before=before, confirm=yes, actor=_actor(actor))
    click.echo(", ".join(f"{k}={v}" for k, v in counts.items() if v) or _t("Nothing to delete.", "没有需要删除的数据。"))


@portfolio.command()
@click.option("--db", required=True, help=DB_HELP)
@click.option("--student", default=None, help="Only lines about this student.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
def audit(db, student, as_json):
    """Who changed or erased what.  审计日志：谁修改或删除了什么。"""
    from ..store import open_store
    with open_store(db) as store:
        rows = store.audit_log(subject=student)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for r in rows:
        click.echo(f"{r['at']}  {r['actor']}  {r['action']}  {r['class_id'] or '-'}  {r['subject'] or '-'}  {r['detail']}")
