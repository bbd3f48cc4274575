"""Store step 4 (the roster's order) on a version-3 portfolio written by the code before it, on SQLite
and PostgreSQL: students already there keep their ids and get the order they were added in; students
imported afterwards follow in the order of their file; ``students()`` lists the class in roster order."""

from __future__ import annotations

from makerkit.roster import import_roster
from makerkit.store import base, migrations, open_store

# ids that sort against the file's order, so an ORDER BY id could not pass for roster order
FIRST = "name,id\nZoe,s-zz0001\nAnna,s-aa0002\nMax,s-mm0003\n"
LATER = "name,id\nBen,s-bb0004\nYu,s-yy0005\n"


def test_a_version_3_portfolio_gets_roster_positions(db_url, tmp_path, monkeypatch):
    first, later = tmp_path / "first.csv", tmp_path / "later.csv"
    first.write_text(FIRST, encoding="utf-8")
    later.write_text(LATER, encoding="utf-8")
    with monkeypatch.context() as m:                  # this makerkit, stopped at step 3
        m.setattr(migrations, "STEPS", {v: f for v, f in migrations.STEPS.items() if v <= 3})
        m.setattr(migrations, "LATEST", 3)
        m.setattr(base, "SCHEMA_VERSION", 3)
        with open_store(db_url) as store:
            assert store.schema_version == 3
            store.add_class("7a")
            for sid, name in (("s-zz0001", "Zoe"), ("s-aa0002", "Anna"), ("s-mm0003", "Max")):
                store._execute("INSERT INTO students (id, class_id, group_id, created_at) VALUES (?, '7a', NULL, ?)",
                               (sid, f"2026-09-01T08:00:0{len(name)}.000Z"))
                store._execute("INSERT INTO student_names (student_id, name) VALUES (?, ?)", (sid, name))
    with open_store(db_url) as store:
        assert store.schema_version == migrations.LATEST
        # Max (3 letters) and Zoe (3) were added in the same instant: their ids decide between them
        assert [s["id"] for s in store.students("7a")] == ["s-mm0003", "s-zz0001", "s-aa0002"]
        import_roster(store, "7a", later)
        assert [s["id"] for s in store.students("7a")][-2:] == ["s-bb0004", "s-yy0005"]
        assert store.display_names("7a")["s-aa0002"] == "Anna"


def test_a_new_portfolio_lists_students_in_the_order_of_their_file(db_url, tmp_path):
    path = tmp_path / "roster.csv"
    path.write_text(FIRST, encoding="utf-8")
    with open_store(db_url) as store:
        import_roster(store, "7a", path)
        import_roster(store, "7a", path)                # importing again keeps the order
        assert [s["id"] for s in store.students("7a")] == ["s-zz0001", "s-aa0002", "s-mm0003"]
