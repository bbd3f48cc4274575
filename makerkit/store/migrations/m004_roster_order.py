"""Step 4: the roster's order. ``students.position`` numbers a class's students in the order the
teacher's roster lists them (the order of the imported CSV file, then students added later), so
``class provision --assign`` hands out kits in roster order and class lists read as the teacher's do.

Students already in a portfolio are numbered by when they were added (then by id, for students
added in the same millisecond); no other data moves.
"""

from __future__ import annotations


def upgrade(execute, dialect) -> None:
    execute("ALTER TABLE students ADD COLUMN position INTEGER")
    rows = execute("SELECT id, class_id FROM students ORDER BY class_id, created_at, id")
    counters: dict[str, int] = {}
    for student_id, class_id in rows:
        counters[class_id] = counters.get(class_id, 0) + 1
        execute("UPDATE students SET position = ? WHERE id = ?", (counters[class_id], student_id))
    execute("CREATE INDEX students_position ON students (class_id, position)")
