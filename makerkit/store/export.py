"""Export a portfolio as CSV or JSON (one row per reading), and list the quarantine."""

from __future__ import annotations

import base64
import csv
import json
from typing import TextIO

from ..errors import UsageError
from .base import Store

EXPORT_COLUMNS = ["class", "kit", "seq", "time", "name", "value", "unit", "student", "group"]
QUARANTINE_COLUMNS = ["id", "received_at", "topic", "reason", "detail", "size", "sha256", "payload"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """A CSV cell a spreadsheet shows as text: text starting with = + - @ tab or CR would run as a
    formula (``=HYPERLINK(...)`` from any MQTT client), so it gets a leading apostrophe. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


def _check(fmt: str) -> None:
    if fmt not in ("csv", "json"):
        raise UsageError(en=f"Unknown format {fmt!r}: use csv or json.", zh=f"未知格式 {fmt!r}：请用 csv 或 json。")


def write_export(store: Store, out: TextIO, *, kit: str | None = None, class_id: str | None = None,
                 fmt: str = "csv", names: bool = False) -> int:
    """Write ``class,kit,seq,time,name,value,unit,student,group`` rows (time: the device's trusted
    time, else the receive time; ``student``/``group``: the pseudonymous id of who held the kit then,
    empty when nobody did). ``names`` adds ``student_name`` (display names only when asked for).
    CSV cells that a spreadsheet would run as a formula are escaped. Returns the number of rows.
    """
    _check(fmt)
    n = 0
    if fmt == "csv":
        columns = EXPORT_COLUMNS + (["student_name"] if names else [])
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in store.export(kit=kit, class_id=class_id, names=names):
            writer.writerow([safe_cell(row[c]) for c in columns])
            n += 1
        return n
    out.write("[")
    for row in store.export(kit=kit, class_id=class_id, names=names):
        out.write(("," if n else "") + "\n" + json.dumps(row, ensure_ascii=False))
        n += 1
    out.write("\n]\n")
    return n


def _payload_text(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(data).decode("ascii"), True


def write_quarantine(store: Store, out: TextIO, *, fmt: str = "csv", limit: int | None = None) -> int:
    """List refused messages with their reason, length and SHA-256 (the payload column holds the first
    4 KiB). Payloads that are not UTF-8 are shown in base64 (CSV: prefixed ``base64:``; JSON:
    ``payload_base64``)."""
    _check(fmt)
    rows = store.quarantined(limit=limit)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(QUARANTINE_COLUMNS)
        for q in rows:
            text, is_b64 = _payload_text(q["payload"])
            writer.writerow([safe_cell(v) for v in (q["id"], q["received_at"], q["topic"], q["reason"], q["detail"],
                                                     q["size"], q["sha256"], ("base64:" + text) if is_b64 else text)])
        return len(rows)
    items = []
    for q in rows:
        text, is_b64 = _payload_text(q["payload"])
        item = {k: q[k] for k in ("id", "received_at", "topic", "reason", "detail", "size", "sha256")}
        item["payload_base64" if is_b64 else "payload"] = text
        items.append(item)
    out.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
    return len(rows)
