"""Lesson results into the portfolio: who ran or checked which lesson on which kit when, the outcome,
the checker's findings and a snapshot of the student's code.

The student is the one named, else whoever holds the kit now (a group's kit records the run for the
group, and it counts for every member)."""

from __future__ import annotations

from pathlib import Path

from ..errors import UsageError
from ..store import Store, now_iso

OUTCOMES = ("passed", "failed", "crashed", "not_checkable", "finished", "stopped")
MAX_CODE = 1 << 20     # bytes of a student's script kept (a lesson script is a few KB)


def _kit_class(store: Store, kit: str, class_id: str | None) -> str:
    classes = sorted({k["class"] for k in store.kits(class_id, kit)})
    if len(classes) == 1:
        return classes[0]
    if not classes:
        raise UsageError(en=f"Kit {kit!r} is not in the portfolio" + (f" for class {class_id}." if class_id else "."),
                         zh=f"作品集里没有套件 {kit!r}。",
                         hint_en="Give the student instead: --student ID, or hand the kit out with makerkit kit assign.",
                         hint_zh="请改用 --student 指明学生，或先用 makerkit kit assign 分配套件。")
    raise UsageError(en=f"Kit {kit!r} is in several classes ({', '.join(classes)}): say which with --class.",
                     zh=f"套件 {kit!r} 属于多个班级（{'、'.join(classes)}）：请用 --class 指明。")


def whose_run(store: Store, *, student: str | None, kit: str | None, class_id: str | None,
              at: str) -> tuple[str, str | None, str | None]:
    """``(class, student, group)`` a run belongs to."""
    if student:
        info = store.student(student)
        if info is None:
            raise UsageError(en=f"There is no student {student!r} in the portfolio.", zh=f"作品集里没有学生 {student!r}。",
                             hint_en="List the class with: makerkit class show --db URL --class ID",
                             hint_zh="查看班级名单：makerkit class show --db 数据库 --class 班级")
        return info["class"], student, None
    if not kit:
        raise UsageError(en="Say whose run this is: --student ID, or --kit ID of a kit someone holds.",
                         zh="请说明这是谁的记录：--student 学生编号，或 --kit 已分配的套件编号。")
    cls = _kit_class(store, kit, class_id)
    hold = store.holder_at(cls, kit, at)
    if hold is None:
        raise UsageError(en=f"Nobody holds kit {kit} of class {cls} now, so the result has no owner.",
                         zh=f"班级 {cls} 的套件 {kit} 现在没有分配给任何人，结果无法记录。",
                         hint_en="Add --student ID, or hand the kit out: makerkit kit assign --db URL --kit ID --student ID",
                         hint_zh="请加上 --student 学生编号，或先分配套件：makerkit kit assign --db 数据库 --kit 套件 --student 学生")
    return cls, hold.student, hold.group


def record_lesson_result(store: Store, *, lesson_id: str, mode: str, board: str, sim: bool, outcome: str,
                         findings: list[dict], script: str | Path | None, credits: float = 0.0,
                         student: str | None = None, kit: str | None = None, class_id: str | None = None,
                         actor: str = "student") -> dict:
    """Store one run or check; returns ``{"run", "class", "student", "group"}``."""
    if outcome not in OUTCOMES:
        raise UsageError(en=f"Unknown outcome {outcome!r}.", zh=f"未知的结果 {outcome!r}。")
    at = now_iso()
    cls, sid, gid = whose_run(store, student=student, kit=kit, class_id=class_id, at=at)
    code = name = None
    if script is not None:
        path = Path(script)
        code, name = path.read_bytes()[:MAX_CODE], path.name
    run_id = store.add_lesson_run(class_id=cls, student=sid, group=gid, kit=kit, lesson_id=lesson_id, mode=mode,
                                  board=board, sim=sim, outcome=outcome, findings=findings, code=code,
                                  code_name=name, credits=credits, actor=actor, ran_at=at)
    return {"run": run_id, "class": cls, "student": sid, "group": gid}
