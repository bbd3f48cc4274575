"""One student's portfolio as a self-contained HTML page: for the student, or as a read-only copy for
parents (no other student's id: peers and teammates are not named)."""

from __future__ import annotations

from html import escape

from .credits import STAGE_ORDER
from .html_common import document, other_files, photos
from .labels import dim_word, word
from .rubric import DIMENSIONS, SIDES
from .svg import bar_chart, line_chart
from .terms import term_label


def _header(data: dict, lang: str, parent: bool) -> str:
    s = data["student"]
    who = escape(s.get("name") or s["id"]) + (f' <span class="meta">({escape(s["id"])})</span>' if s.get("name") else "")
    term = term_label(data["term"], lang) if data["term"] else word("all_terms", lang)
    group = f'<span>{word("group", lang)}: {escape(s["group_name"] or s["group"])}</span>' if s["group"] else ""
    banner = (f'<div class="banner" id="parent-copy"><b>{word("parent_copy", lang)}</b> · '
              f'{word("parent_note", lang)}</div>') if parent else ""
    return (f'<header><h1>{word("portfolio", lang)} · {who}</h1><div class="meta">'
            f'<span>{word("class", lang)}: {escape(s["class"])}</span>{group}'
            f'<span>{word("term", lang)}: {escape(term)}</span>'
            f'<span>{word("generated", lang)}: {escape(data["generated_at"][:16].replace("T", " "))} UTC</span>'
            f'</div>{banner}</header>')


def _credits(data: dict, lang: str) -> str:
    rows = "".join(f'<tr><td>{escape(term_label(t, lang))}</td><td>{c["lessons"]:g}</td><td>{c["projects"]:g}</td>'
                   f'<td><b>{c["total"]:g}</b></td></tr>' for t, c in data["credits"].items())
    total = sum(c["total"] for c in data["credits"].values())
    return (f'<section id="credits"><h2>{word("credits", lang)}: {total:g}</h2><table><tr><th>{word("term", lang)}</th>'
            f'<th>{word("lessons_credits", lang)}</th><th>{word("projects_credits", lang)}</th>'
            f'<th>{word("total", lang)}</th></tr>{rows}</table></section>')


def _charts(data: dict, lang: str) -> str:
    charts = "".join(line_chart(s["points"], title=f'{s["name"]} · {s["kit"]}', unit=s["unit"],
                                label=f'{s["name"]} {s["kit"]} {s["count"]}') for s in data["charts"])
    body = charts or f'<p>{word("no_readings", lang)}</p>'
    events = ""
    if data["events"]:
        rows = "".join(f'<tr><td>{escape(e["time"][:19].replace("T", " "))}</td><td>{escape(e["kit"])}</td>'
                       f'<td>{escape(e["event"])}</td><td>{escape(", ".join(f"{k}={v}" for k, v in e["data"].items()))}'
                       f'</td></tr>' for e in data["events"])
        events = f'<h3>{word("events", lang)}</h3><table>{rows}</table>'
    return (f'<section id="charts"><h2>{word("charts", lang)} <span class="meta">{data["readings"]:,} '
            f'{word("readings", lang)}</span></h2>{body}{events}</section>')


def _lessons(data: dict, lang: str) -> str:
    if not data["lessons"]:
        return f'<section id="lessons"><h2>{word("lessons", lang)}</h2><p>{word("no_lessons", lang)}</p></section>'
    rows = []
    key = "zh" if lang == "zh" else "en"
    for r in data["lessons"]:
        found = "".join(f'<li class="{escape(f["status"])}">{escape(f[key])}</li>' for f in r["findings"])
        rows.append(f'<tr class="lesson-run"><td>{escape(r["lesson_id"])}</td>'
                    f'<td>{escape(r["ran_at"][:16].replace("T", " "))}</td><td>{escape(r["kit_id"] or "-")}'
                    f'{" (sim)" if r["sim"] else ""}</td><td class="{escape(r["outcome"])}">{word(r["outcome"], lang)}'
                    f'</td><td><ul>{found}</ul></td></tr>')
    return (f'<section id="lessons"><h2>{word("lessons", lang)}</h2><table><tr><th>{word("lesson", lang)}</th>'
            f'<th>{word("when", lang)}</th><th>{word("kit", lang)}</th><th>{word("outcome", lang)}</th>'
            f'<th>{word("findings", lang)}</th></tr>{"".join(rows)}</table></section>')


