"""Teacher, self and peer evaluations on the three dimensions, against a rubric, and their summary.

A peer is a classmate (or, when the rubric says ``peers.scope = "group"``, a teammate), never the
student themself (that is a self evaluation). Each evaluation is dated, names its side, the rubric and
the term it belongs to, and is written with its audit line.
"""

from __future__ import annotations

from ..errors import UsageError
from ..store import Store, now_iso
from .rubric import DIMENSIONS, SIDES, Rubric, load_rubric
from .terms import term_of


def parse_by(by: str) -> tuple[str, str | None]:
    """``teacher`` | ``self`` | ``peer:ID`` -> (side, peer id)."""
    side, _, who = by.partition(":")
    if side in ("teacher", "self") and not who:
        return side, None
    if side == "peer" and who:
        return side, who
    raise UsageError(en=f"--by {by!r}: use teacher, self or peer:STUDENT_ID.",
                     zh=f"--by {by!r}：请写 teacher（老师）、self（自评）或 peer:学生编号（同伴）。")


def _need_student(store: Store, student: str) -> dict:
    info = store.student(student)
    if info is None:
        raise UsageError(en=f"There is no student {student!r} in the portfolio.", zh=f"作品集里没有学生 {student!r}。",
                         hint_en="List the class with: makerkit class show --db URL --class ID",
                         hint_zh="查看班级名单：makerkit class show --db 数据库 --class 班级")
    return info


def _check_peer(store: Store, rubric: Rubric, info: dict, peer: str) -> None:
    other = store.student(peer)
    if peer == info["id"]:
        raise UsageError(en="A student evaluating themself is a self evaluation: use --by self.",
                         zh="学生给自己评价属于自评：请用 --by self。")
    if other is None or other["class"] != info["class"]:
        raise UsageError(en=f"{peer} is not in class {info['class']}: peers evaluate only classmates.",
                         zh=f"{peer} 不在班级 {info['class']}：同伴评价只能由同班同学给出。")
    if rubric.peer_scope == "group" and (not info["group"] or other["group"] != info["group"]):
        raise UsageError(en=f"The rubric lets only teammates evaluate each other, and {peer} is not in "
                            f"{info['id']}'s group.",
                         zh=f"本量规只允许同组同学互评，{peer} 和 {info['id']} 不在同一个小组。")


def evaluate(store: Store, *, student: str, dimension: str, by: str, level: int, comment: str = "",
             project: str | None = None, rubric: str | None = None, actor: str = "teacher") -> int:
    """Record one evaluation; returns its id."""
    rub = load_rubric(rubric)
    info = _need_student(store, student)
    rub.check_level(dimension, level)
    side, peer = parse_by(by)
    if side == "peer":
        _check_peer(store, rub, info, peer)
    if project is not None:
        p = store.need_project(project)
        if p["student_id"] != student and (p["group_id"] is None or p["group_id"] != info["group"]):
            raise UsageError(en=f"Project {project} is neither {student}'s nor their group's.",
                             zh=f"项目 {project} 既不是 {student} 的，也不是其小组的。")
    return store.add_evaluation(class_id=info["class"], student=student, dimension=dimension, by_kind=side,
                                by_id=student if side == "self" else peer, level=level, comment=comment,
                                project=project, rubric=rub.id, term=term_of(now_iso()), actor=actor)


def summarise(evaluations: list[dict], rubric: Rubric) -> dict[str, dict]:
    """dimension -> {side: {"mean", "n"} | None, "combined": weighted mean over the sides present | None}."""
    out: dict[str, dict] = {}
    for dim in DIMENSIONS:
        row: dict = {}
        for side in SIDES:
            levels = [e["level"] for e in evaluations if e["dimension"] == dim and e["by_kind"] == side]
            row[side] = {"mean": sum(levels) / len(levels), "n": len(levels)} if levels else None
        present = [s for s in SIDES if row[s] is not None]
        weight = sum(rubric.weights[s] for s in present)
        row["combined"] = (sum(rubric.weights[s] * row[s]["mean"] for s in present) / weight) if weight else None
        row["top"] = len(rubric.dimension(dim).levels)
        out[dim] = row
    return out
