"""Export a portfolio as CSV or JSON (one row per reading), and list the quarantine."""

from __future__ import annotations

import base64
import csv
import json
from typing import TextIO

from ..errors import UsageError
from .base import Store

EXPORT_COLUMNS = ["class", "kit", "seq", "time", "name", "value", "unit"]
QUARANTINE_COLUMNS = ["id", "received_at", "topic", "reason", "detail", "payload"]


def _check(fmt: str) -> None:
    if fmt not in ("csv", "json"):
        raise UsageError(en=f"Unknown format {fmt!r}: use csv or json.", zh=f"未知格式 {fmt!r}：请用 csv 或 json。")


def write_export(store: Store, out: TextIO, *, kit: str | None = None, class_id: str | None = None,
                 fmt: str = "csv") -> int:
    """Write ``class,kit,seq,time,name,value,unit`` rows (time: the device's, else the receive time).

    JSON rows carry the same keys plus ``student`` (who held the kit then; null when unassigned).
    Returns the number of rows written.
    """
    _check(fmt)
    n = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(EXPORT_COLUMNS)
        for row in store.export(kit=kit, class_id=class_id):
            writer.writerow([row[c] for c in EXPORT_COLUMNS])
            n += 1
        return n
    out.write("[")
    for row in store.export(kit=kit, class_id=class_id):
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
    """List refused messages with their reason. Payloads that are not UTF-8 are shown in base64
    (CSV: prefixed ``base64:``; JSON: ``payload_base64``)."""
    _check(fmt)
    rows = store.quarantined(limit=limit)
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(QUARANTINE_COLUMNS)
        for q in rows:
            text, is_b64 = _payload_text(q["payload"])
            writer.writerow([q["id"], q["received_at"], q["topic"], q["reason"], q["detail"],
                             ("base64:" + text) if is_b64 else text])
        return len(rows)
    items = []
    for q in rows:
        text, is_b64 = _payload_text(q["payload"])
        item = {k: q[k] for k in ("id", "received_at", "topic", "reason", "detail")}
        item["payload_base64" if is_b64 else "payload"] = text
        items.append(item)
    out.write(json.dumps(items, ensure_ascii=False, indent=1) + "\n")
    return len(rows)
