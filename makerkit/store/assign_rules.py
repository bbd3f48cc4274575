"""The rules a new hold must keep, with messages a teacher can act on.

1. Holds of one kit never overlap: a new hold from ``since`` may end the current holder at that
   instant only if the current hold began earlier; it may not reach into another hold. A closed hold
   (``since`` .. ``until``) records the past, where nobody held the kit.
2. A hold never takes readings away: if readings taken at or after ``since`` are already credited to
   the current holder, the hand-over is refused (readings nobody held may be credited by a later
   assignment: that is how a class set is registered after the lesson).
"""

from __future__ import annotations

from .records import Hold


def _conflict(en: str, zh: str, hint_en: str, hint_zh: str):
    from .roster_rows import AssignmentConflict
    return AssignmentConflict(en=en, zh=zh, hint_en=hint_en, hint_zh=hint_zh)


def _readings_between(store, class_id: str, kit: str, start: str, end: str | None) -> tuple[int, str | None]:
    sql = "SELECT COUNT(*), MAX(taken_at) FROM telemetry WHERE class_id = ? AND kit_id = ? AND taken_at >= ?"
    params = [class_id, kit, start]
    if end is not None:
        sql += " AND taken_at < ?"
        params.append(end)
    n, latest = store._execute(sql, params)[0]
    return n, latest


def check_new_hold(store, class_id: str, kit: str, holds: list[Hold], since: str, holder: str,
                   until: str | None = None) -> Hold | None:
    """Raise if a hold from ``since`` (to ``until``; None: open) breaks a rule; return the current open
    hold when the new one ends it at ``since``, else None."""
    if until is not None and until <= since:
        raise _conflict(f"A hold must end after it starts ({since} .. {until}).",
                        f"结束时间必须晚于开始时间（{since} .. {until}）。",
                        "Check --since and --until.", "请检查 --since 和 --until。")
    current = next((h for h in holds if h.until is None), None)
    for h in holds:
        if h is current and until is None:
            continue
        h_end = h.until or "9999"
        if h.since < (until or "9999") and since < h_end:
            raise _conflict(
                f"{kit} ({class_id}) is held by {h.holder} from {h.since}" + (f" until {h.until}" if h.until else "") +
                f"; a new hold from {since}" + (f" until {until}" if until else "") + " would overlap it.",
                f"{kit}（{class_id}）从 {h.since} 起" + (f"到 {h.until}" if h.until else "") + f"由 {h.holder} 使用；"
                f"从 {since} 开始的新分配会与之重叠。",
                "Pick a time outside that hold, or leave --since out to hand the kit over now.",
                "请选择不重叠的时间，或者不写 --since，表示从现在开始交接。")
    if current is None or until is not None:
        return None
    if current.holder == holder:
        return current
    if current.since >= since:
        raise _conflict(
            f"{kit} ({class_id}) is held by {current.holder} since {current.since}; a new hold must start later "
            f"than that, not at {since}.",
            f"{kit}（{class_id}）从 {current.since} 起由 {current.holder} 使用；新的分配必须晚于这个时间，不能从 {since} 开始。",
            "Leave --since out to hand the kit over now.", "不写 --since，表示从现在开始交接。")
    n, latest = _readings_between(store, class_id, kit, since, None)
    if n:
        raise _conflict(
            f"{n} readings of {kit} ({class_id}) taken since {since} belong to {current.holder}; a new assignment "
            "never takes readings away from a student.",
            f"{kit}（{class_id}）从 {since} 以来的 {n} 条读数属于 {current.holder}；新的分配不会把已有读数转给别人。",
            f"Hand the kit over from {latest} or later (or leave --since out: from now).",
            f"请从 {latest} 或更晚的时间开始交接（或者不写 --since：从现在开始）。")
    return current


def check_release(store, class_id: str, kit: str, holds: list[Hold], at: str) -> Hold | None:
    """Raise if ending the current hold at ``at`` would take readings away; return the current hold."""
    current = next((h for h in holds if h.until is None), None)
    if current is None:
        return None
    if at <= current.since:
        raise _conflict(f"{kit} ({class_id}) is held by {current.holder} since {current.since}; it cannot be "
                        f"returned at {at}, before that.",
                        f"{kit}（{class_id}）从 {current.since} 起由 {current.holder} 使用，不能在那之前的 {at} 归还。",
                        "Leave --at out to return the kit now.", "不写 --at，表示现在归还。")
    n, latest = _readings_between(store, class_id, kit, at, None)
    if n:
        raise _conflict(f"{n} readings of {kit} ({class_id}) taken since {at} belong to {current.holder}.",
                        f"{kit}（{class_id}）从 {at} 以来的 {n} 条读数属于 {current.holder}。",
                        f"Return the kit at {latest} or later (or leave --at out: now).",
                        f"请在 {latest} 或更晚的时间归还（或者不写 --at：现在）。")
    return current
