"""Projects of a student or a group, through the design cycle: research (调研分析), plan (制订方案),
make (动手制造) and reflect (评估反思). Entries are dated and carry attachments (photos, files, code,
robot run pictures) stored once by content hash; links point at the telemetry and lesson runs the
project used; the teacher selects projects for the class showcase."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from ..errors import UsageError
from ..store import Store, now_iso

MAX_ATTACHMENT = 20 << 20        # bytes: one photo or file (a phone photo is 3-8 MB)


def _class_of(store: Store, student: str | None, group: str | None, class_id: str | None) -> str:
    if student:
        info = store.student(student)
        if info is None:
            raise UsageError(en=f"There is no student {student!r} in the portfolio.", zh=f"作品集里没有学生 {student!r}。")
        return info["class"]
    if class_id:
        return class_id
    found = [c["id"] for c in store.classes() if any(g["id"] == group for g in store.groups(c["id"]))]
    if len(found) != 1:
        raise UsageError(en=f"Say which class group {group!r} is in: --class ID.",
                         zh=f"请用 --class 指明小组 {group!r} 所在的班级。")
    return found[0]


def create_project(store: Store, *, title: str, student: str | None = None, group: str | None = None,
                   class_id: str | None = None, topic: str = "", start: str | None = None, end: str | None = None,
                   credits: float = 0.0, actor: str = "teacher") -> str:
    """A new project of one student or one group; returns its id (``p-...``)."""
    if not title.strip():
        raise UsageError(en="A project needs a title.", zh="项目需要一个标题。")
    if credits < 0:
        raise UsageError(en="Credits cannot be negative.", zh="学分不能是负数。")
    cls = _class_of(store, student, group, class_id)
    return store.add_project(class_id=cls, student=student, group=group, title=title, topic=topic,
                             started_on=start or now_iso()[:10], ended_on=end, credits=credits, actor=actor)


def _read_file(path: str | Path) -> tuple[str, str, bytes]:
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise UsageError(en=f"Cannot read {p} ({exc.strerror}).", zh=f"无法读取 {p}（{exc.strerror}）。") from None
    if len(data) > MAX_ATTACHMENT:
        raise UsageError(en=f"{p} is larger than {MAX_ATTACHMENT >> 20} MB.",
                         zh=f"{p} 超过了 {MAX_ATTACHMENT >> 20} MB。",
                         hint_en="Make the photo smaller (for example 1600 pixels wide) and attach it again.",
                         hint_zh="请把照片缩小一些（例如宽 1600 像素）再添加。")
    media = mimetypes.guess_type(p.name)[0] or "application/octet-stream"
    return p.name, media, data


def add_stage_entry(store: Store, *, project: str, stage: str, text: str, author: str | None = None,
                    attach: list[str | Path] = (), at: str | None = None, actor: str = "teacher") -> int:
    """A dated entry of one design-cycle stage, written by ``author`` (a student of the project; None:
    the teacher), with files attached; returns the entry id."""
    info = store.need_project(project)
    if author is not None:
        who = store.student(author)
        owner_ok = who is not None and (author == info["student_id"] or
                                        (info["group_id"] and who["group"] == info["group_id"]
                                         and who["class"] == info["class_id"]))
        if not owner_ok:
            raise UsageError(en=f"{author} is not a member of project {project}.",
                             zh=f"{author} 不是项目 {project} 的成员。")
    files = [_read_file(p) for p in attach]
    return store.add_entry(project, stage=stage, body=text, author=author, files=files, actor=actor, written_at=at)


def link_telemetry(store: Store, *, project: str, kit: str, since: str, until: str, note: str = "",
                   actor: str = "teacher") -> int:
    """Point the project at the readings of ``kit`` (in the project's class) from ``since`` to ``until``."""
    info = store.need_project(project)
    if not store.kits(info["class_id"], kit):
        raise UsageError(en=f"There is no kit {kit!r} in class {info['class_id']}.",
                         zh=f"班级 {info['class_id']} 里没有套件 {kit!r}。")
    if until <= since:
        raise UsageError(en="The end of the range must come after its start.", zh="时间范围的结束必须晚于开始。")
    return store.add_link(project, kind="telemetry", kit=kit, since=since, until=until, note=note, actor=actor)


def link_lesson_run(store: Store, *, project: str, run: int, note: str = "", actor: str = "teacher") -> int:
    return store.add_link(project, kind="lesson_run", lesson_run=run, note=note, actor=actor)


def set_showcase(store: Store, *, project: str, selected: bool = True, actor: str = "teacher") -> None:
    """Select (or take back) a project for the class showcase page (展示交流)."""
    store.update_project(project, showcase=selected, actor=actor)


def finish_project(store: Store, *, project: str, end: str | None = None, actor: str = "teacher") -> None:
    store.update_project(project, ended_on=end or now_iso()[:10], actor=actor)
