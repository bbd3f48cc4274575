"""School terms, as Chinese schools count them: the first term (第一学期) runs from 1 August to the end
of January, the second (第二学期) from 1 February to the end of July. A term's id names its school
year and number: ``2026-2027-1`` is autumn 2026, ``2026-2027-2`` spring 2027."""

from __future__ import annotations

import re

from ..errors import UsageError

_TERM = re.compile(r"(\d{4})-(\d{4})-([12])\Z")


def term_of(iso: str) -> str:
    """The term an ISO date or time falls in."""
    year, month = int(iso[:4]), int(iso[5:7])
    if month >= 8:
        return f"{year}-{year + 1}-1"
    if month == 1:
        return f"{year - 1}-{year}-1"
    return f"{year - 1}-{year}-2"


def term_range(term: str) -> tuple[str, str]:
    """``[start, end)`` of a term as ISO times."""
    m = _TERM.match(term or "")
    if not m or int(m.group(2)) != int(m.group(1)) + 1:
        raise UsageError(en=f"{term!r} is not a term: write it as 2026-2027-1 (first term) or 2026-2027-2 (second).",
                         zh=f"{term!r} 不是学期：请写成 2026-2027-1（第一学期）或 2026-2027-2（第二学期）。")
    first, second = m.group(1), m.group(2)
    if m.group(3) == "1":
        return f"{first}-08-01T00:00:00.000Z", f"{second}-02-01T00:00:00.000Z"
    return f"{second}-02-01T00:00:00.000Z", f"{second}-08-01T00:00:00.000Z"


def term_label(term: str, lang: str) -> str:
    first, second, number = term.split("-")
    if lang == "zh":
        return f"{first}—{second} 学年第{'一' if number == '1' else '二'}学期"
    return f"{first}–{second}, term {number}"


def iso_time(text: str) -> str:
    """A date (``2026-09-01``, midnight UTC) or an ISO 8601 time with an offset, as the store's UTC form."""
    from ..protocol.telemetry import TelemetryRejected, normalise_time
    try:
        return normalise_time(text if "T" in text else text + "T00:00:00Z")
    except TelemetryRejected:
        raise UsageError(en=f"{text!r} is not a date or time: write 2026-09-01 or 2026-09-01T08:00:00+08:00.",
                         zh=f"{text!r} 不是日期或时间：请写成 2026-09-01 或 2026-09-01T08:00:00+08:00。") from None
