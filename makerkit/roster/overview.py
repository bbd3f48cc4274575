"""What ``makerkit class show`` prints: the class's students, groups and kits, who holds which kit
since when, when each kit was last seen and what firmware it runs."""

from __future__ import annotations

from ..errors import UsageError


def class_overview(store, class_id: str, *, names: bool = False) -> dict:
    """A JSON-ready picture of one class. Display names only with ``names``."""
    known = {c["id"]: c for c in store.classes()}
    if class_id not in known:
        raise UsageError(en=f"There is no class {class_id!r} in the portfolio.", zh=f"作品集里没有班级 {class_id!r}。",
                         hint_en="Import it first: makerkit class import --db URL --class ID roster.csv",
                         hint_zh="请先导入：makerkit class import --db 数据库 --class 班级 名单.csv")
    students = store.students(class_id, names=names)
    groups = store.groups(class_id)
    members: dict[str, list[str]] = {}
    for s in students:
        if s["group"]:
            members.setdefault(s["group"], []).append(s["id"])
    current = {h.kit: h for h in store.history(class_id) if h.until is None}
    kits = []
    for k in store.kits(class_id):
        hold = current.get(k["kit"])
        kits.append({
            "kit": k["kit"], "board": k["board"], "hw_id": k["hw_id"], "inc": k["inc"], "firmware": k["firmware"],
            "label": k["label"], "registered_at": k["registered_at"], "last_seen": k["last_seen"],
            "holder": None if hold is None else {"kind": hold.holder_kind, "id": hold.holder, "since": hold.since},
        })
    held_by = {}
    for k in kits:
        if k["holder"]:
            held_by.setdefault(k["holder"]["id"], []).append(k["kit"])
    for s in students:
        s["kits"] = held_by.get(s["id"], [])
    return {
        "class": class_id, "name": known[class_id]["name"],
        "students": students,
        "groups": [dict(g, members=members.get(g["id"], []), kits=held_by.get(g["id"], [])) for g in groups],
        "kits": kits,
    }


def resolve_kit_class(store, kit: str, *, class_id: str | None = None, student: str | None = None,
                      group: str | None = None) -> str:
    """Which class a ``--kit`` means: the given class, the student's, the group's, or the only class
    with a kit of that id."""
    if class_id:
        return class_id
    if student:
        info = store.student(student)
        if info is None:
            raise UsageError(en=f"There is no student {student!r} in the portfolio.", zh=f"作品集里没有学生 {student!r}。",
                             hint_en="List a class with: makerkit class show --db URL --class ID",
                             hint_zh="查看班级名单：makerkit class show --db 数据库 --class 班级")
        return info["class"]
    candidates = sorted({c["id"] for c in store.classes() if any(g["id"] == group for g in store.groups(c["id"]))}
                        if group else {k["class"] for k in store.kits(kit=kit)})
    if len(candidates) == 1:
        return candidates[0]
    what = f"group {group}" if group else f"kit {kit}"
    if not candidates:
        raise UsageError(en=f"There is no {what} in the portfolio.", zh=f"作品集里没有{'小组 ' + group if group else '套件 ' + kit}。",
                         hint_en="Check the id, or add --class ID.", hint_zh="请检查编号，或者加上 --class 班级。")
    raise UsageError(en=f"The {what} is in several classes ({', '.join(candidates)}).",
                     zh=f"{'小组 ' + group if group else '套件 ' + kit} 在多个班级里都有（{', '.join(candidates)}）。",
                     hint_en="Add --class ID to say which.", hint_zh="请加上 --class 班级 来指明是哪一个。")