def _project(p: dict, lang: str, parent: bool) -> str:
    stages = []
    for stage in STAGE_ORDER:
        items = [e for e in p["entries"] if e["stage"] == stage]
        if not items:
            stages.append(f'<div class="stage missing" data-stage="{stage}"><h3>{word(stage, lang)}</h3>'
                          f'{word("stage_missing", lang)}</div>')
            continue
        body = "".join(f'<div class="entry"><time>{escape(e["written_at"][:16].replace("T", " "))}</time>'
                       f'{escape(e["body"])}{photos(e["files"])}{other_files(e["files"], lang)}</div>' for e in items)
        stages.append(f'<div class="stage" data-stage="{stage}"><h3>{word(stage, lang)}</h3>{body}</div>')
    dates = f'{p["started_on"]} – {p["ended_on"] or word("in_progress", lang)}'
    team = "" if parent or not p["members"] else f' · {word("members", lang)}: {escape(", ".join(p["members"]))}'
    links = "".join(f'<li>{word("link_" + link["kind"], lang)}: ' +
                    (escape(f'{link["kit_id"]} {link["since"][:16]} – {link["until"][:16]}'.replace("T", " "))
                     if link["kind"] == "telemetry" else f'#{link["lesson_run_id"]}') +
                    (f' · {escape(link["note"])}' if link["note"] else "") + "</li>" for link in p["links"])
    links = f'<h3>{word("links", lang)}</h3><ul>{links}</ul>' if links else ""
    return (f'<div class="card project" id="project-{escape(p["id"])}"><h3>{escape(p["title"])}</h3>'
            f'<div class="meta"><span>{word("topic", lang)}: {escape(p["topic"] or "-")}</span>'
            f'<span>{word("dates", lang)}: {escape(dates)}</span><span>{word("credits", lang)}: {p["credits"]:g}</span>'
            f'{team}</div>{"".join(stages)}{links}</div>')


def _projects(data: dict, lang: str, parent: bool) -> str:
    body = "".join(_project(p, lang, parent) for p in data["projects"]) or f'<p>{word("no_projects", lang)}</p>'
    return f'<section id="projects"><h2>{word("projects", lang)}</h2>{body}</section>'


def _level_text(rub, evaluation: dict, lang: str) -> str:
    """The rubric's words for a level ("" for a level an older, longer rubric had)."""
    levels = rub.dimension(evaluation["dimension"]).levels
    return levels[evaluation["level"] - 1].pick(lang) if evaluation["level"] <= len(levels) else ""


def _evaluations(data: dict, lang: str) -> str:
    rub, summary = data["rubric"], data["summary"]
    bars, rows = [], []
    for dim in DIMENSIONS:
        s = summary[dim]
        values = [(word(side, lang), s[side]["mean"] if s[side] else None) for side in SIDES]
        values.append((word("combined", lang), s["combined"]))
        bars.append(bar_chart(values, top=s["top"], title=dim_word(dim, lang)))
        cells = "".join(f'<td>{s[side]["mean"]:.1f} ({s[side]["n"]})</td>' if s[side] else "<td>-</td>" for side in SIDES)
        rows.append(f'<tr data-dimension="{dim}"><td>{dim_word(dim, lang)}</td>{cells}<td><b>'
                    f'{"-" if s["combined"] is None else format(s["combined"], ".1f")}</b> / {s["top"]}</td></tr>')
    head = "".join(f"<th>{word(side, lang)}</th>" for side in SIDES)
    detail = "".join(
        f'<tr><td>{escape(e["created_at"][:10])}</td><td>{dim_word(e["dimension"], lang)}</td><td>{word(e["by_kind"], lang)}'
        f'</td><td>{e["level"]} · {escape(_level_text(rub, e, lang))}</td><td>{escape(e["comment"])}</td></tr>'
        for e in data["evaluations"])
    detail = (f'<h3>{word("evaluation", lang)}</h3><table><tr><th>{word("when", lang)}</th><th>{word("dimension", lang)}'
              f'</th><th>{word("by", lang)}</th><th>{word("level", lang)}</th><th>{word("comment", lang)}</th></tr>'
              f'{detail}</table>') if data["evaluations"] else f'<p>{word("no_evaluations", lang)}</p>'
    return (f'<section id="evaluation-summary"><h2>{word("summary", lang)}</h2><p class="meta">'
            f'{escape(rub.title.pick(lang))}</p><table><tr><th>{word("dimension", lang)}</th>{head}'
            f'<th>{word("combined", lang)}</th></tr>{"".join(rows)}</table>{"".join(bars)}{detail}</section>')


def render_student_page(data: dict, *, lang: str = "zh", parent: bool = False) -> str:
    """The page for ``data`` from :func:`makerkit.portfolio.gather.gather`."""
    body = (_header(data, lang, parent) + _credits(data, lang) + _charts(data, lang) + _lessons(data, lang) +
            _projects(data, lang, parent) + _evaluations(data, lang) +
            f'<footer>makerkit · {escape(data["student"]["id"])} · {escape(data["generated_at"])}</footer>')
    title = f'{word("portfolio", lang)} · {data["student"].get("name") or data["student"]["id"]}'
    return document(title, body, lang)
