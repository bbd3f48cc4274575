"""The dashboard's pages as HTML text: one shell (header, language switch, the texts for the script),
and the class view, the kit page, the teacher's page and the login page inside it. Charts of stored
readings are inline SVG made in Python (:mod:`makerkit.portfolio.svg`); live tiles are drawn by
``static/dashboard.js``. Nothing is loaded from the network."""

from __future__ import annotations

import functools
import json
from datetime import datetime, timezone
from html import escape
from urllib.parse import quote

from ..catalog.lessons import load_lessons
from ..errors import CatalogError
from ..portfolio.svg import line_chart
from .texts import table, text


def _json_for_script(doc) -> str:
    return json.dumps(doc, ensure_ascii=False).replace("</", "<\\/")


def _nav(lang: str, session, page: str) -> str:
    links = [f'<a href="/" class="{"here" if page == "class" else ""}">{text("class_view", lang)}</a>']
    if session is not None and session.is_teacher:
        links.append(f'<a href="/teacher" class="{"here" if page == "teacher" else ""}">{text("teacher", lang)}</a>')
    if session is None:
        links.append(f'<a href="/login?next={quote("/teacher")}" id="login-link">{text("login", lang)}</a>')
    else:
        links.append(f'<form method="post" action="/logout" class="inline"><input type="hidden" name="csrf" '
                     f'value="{escape(session.csrf)}"><button type="submit" id="logout">{text("logout", lang)} '
                     f'{escape(session.username)}</button></form>')
    switch = (f'<span class="langs"><a href="?lang=zh" data-lang-switch="zh" class="{"here" if lang == "zh" else ""}">'
              f'中文</a> | <a href="?lang=en" data-lang-switch="en" class="{"here" if lang == "en" else ""}">English</a></span>')
    return f'<nav>{" ".join(links)} {switch}</nav>'


@functools.lru_cache(maxsize=2)
def lesson_titles(lang: str) -> dict[str, str]:
    """Lesson id -> its title in ``lang``, from the catalogue that ships with makerkit (read once)."""
    try:
        return {lesson.id: lesson.title.pick(lang) for lesson in load_lessons()}
    except (CatalogError, OSError):         # a broken lesson folder: the pages show ids instead
        return {}


def lesson_name(lang: str, lesson_id: str) -> str:
    """``Traffic light · 04-traffic-light`` (the id alone for a lesson the catalogue does not know)."""
    title = lesson_titles(lang).get(lesson_id)
    return (f'{escape(title)} <span class="lesson-id">{escape(lesson_id)}</span>' if title
            else escape(lesson_id))


def shell(lang: str, title: str, body: str, *, session=None, page: str = "", extra: dict | None = None) -> str:
    """The page around ``body``: header, navigation, language switch, texts and script."""
    data = {"lang": lang, "page": page, "texts": table(lang), "csrf": session.csrf if session else ""}
    if page == "class":
        data["lessons"] = lesson_titles(lang)
    data.update(extra or {})
    return (f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · {text("title", lang)}</title>'
            f'<link rel="stylesheet" href="/static/dashboard.css"></head>'
            f'<body data-page="{escape(page)}" data-lang="{lang}"><header><h1>{escape(title)}</h1>'
            f'{_nav(lang, session, page)}</header><main>{body}</main>'
            f'<script id="dashboard-data" type="application/json">{_json_for_script(data)}</script>'
            f'<script src="/static/dashboard.js"></script></body></html>')


def class_page(lang: str, session, classes: tuple[str, ...]) -> str:
    heading = text("class_view", lang) + (f" · {', '.join(classes)}" if classes else "")
    body = (f'<div id="server-note" class="note" hidden></div>'
            f'<p id="empty" class="empty">{text("no_kits", lang)}</p><section id="tiles" class="tiles"></section>')
    return shell(lang, heading, body, session=session, page="class")


def login_page(lang: str, *, next_url: str = "/", message: str = "", status_note: str = "") -> str:
    note = f'<p class="error" id="login-error">{escape(message)}</p>' if message else ""
    if status_note:
        note += f'<p class="note">{escape(status_note)}</p>'
    body = (f'<form method="post" action="/login" class="login" id="login-form">{note}'
            f'<p>{text("login_intro", lang)}</p><input type="hidden" name="next" value="{escape(next_url)}">'
            f'<label>{text("username", lang)} <input name="username" id="username" autocomplete="username" '
            f'required></label><label>{text("password", lang)} <input name="password" id="password" type="password" '
            f'autocomplete="current-password" required></label>'
            f'<button type="submit" id="login-submit">{text("login", lang)}</button></form>')
    return shell(lang, text("login", lang), body, page="login")


