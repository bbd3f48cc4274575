"""Classes, groups, students (pseudonymous ids; display names apart), the kit inventory and who
held which kit when. A reading belongs to the holder whose hold covers its ``taken_at``; holds never
overlap, and a new hold never takes readings away from the holder they were credited to."""

from __future__ import annotations

from ..errors import UsageError
from ..protocol.telemetry import check_id
from .migrations.m002_identity import new_id
from .records import Hold, now_iso

_HOLD_COLUMNS = "id, class_id, kit_id, student_id, group_id, since, until, created_at"
_KIT_COLUMNS = ("class_id", "id", "board", "hw_id", "inc", "firmware", "label", "registered_at", "last_seen")


class AssignmentConflict(UsageError):
    """A hold that would overlap another one, or take readings away from the student they belong to."""


class RosterRows:
    """Mixed into :class:`~makerkit.store.base.Store`."""

    # -- classes and groups ------------------------------------------------------------------------
    def add_class(self, class_id: str, name: str = "") -> None:
        check_id(class_id, "class")
        with self._transaction():
            self._execute("INSERT INTO classes (id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
                          "SET name = CASE WHEN ? = '' THEN classes.name ELSE excluded.name END",
                          (class_id, name or class_id, now_iso(), name))

    def classes(self) -> list[dict]:
        return [{"id": i, "name": n, "created_at": c}
                for i, n, c in self._execute("SELECT id, name, created_at FROM classes ORDER BY id")]

    def _need_class(self, class_id: str) -> None:
        if not self._execute("SELECT 1 FROM classes WHERE id = ?", (class_id,)):
            raise UsageError(en=f"There is no class {class_id!r} in the portfolio.",
                             zh=f"作品集里没有班级 {class_id!r}。",
                             hint_en="Import the class first: makerkit class import --db URL --class ID roster.csv",
                             hint_zh="请先导入班级：makerkit class import --db 数据库 --class 班级 名单.csv")

    def add_group(self, class_id: str, name: str, group_id: str | None = None) -> str:
        """A group (team) of the class; idempotent on the id, else on the name. Returns the group id."""
        self._need_class(class_id)
        if group_id is None:
            row = self._execute("SELECT id FROM student_groups WHERE class_id = ? AND name = ?", (class_id, name))
            if row:
                return row[0][0]
            group_id = new_id("g-", lambda g: bool(self._execute(
                "SELECT 1 FROM student_groups WHERE class_id = ? AND id = ?", (class_id, g))))
        check_id(group_id, "group")
        with self._transaction():
            self._execute("INSERT INTO student_groups (class_id, id, name, created_at) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (class_id, id) DO UPDATE SET name = excluded.name",
                          (class_id, group_id, name or group_id, now_iso()))
        return group_id

    def groups(self, class_id: str) -> list[dict]:
        return [{"id": g, "name": n} for g, n in self._execute(
            "SELECT id, name FROM student_groups WHERE class_id = ? ORDER BY id", (class_id,))]

    # -- students ----------------------------------------------------------------------------------
    def add_student(self, class_id: str, name: str = "", *, student_id: str | None = None,
                    group_id: str | None = None) -> str:
        """Add (or update) a student; returns the pseudonymous id. Without ``student_id`` the student
        is found by display name within the class, or gets a new id such as ``s-7k3m9q``."""
        self._need_class(class_id)
        with self._transaction():
            if student_id is None and name:
                row = self._execute("SELECT s.id FROM students s JOIN student_names n ON n.student_id = s.id "
                                    "WHERE s.class_id = ? AND n.name = ?", (class_id, name))
                student_id = row[0][0] if row else None
            if student_id is None:
                student_id = new_id("s-", lambda s: bool(self._execute("SELECT 1 FROM students WHERE id = ?", (s,))))
            check_id(student_id, "student")
            have = self._execute("SELECT class_id FROM students WHERE id = ?", (student_id,))
            if have and have[0][0] != class_id:
                raise UsageError(en=f"Student id {student_id!r} already belongs to class {have[0][0]}.",
                                 zh=f"学生编号 {student_id!r} 已经属于班级 {have[0][0]}。",
                                 hint_en="Student ids are unique in a portfolio: give this student another id.",
                                 hint_zh="同一个作品集里学生编号不能重复：请给这个学生换一个编号。")
            if have:
                self._execute("UPDATE students SET group_id = COALESCE(?, group_id) WHERE id = ?", (group_id, student_id))
            else:
                last = self._execute("SELECT MAX(position) FROM students WHERE class_id = ?", (class_id,))
                position = (last[0][0] or 0) + 1 if last else 1
                self._execute("INSERT INTO students (id, class_id, group_id, created_at, position) "
                              "VALUES (?, ?, ?, ?, ?)", (student_id, class_id, group_id, now_iso(), position))
            if name:
                self._execute("INSERT INTO student_names (student_id, name) VALUES (?, ?) ON CONFLICT (student_id) "
                              "DO UPDATE SET name = excluded.name", (student_id, name))
        return student_id

    def students(self, class_id: str, *, names: bool = False) -> list[dict]:
        """The class's students in roster order: ``id`` and ``group``, plus ``name`` only when ``names``
        is asked for."""
        rows = self._execute("SELECT s.id, s.group_id, n.name FROM students s LEFT JOIN student_names n "
                             "ON n.student_id = s.id WHERE s.class_id = ? ORDER BY s.position, s.id", (class_id,))
        return [dict({"id": sid, "group": grp}, **({"name": name} if names else {})) for sid, grp, name in rows]

    def student(self, student_id: str) -> dict | None:
        row = self._execute("SELECT id, class_id, group_id FROM students WHERE id = ?", (student_id,))
        return {"id": row[0][0], "class": row[0][1], "group": row[0][2]} if row else None

    def display_names(self, class_id: str | None = None) -> dict[str, str]:
        sql = "SELECT n.student_id, n.name FROM student_names n"
        if class_id is None:
            return dict(self._execute(sql))
        return dict(self._execute(sql + " JOIN students s ON s.id = n.student_id WHERE s.class_id = ?", (class_id,)))

    # -- the kit inventory -----------------------------------------------------------------------
    def register_kit(self, class_id: str, kit: str, *, board: str | None = None, hw_id: str | None = None,
                     inc: str | None = None, firmware: str | None = None, label: str | None = None) -> None:
        """Add a kit to the class's inventory, or update what is known of it (None keeps a field)."""
        check_id(kit)
        self._need_class(class_id)
        with self._transaction():
            self._execute(
                "INSERT INTO kits (class_id, id, board, hw_id, inc, firmware, label, registered_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (class_id, id) DO UPDATE SET "
                "board = COALESCE(excluded.board, kits.board), hw_id = COALESCE(excluded.hw_id, kits.hw_id), "
                "inc = COALESCE(excluded.inc, kits.inc), firmware = COALESCE(excluded.firmware, kits.firmware), "
                "label = COALESCE(excluded.label, kits.label)",
                (class_id, kit, board, hw_id, inc, firmware, label, now_iso()))

    def kit_status(self, class_id: str, kit: str, *, inc: str | None = None, hw_id: str | None = None,
                   firmware: str | None = None, seen: str | None = None) -> None:
        """What a registered kit said about itself (its status message); unregistered kits are ignored."""
        self._execute("UPDATE kits SET inc = COALESCE(?, inc), hw_id = COALESCE(?, hw_id), "
                      "firmware = COALESCE(?, firmware), last_seen = CASE WHEN last_seen IS NULL OR last_seen < ? "
                      "THEN ? ELSE last_seen END WHERE class_id = ? AND id = ?",
                      (inc, hw_id, firmware, seen or "", seen, class_id, kit))

    def kits(self, class_id: str | None = None, kit: str | None = None) -> list[dict]:
        sql, params, cond = f"SELECT {', '.join(_KIT_COLUMNS)} FROM kits", [], []
        if class_id:
            cond.append("class_id = ?"); params.append(class_id)
        if kit:
            cond.append("id = ?"); params.append(kit)
        if cond:
            sql += " WHERE " + " AND ".join(cond)
        return [dict(zip(("class", "kit") + _KIT_COLUMNS[2:], row))
                for row in self._execute(sql + " ORDER BY class_id, id", params)]

    def registered_kits(self) -> set[tuple[str, str]]:
        """``(class, kit)`` of every kit a teacher has registered (with or without a holder yet)."""
        return {(c, k) for c, k in self._execute("SELECT class_id, id FROM kits")}

    def assigned_kits(self) -> set[tuple[str, str]]:
        """``(class, kit)`` of the kits someone holds now."""
        return {(c, k) for c, k in self._execute("SELECT DISTINCT class_id, kit_id FROM assignments WHERE until IS NULL")}

    def unassigned_kits(self) -> dict[tuple[str, str], int]:
        """Kits with stored readings that nobody held when they were taken -> number of such readings."""
        rows = self._execute(
            "SELECT t.class_id, t.kit_id, COUNT(*) FROM telemetry t WHERE NOT EXISTS (SELECT 1 FROM assignments a "
            "WHERE a.class_id = t.class_id AND a.kit_id = t.kit_id AND a.since <= t.taken_at "
            "AND (a.until IS NULL OR t.taken_at < a.until)) GROUP BY t.class_id, t.kit_id ORDER BY t.class_id, t.kit_id")
        return {(cls, kit): n for cls, kit, n in rows}

    # -- assignments -------------------------------------------------------------------------------
    def history(self, class_id: str | None = None, kit: str | None = None, *,
                student: str | None = None) -> list[Hold]:
        cond, params = [], []
        for column, value in (("class_id", class_id), ("kit_id", kit), ("student_id", student)):
            if value:
                cond.append(f"{column} = ?"); params.append(value)
        where = (" WHERE " + " AND ".join(cond)) if cond else ""
        return [Hold(*row) for row in self._execute(
            f"SELECT {_HOLD_COLUMNS} FROM assignments{where} ORDER BY class_id, kit_id, since, id", params)]

    def holder_at(self, class_id: str, kit: str, when: str) -> Hold | None:
        rows = self._execute(f"SELECT {_HOLD_COLUMNS} FROM assignments WHERE class_id = ? AND kit_id = ? AND "
                             "since <= ? AND (until IS NULL OR ? < until) ORDER BY since DESC LIMIT 1",
                             (class_id, kit, when, when))
        return Hold(*rows[0]) if rows else None

    def assign(self, class_id: str, kit: str, *, student: str | None = None, group: str | None = None,
               since: str | None = None, until: str | None = None) -> Hold:
        """Hand ``kit`` of ``class_id`` to a student or a group from ``since`` (default: now), ending the
        current holder at that instant; with ``until``, record a past hold instead. Refused
        (:class:`AssignmentConflict`) when the new hold would overlap another one or take stored
        readings away from whoever they belong to."""
        from .assign_rules import check_new_hold
        if (student is None) == (group is None):
            raise UsageError(en="Give the kit to one student or one group.", zh="请把套件分配给一个学生或一个小组。")
        since = since or now_iso()
        self._check_holder(class_id, student, group)
        if not self._execute("SELECT 1 FROM kits WHERE class_id = ? AND id = ?", (class_id, kit)):
            self.register_kit(class_id, kit)
        with self._transaction():
            holds = self.history(class_id, kit)
            current = check_new_hold(self, class_id, kit, holds, since, student or group, until)
            if current is not None and current.holder == (student or group):
                return current                                  # already theirs
            if current is not None:
                self._execute("UPDATE assignments SET until = ? WHERE id = ?", (since, current.id))
            self._execute("INSERT INTO assignments (class_id, kit_id, student_id, group_id, since, until, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?)", (class_id, kit, student, group, since, until, now_iso()))
            row = self._execute(f"SELECT {_HOLD_COLUMNS} FROM assignments WHERE class_id = ? AND kit_id = ? "
                                "AND since = ? ORDER BY id DESC LIMIT 1", (class_id, kit, since))
        return Hold(*row[0])

    def release(self, class_id: str, kit: str, at: str | None = None) -> Hold | None:
        """The kit goes back in the box: its current hold ends at ``at`` (default: now)."""
        from .assign_rules import check_release
        at = at or now_iso()
        with self._transaction():
            current = check_release(self, class_id, kit, self.history(class_id, kit), at)
            if current is not None:
                self._execute("UPDATE assignments SET until = ? WHERE id = ?", (at, current.id))
        return current

    def _check_holder(self, class_id: str, student: str | None, group: str | None) -> None:
        if student is not None:
            info = self.student(student)
            if info is None or info["class"] != class_id:
                raise UsageError(en=f"There is no student {student!r} in class {class_id}.",
                                 zh=f"班级 {class_id} 里没有学生 {student!r}。",
                                 hint_en=f"List the class with: makerkit class show --db URL --class {class_id}",
                                 hint_zh=f"查看班级名单：makerkit class show --db 数据库 --class {class_id}")
        elif not self._execute("SELECT 1 FROM student_groups WHERE class_id = ? AND id = ?", (class_id, group)):
            raise UsageError(en=f"There is no group {group!r} in class {class_id}.",
                             zh=f"班级 {class_id} 里没有小组 {group!r}。",
                             hint_en=f"List the class with: makerkit class show --db URL --class {class_id}",
                             hint_zh=f"查看班级名单：makerkit class show --db 数据库 --class {class_id}")
