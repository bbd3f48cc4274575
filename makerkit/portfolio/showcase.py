"""The class showcase page (展示交流): the projects the teacher selected, with their stages and photos,
owners shown by pseudonymous id or group name (display names only when asked for)."""

from __future__ import annotations

from html import escape

from ..store import Store, now_iso
from .credits import STAGE_ORDER
from .html_common import document, photos
from .labels import word


def render_showcase(store: Store, class_id: str, *, lang: str = "zh", names: bool = False) -> str:
    store._need_class(class_id)
    groups = {g["id"]: g["name"] for g in store.groups(class_id)}
    shown = store.display_names(class_id) if names else {}
    cards = []
    for p in store.projects(class_id=class_id, showcase=True):
        entries = store.entries(p["id"])
        owner = groups.get(p["group_id"], p["group_id"]) if p["group_id"] else shown.get(p["student_id"], p["student_id"])
        stages = []
        for stage in STAGE_ORDER:
            items = [e for e in entries if e["stage"] == stage]
            if not items:
                continue
            latest = items[-1]
            for f in latest["files"]:
                got = store.attachment(f["sha256"])
                f["data"] = got[0] if got else b""
            stages.append(f'<div class="stage" data-stage="{stage}"><h3>{word(stage, lang)}</h3>'
                          f'{escape(latest["body"])}{photos(latest["files"])}</div>')
        cards.append(f'<div class="card project" id="project-{escape(p["id"])}"><h2>{escape(p["title"])}</h2>'
                     f'<div class="meta"><span>{escape(owner or "")}</span><span>{word("topic", lang)}: '
                     f'{escape(p["topic"] or "-")}</span><span>{escape(p["started_on"])} – '
                     f'{escape(p["ended_on"] or word("in_progress", lang))}</span></div>{"".join(stages)}</div>')
    body = (f'<header><h1>{word("showcase", lang)} · {escape(class_id)}</h1><div class="meta">'
            f'<span>{word("generated", lang)}: {now_iso()[:16].replace("T", " ")} UTC</span></div></header>'
            + ("".join(cards) or f'<p>{word("showcase_none", lang)}</p>'))
    return document(f'{word("showcase", lang)} · {class_id}', body, lang)
