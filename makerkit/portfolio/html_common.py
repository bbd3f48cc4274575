"""What every exported page shares: one self-contained HTML document (inline CSS, inline SVG, photos
as data URIs; no script, no network), printable on A4."""

from __future__ import annotations

import base64
from html import escape

CSS = """
:root { --ink: #1d2733; --soft: #5b6b7c; --line: #d5dde6; --accent: #0b6bcb; --ok: #1a7f37; --bad: #b42318; }
* { box-sizing: border-box; }
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", "Helvetica Neue", Arial, sans-serif;
       color: var(--ink); margin: 0 auto; max-width: 960px; padding: 24px; line-height: 1.5; }
header { border-bottom: 3px solid var(--accent); margin-bottom: 16px; }
h1 { font-size: 26px; margin: 0 0 4px; } h2 { font-size: 20px; border-bottom: 1px solid var(--line); margin-top: 28px; }
h3 { font-size: 16px; margin: 16px 0 6px; }
.meta { color: var(--soft); font-size: 14px; } .meta span { margin-right: 18px; }
.banner { background: #fff6d6; border: 1px solid #e8cf7a; padding: 8px 12px; margin: 12px 0; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th, td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #f2f5f8; }
.passed { color: var(--ok); font-weight: bold; } .failed, .crashed { color: var(--bad); font-weight: bold; }
.chart, .bars { width: 100%; max-width: 640px; height: auto; display: block; margin: 8px 0; }
.chart-title { font-size: 13px; font-weight: bold; fill: var(--ink); }
.chart-axis { font-size: 11px; fill: var(--soft); }
.chart-frame { fill: #fbfcfd; stroke: var(--line); }
.chart-line { fill: none; stroke: var(--accent); stroke-width: 1.6; }
.bar-back { fill: #eef2f6; } .bar { fill: var(--accent); }
.stage { border-left: 4px solid var(--accent); padding: 2px 10px; margin: 8px 0; }
.stage.missing { border-left-color: var(--line); color: var(--soft); }
.entry { margin: 6px 0; } .entry time { color: var(--soft); font-size: 13px; margin-right: 8px; }
.photos img { max-width: 300px; max-height: 220px; margin: 4px 8px 4px 0; border: 1px solid var(--line); }
pre { background: #f6f8fa; padding: 8px; overflow-x: auto; font-size: 12px; white-space: pre-wrap; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 12px 16px; margin: 12px 0; break-inside: avoid; }
footer { color: var(--soft); font-size: 12px; margin-top: 32px; border-top: 1px solid var(--line); padding-top: 8px; }
@page { size: A4; margin: 14mm; }
@media print { body { max-width: none; padding: 0; } section, .card, svg, table { break-inside: avoid; }
  details > summary { display: none; } details > * { display: block; } a { color: inherit; text-decoration: none; } }
"""


def document(title: str, body: str, lang: str) -> str:
    html_lang = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<meta name="generator" content="makerkit"><title>{escape(title)}</title>'
            f'<style>{CSS}</style></head><body>{body}</body></html>\n')


def data_uri(data: bytes, media_type: str) -> str:
    return f"data:{media_type};base64," + base64.b64encode(data).decode("ascii")


def photos(files: list[dict]) -> str:
    imgs = [f'<img src="{data_uri(f["data"], f["media_type"])}" alt="{escape(f["filename"])}">'
            for f in files if f["media_type"].startswith("image/") and f.get("data")]
    return f'<div class="photos">{"".join(imgs)}</div>' if imgs else ""


def other_files(files: list[dict], lang: str) -> str:
    """Files that are not pictures: text shown in full (short) or named with their size and hash."""
    items = []
    for f in files:
        if f["media_type"].startswith("image/"):
            continue
        data = f.get("data") or b""
        text = None
        if f["media_type"].startswith("text/") or f["filename"].endswith((".py", ".txt", ".md", ".csv")):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
        head = f'{escape(f["filename"])} · {len(data):,} B · sha256 {f["sha256"][:12]}'
        items.append(f"<details><summary>{head}</summary><pre>{escape(text[:20000])}</pre></details>"
                     if text is not None else f"<div>{head}</div>")
    return "".join(items)
