"""Data rules for minors: erase a student so that nothing is left, and prune what is older than a date.

Both delete rows in one transaction and then compact the files (SQLite: WAL checkpoint, VACUUM,
checkpoint again; PostgreSQL: VACUUM FULL of the tables), so a deleted name or id is not left in
free pages or the WAL. Both write an audit line; the erased student's id is replaced by a digest."""

from __future__ import annotations

from ..errors import UsageError
from ..store import Store
from .terms import iso_time


def erase_student(store: Store, *, student: str, confirm: bool, actor: str = "teacher") -> dict[str, int]:
    """Delete everything held about ``student`` (see :mod:`makerkit.store.erase_rows`); returns the rows
    deleted per table. ``confirm`` must be True: this cannot be undone."""
    if not confirm:
        raise UsageError(en=f"Erasing {student} cannot be undone: add --yes to do it.",
                         zh=f"删除 {student} 的数据后无法恢复：确认要删除请加上 --yes。",
                         hint_en="Export everything first if the family wants a copy: makerkit portfolio dump",
                         hint_zh="如果家长需要留存，请先导出全部数据：makerkit portfolio dump")
    counts = store.erase_student(student, actor=actor)
    store.compact()
    return counts


def prune(store: Store, *, before: str, confirm: bool, actor: str = "teacher") -> dict[str, int]:
    """Delete what was recorded before ``before`` (a date or ISO time); returns rows deleted per table."""
    if not confirm:
        raise UsageError(en=f"Pruning everything before {before} cannot be undone: add --yes to do it.",
                         zh=f"删除 {before} 之前的全部数据后无法恢复：确认请加上 --yes。")
    counts = store.prune_before(iso_time(before), actor=actor)
    store.compact()
    return counts
