"""Read a class roster from a CSV file and put it in the portfolio, all or nothing.

The file has a header row with a ``name`` column and optional ``id`` and ``group`` columns (Chinese
headers 姓名 / 学号 / 小组 work too). Spreadsheet programs save UTF-8 with or without a BOM; a file
saved as GBK/GB18030 (older Excel in Chinese) is read too. Commas, semicolons or tabs separate the
columns. Every row is checked before anything is written: a bad file changes nothing.

A student without an ``id`` gets a pseudonymous one (``s-7k3m9q``) that telemetry, exports and
dashboards carry; the name is kept apart and shown only when a teacher asks. Importing the same file
again is harmless: students are matched by id, else by name.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UsageError

_ID = re.compile(r"[a-z0-9-]{1,32}\Z")
ALIASES = {
    "name": ("name", "student", "student name", "姓名", "名字", "学生", "学生姓名"),
    "id": ("id", "student id", "student_id", "学号", "编号"),
    "group": ("group", "team", "小组", "组", "组别", "分组"),
}


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    id: str | None
    group: str | None


@dataclass
class ImportResult:
    class_id: str
    added: list = field(default_factory=list)         # new student ids
    updated: list = field(default_factory=list)       # existing students found again
    groups: list = field(default_factory=list)        # group ids of the file
    not_in_file: list = field(default_factory=list)   # students of the class the file does not list (kept)
    encoding: str = "utf-8"


def _bad(path: str, line: int | None, en: str, zh: str, hint_en: str, hint_zh: str) -> UsageError:
    where_en = f"{path}, line {line}" if line else path
    where_zh = f"{path} 第 {line} 行" if line else path
    return UsageError(en=f"{where_en}: {en}", zh=f"{where_zh}：{zh}", hint_en=hint_en, hint_zh=hint_zh)


def _decode(data: bytes, path: str) -> tuple[str, str]:
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise _bad(path, None, "the file is not UTF-8 text.", "文件不是 UTF-8 文本。",
                   "In your spreadsheet program choose Save As -> CSV UTF-8.",
                   "请在表格软件里选择“另存为 -> CSV UTF-8（逗号分隔）”。") from None


def _columns(header: list[str], path: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, title in enumerate(header):
        key = title.strip().lower()
        for column, names in ALIASES.items():
            if key in names and column not in found:
                found[column] = i
    if "name" not in found:
        raise _bad(path, 1, f"there is no 'name' column (the header row is: {', '.join(header)[:200]}).",
                   f"没有“name”（姓名）列（第一行是：{', '.join(header)[:200]}）。",
                   "The first row must name the columns: name, and optionally id and group.",
                   "第一行必须是列名：name（姓名），可选 id（学号）和 group（小组）。")
    return found


def read_roster(path: str | Path) -> tuple[list[RosterRow], str]:
    """Parse and check a roster file; returns its rows and the encoding it was read in."""
    path = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise _bad(path, None, f"cannot read the file ({exc.strerror}).", f"无法读取文件（{exc.strerror}）。",
                   "Check the file name and folder.", "请检查文件名和文件夹。") from None
    text, encoding = _decode(data, path)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)      # the header row says which separator
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if not header:
        raise _bad(path, None, "the file is empty.", "文件是空的。", "Add a header row and one row per student.",
                   "请添加一行列名，然后每个学生一行。")
    cols = _columns(header, path)
    rows: list[RosterRow] = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        rows.append(_row(cells, cols, line, path))
    _no_duplicates(rows, path)
    return rows, encoding


def _cell(cells: list[str], cols: dict[str, int], name: str) -> str:
    i = cols.get(name)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _row(cells: list[str], cols: dict[str, int], line: int, path: str) -> RosterRow:
    name = _cell(cells, cols, "name")
    if not name:
        raise _bad(path, line, "the name is empty.", "姓名是空的。", "Fill in the name or delete the row.",
                   "请填写姓名，或者删除这一行。")
    sid = _cell(cells, cols, "id").lower() or None
    if sid is not None and not _ID.match(sid):
        raise _bad(path, line, f"the id {sid!r} is not allowed: use 1 to 32 of a-z, 0-9 and '-'.",
                   f"编号 {sid!r} 不合法：只能用 1 到 32 个 a-z、0-9 或 '-'。",
                   "Change the id, or leave the id column empty and makerkit makes one.",
                   "请修改编号，或者把编号留空，让 makerkit 自动生成。")
    return RosterRow(line, name[:100], sid, _cell(cells, cols, "group")[:64] or None)


def _no_duplicates(rows: list[RosterRow], path: str) -> None:
    seen_ids: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    for row in rows:
        if row.id is not None:
            if row.id in seen_ids:
                raise _bad(path, row.line, f"the id {row.id} is also on line {seen_ids[row.id]}.",
                           f"编号 {row.id} 在第 {seen_ids[row.id]} 行也出现了。", "Give each student their own id.",
                           "请给每个学生不同的编号。")
            seen_ids[row.id] = row.line
        elif row.name in seen_names:
            raise _bad(path, row.line, f"two students are called {row.name} (also line {seen_names[row.name]}) "
                                       "and neither has an id.",
                       f"有两个学生都叫 {row.name}（另一个在第 {seen_names[row.name]} 行），而且都没有编号。",
                       "Add an id column to tell them apart.", "请添加一列编号（id）来区分他们。")
        else:
            seen_names[row.name] = row.line


def import_roster(store, class_id: str, path: str | Path, *, class_name: str = "") -> ImportResult:
    """Read ``path`` and add its students and groups to ``class_id`` in one transaction."""
    rows, encoding = read_roster(path)
    result = ImportResult(class_id, encoding=encoding)
    with store.transaction():
        store.add_class(class_id, class_name)
        before = {s["id"] for s in store.students(class_id)}
        groups: dict[str, str] = {}
        for row in rows:
            gid = None
            if row.group:
                gid = groups.get(row.group)
                if gid is None:
                    gid = groups[row.group] = store.add_group(class_id, row.group,
                                                              row.group.lower() if _ID.match(row.group.lower()) else None)
            sid = store.add_student(class_id, row.name, student_id=row.id, group_id=gid)
            (result.updated if sid in before else result.added).append(sid)
        result.groups = sorted(set(groups.values()))
        result.not_in_file = sorted(before - set(result.added) - set(result.updated))
    return result