def _when(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return escape(iso)


def _said(lang: str, key: str, value) -> str:
    """``value`` in the page's language when the texts know ``key_value``, else as it is."""
    from .texts import TEXTS
    return text(f"{key}_{value}", lang) if f"{key}_{value}" in TEXTS else escape(str(value))


def _finding_text(finding, lang: str) -> str:
    if not isinstance(finding, dict):
        return escape(str(finding))
    zh = lang == "zh"
    msg = finding.get("zh" if zh else "en") or finding.get("en") or finding.get("message") or ""
    fix = finding.get("fix_zh" if zh else "fix_en") or ""
    status = str(finding.get("status", ""))
    return (f'<span class="finding-{escape(status)}">{_said(lang, "finding", status)}</span> {escape(str(msg))}'
            + (f' <span class="fix">{text("fix", lang)}{text("colon", lang)}{escape(str(fix))}</span>' if fix else ""))


def _runs_table(lang: str, runs: list[dict], *, who: bool = True) -> str:
    if not runs:
        return f'<p class="empty">{text("no_runs", lang)}</p>'
    rows = "".join(
        f'<tr data-run="{r["id"]}" data-lesson="{escape(r["lesson_id"])}" data-outcome="{escape(r["outcome"])}">'
        f'<td>{_when(r["ran_at"])}</td>'
        f'<td>{lesson_name(lang, r["lesson_id"])}</td><td>{_said(lang, "mode", r["mode"])}</td>'
        f'<td class="outcome-{escape(r["outcome"])}">{_said(lang, "outcome", r["outcome"])}</td>'
        + (f'<td>{escape(r.get("student") or r.get("student_id") or r.get("group") or r.get("group_id") or "")}</td>'
           if who else f'<td>{escape(r.get("kit_id") or "")}</td>') +
        f'<td>{"<br>".join(_finding_text(f, lang) for f in r["findings"][:8])}</td></tr>' for r in runs)
    cols = ("when", "lesson", "mode", "outcome", "student" if who else "kit", "findings")
    head = "".join(f"<th>{text(k, lang)}</th>" for k in cols)
    return f'<table class="runs"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _robot_caption(lang: str, p: dict) -> str:
    head = (f'{lesson_name(lang, p["lesson_id"])} · {_said(lang, "mode", p["mode"])} · '
            f'<span class="outcome-{escape(p["outcome"])}">{_said(lang, "outcome", p["outcome"])}</span> · '
            f'{_when(p["ran_at"])}')
    rec = p.get("record")
    if not rec:
        return f"<figcaption>{head}</figcaption>"
    zh = lang == "zh"
    arena = rec["arena_zh"] if zh and rec["arena_zh"] else rec["arena_en"]
    facts = (f'<br>{text("robot_arena", lang)}{text("colon", lang)}{escape(arena)} · {text("robot_seconds", lang)}{text("colon", lang)}{rec["seconds"]:.1f} s'
             f' · {text("robot_contacts", lang)}{text("colon", lang)}<span data-contacts>{rec["contacts"]}</span>'
             f' · <a href="/record/{rec["sha256"]}" download>{text("robot_record", lang)}</a>')
    marks = "".join(f'<li class="mark-{escape(m["status"])}">{escape(m["zh"] if zh and m["zh"] else m["en"])}</li>'
                    for m in rec["marks"])
    listed = f'<p>{text("robot_marks", lang)}:</p><ol class="marks">{marks}</ol>' if marks else ""
    return f"<figcaption>{head}{facts}{listed}</figcaption>"


def _pictures(lang: str, pictures: list[dict]) -> str:
    if not pictures:
        return ""
    figures = "".join(f'<figure data-picture="{p["sha256"]}"><a href="/attachment/{p["sha256"]}">'
                      f'<img src="/attachment/{p["sha256"]}" alt="{escape(p["lesson_id"])}"></a>'
                      f'{_robot_caption(lang, p)}</figure>' for p in pictures)
    return f'<h2>{text("robot_runs", lang)}</h2><div class="pictures">{figures}</div>'


def _charts(lang: str, data: dict, label: str) -> str:
    spans = " | ".join(f'<a href="?span={s}" class="{"here" if data["span"] == s else ""}" data-span="{s}">'
                       f'{text("span_" + s, lang)}</a>' for s in ("lesson", "term"))
    charts = "".join(f'<figure class="chart-box" data-chart="{escape(name)}">'
                     f'{line_chart(points, title=name, unit=data["units"].get(name, ""), label=f"{label} {name}")}'
                     f'</figure>' for name, points in sorted(data["series"].items()))
    return (f'<h2>{text("history", lang)}</h2><p class="spans">{spans}</p>'
            f'<div class="charts">{charts or "<p class=empty>" + text("no_readings", lang) + "</p>"}</div>')


def kit_page(lang: str, session, data: dict) -> str:
    key = f'{data["class"]}/{data["kit"]}'
    holder = escape(data["holder"] or text("nobody", lang))
    if data.get("holder_kind") == "student":
        holder = f'<a href="/student/{escape(data["class"])}/{escape(data["holder_id"])}">{holder}</a>'
    body = (f'<p><a href="/">← {text("back", lang)}</a></p>'
            f'<p class="holder">{text("holder", lang)}{text("colon", lang)}<b>{holder}</b></p>'
            f'{_charts(lang, data, key)}'
            f'<h2>{text("lesson_results", lang)}</h2>{_runs_table(lang, data["runs"])}'
            f'{_pictures(lang, data["pictures"])}')
    return shell(lang, f'{text("kit", lang)} {key}', body, session=session, page="kit")


def student_page(lang: str, session, data: dict) -> str:
    kits = ", ".join(f'<a href="/kit/{escape(data["class"])}/{escape(k)}" data-held-kit="{escape(k)}">{escape(k)}</a>'
                     for k in data["kits"])
    group = f' · {text("group_page", lang)} {data["group"]}' if data["group"] else ""
    body = (f'<p><a href="/">← {text("back", lang)}</a></p>'
            f'<p class="holds">{text("holds_kits", lang)}{text("colon", lang)}{kits or text("no_kit", lang)}</p>'
            f'{_charts(lang, data, data["student"])}'
            f'<h2>{text("lesson_results", lang)}</h2>{_runs_table(lang, data["runs"], who=False)}'
            f'{_pictures(lang, data["pictures"])}')
    title = f'{text("student_page", lang)} {data["shown"]}{group}'
    return shell(lang, title, body, session=session, page="student")


def _gap_rows(lang: str, gaps: list[dict]) -> str:
    if not gaps:
        return f'<p class="empty" id="no-gaps">{text("no_gaps", lang)}</p>'
    rows = "".join(f'<tr data-gap-kit="{escape(g["kit"])}"><td>{escape(g["kit"])}</td><td>{g["first"]}–{g["last"]}</td>'
                   f'<td>{g["requests"]}</td><td>{_when(g["detected_at"])}</td><td>{escape(g["note"] or "")}</td></tr>'
                   for g in gaps)
    head = "".join(f"<th>{text(k, lang)}</th>" for k in ("kit", "seqs", "requests", "when", "detail"))
    return f'<table id="gaps"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def _quarantine_rows(lang: str, items: list[dict]) -> str:
    if not items:
        return f'<p class="empty" id="no-quarantine">{text("no_quarantine", lang)}</p>'
    rows = "".join(f'<tr data-reason="{escape(q["reason"])}"><td>{_when(q["received_at"])}</td><td>{escape(q["topic"])}</td>'
                   f'<td>{_said(lang, "reason", q["reason"])}</td>'
                   f'<td><code>{escape(str(q["detail"] or "")[:200])}</code></td></tr>' for q in items)
    head = "".join(f"<th>{text(k, lang)}</th>" for k in ("when", "topic", "reason", "detail"))
    return f'<table id="quarantine"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


def teacher_page(lang: str, session, overview: dict, names_on: bool) -> str:
    names_key = "names_off" if names_on else "names_on"
    body = (f'<section class="controls"><h2>{escape(session.class_id)}</h2>'
            f'<button id="stop-all" class="danger big" data-cmd="stop">{text("stop_all", lang)}</button>'
            f'<form id="say-form" class="say"><input id="say-text" maxlength="200" required '
            f'placeholder="{text("say_placeholder", lang)}"><button type="submit" id="say-send">{text("say", lang)}'
            f'</button></form><p id="control-state" class="note" aria-live="polite"></p>'
            f'<h3>{text("answers", lang)}</h3><table id="answers" hidden><thead><tr>'
            + "".join(f"<th>{text(k, lang)}</th>" for k in ("kit", "result", "done", "detail", "time")) +
            f'</tr></thead><tbody></tbody></table>'
            f'<p><button id="names-toggle" data-on="{"1" if names_on else "0"}">{text(names_key, lang)}</button> '
            f'<span id="names-state">{text("names_state_on" if names_on else "names_state_off", lang)}</span></p>'
            f'</section><h2>{text("gaps", lang)}</h2>{_gap_rows(lang, overview["gaps"])}'
            f'<h2>{text("quarantine", lang)}</h2>{_quarantine_rows(lang, overview["quarantine"])}')
    return shell(lang, text("teacher", lang), body, session=session, page="teacher")
