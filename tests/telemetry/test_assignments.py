"""Holds of a kit: handed over at an instant, never overlapping, never taking readings away from the
student they belong to (SQLite and PostgreSQL), and the ``kit`` / ``telemetry assign`` commands."""

from __future__ import annotations

import json

import pytest

from makerkit.errors import UsageError
from makerkit.protocol.telemetry import parse_telemetry
from makerkit.store import AssignmentConflict, StoredRecord, open_store

from .test_classroom_cli import makerkit_cli


def reading(kit: str, seq: int, taken: str, cls: str = "7a") -> StoredRecord:
    rec = parse_telemetry(f"makerkit/v1/{cls}/{kit}/telemetry",
                          f'{{"v":1,"seq":{seq},"boot":1,"uptime_ms":{seq},"readings":{{"t":{seq}}}}}')
    return StoredRecord(rec, taken, taken, "boot")


@pytest.fixture
def store(db_url):
    with open_store(db_url) as s:
        s.add_class("7a")
        s.add_student("7a", "A", student_id="s-a")
        s.add_student("7a", "B", student_id="s-b")
        s.add_group("7a", "Red team", "red")
        yield s


def who(store, kit="kit-07"):
    return {r["seq"]: r["student"] or r["group"] for r in store.export(kit=kit)}


def test_a_hand_over_ends_the_previous_holder_at_that_instant(store):
    store.assign("7a", "kit-07", student="s-a", since="2026-11-01T08:00:00.000Z")
    store.write_batch([reading("kit-07", 1, "2026-11-01T09:00:00.000Z")])
    store.assign("7a", "kit-07", student="s-b", since="2026-11-02T08:00:00.000Z")
    store.write_batch([reading("kit-07", 2, "2026-11-02T09:00:00.000Z")])
    assert who(store) == {1: "s-a", 2: "s-b"}
    a, b = store.history("7a", "kit-07")
    assert (a.student, a.until) == ("s-a", "2026-11-02T08:00:00.000Z") and (b.student, b.until) == ("s-b", None)


def test_readings_are_never_taken_away_by_a_later_assignment(store):
    store.assign("7a", "kit-07", student="s-a", since="2026-11-01T08:00:00.000Z")
    store.write_batch([reading("kit-07", 1, "2026-11-01T09:00:00.000Z"), reading("kit-07", 2, "2026-11-01T11:00:00.000Z")])
    with pytest.raises(AssignmentConflict) as err:           # a hand-over dated back over A's readings
        store.assign("7a", "kit-07", student="s-b", since="2026-11-01T10:00:00.000Z")
    assert "1 readings" in err.value.message_en and "2026-11-01T11:00:00.000Z" in err.value.hint_en
    assert who(store) == {1: "s-a", 2: "s-a"} and len(store.history("7a", "kit-07")) == 1
    # from the last reading on it is fine, and readings taken later belong to B
    store.assign("7a", "kit-07", student="s-b", since="2026-11-01T11:00:00.001Z")
    store.write_batch([reading("kit-07", 3, "2026-11-01T12:00:00.000Z")])
    assert who(store) == {1: "s-a", 2: "s-a", 3: "s-b"}


def test_overlapping_holds_are_refused(store):
    store.assign("7a", "kit-07", student="s-a", since="2026-11-01T08:00:00.000Z", until="2026-11-01T12:00:00.000Z")
    store.assign("7a", "kit-07", student="s-b", since="2026-11-02T08:00:00.000Z")
    for since, until in (("2026-11-01T10:00:00.000Z", None), ("2026-11-01T07:00:00.000Z", "2026-11-01T09:00:00.000Z"),
                         ("2026-11-01T13:00:00.000Z", "2026-11-02T09:00:00.000Z"),
                         ("2026-11-02T08:00:00.000Z", None)):
        with pytest.raises(AssignmentConflict):
            store.assign("7a", "kit-07", group="red", since=since, until=until)
    # the gap between the two holds can be filled; a group can hold a kit
    store.assign("7a", "kit-07", group="red", since="2026-11-01T12:00:00.000Z", until="2026-11-02T08:00:00.000Z")
    assert [h.holder for h in store.history("7a", "kit-07")] == ["s-a", "red", "s-b"]


def test_unassigned_readings_can_be_credited_later_and_a_kit_can_go_back_in_the_box(store):
    store.write_batch([reading("kit-07", 1, "2026-11-01T09:00:00.000Z")])
    store.assign("7a", "kit-07", group="red", since="2026-11-01T08:00:00.000Z")   # registering after the lesson
    assert who(store) == {1: "red"}
    store.release("7a", "kit-07", at="2026-11-01T10:00:00.000Z")
    store.write_batch([reading("kit-07", 2, "2026-11-01T11:00:00.000Z")])
    assert who(store) == {1: "red", 2: None}
    with pytest.raises(UsageError, match="no student 's-x' in class 7a"):
        store.assign("7a", "kit-07", student="s-x")
    store.add_class("7b")
    with pytest.raises(UsageError, match="no student 's-a' in class 7b"):
        store.assign("7b", "kit-07", student="s-a")   # s-a is a 7a student


def test_the_old_telemetry_assign_without_since_hands_over_now(tmp_path):
    """The reported bug: a second `telemetry assign` without --since left both holds open and moved every
    earlier reading to the second student. Now the first hold starts at the beginning, the second now."""
    db = f"sqlite:///{tmp_path}/p.db"
    with open_store(db) as s:
        s.write_batch([reading("kit-07", 1, "2026-11-01T09:00:00.000Z")])
    for name in ("李雷", "韩梅梅"):
        out = makerkit_cli("telemetry", "assign", "--db", db, "--class", "7a", "--student", name, "--kit", "kit-07")
        assert out.returncode == 0, out.stderr
    with open_store(db) as s:
        s.write_batch([reading("kit-07", 2, "2099-01-01T00:00:00.000Z")])
        rows = {r["seq"]: r["student_name"] for r in s.export(names=True)}
        assert rows == {1: "李雷", 2: "韩梅梅"}
        holds = s.history("7a", "kit-07")
        assert holds[0].until == holds[1].since and holds[1].until is None


def test_kit_assign_history_and_release_on_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path}/p.db"
    with open_store(db) as s:
        s.add_class("7a")
        s.add_student("7a", "A", student_id="s-a")
        s.add_group("7a", "Red", "red")
        s.add_class("7b")
        s.add_student("7b", "C", student_id="s-c")
    out = makerkit_cli("kit", "assign", "--db", db, "--kit", "kit-07", "--student", "s-a",
                       "--since", "2026-11-01T08:00:00Z")
    assert out.returncode == 0 and "7a/kit-07 -> s-a" in out.stdout, out.stderr
    assert makerkit_cli("kit", "assign", "--db", db, "--kit", "kit-07", "--group", "red").returncode == 0
    # the same kit id in 7b is another kit
    assert makerkit_cli("kit", "assign", "--db", db, "--kit", "kit-07", "--student", "s-c").returncode == 0
    clash = makerkit_cli("kit", "assign", "--db", db, "--kit", "kit-07", "--student", "s-a",
                         "--since", "2026-10-01T08:00:00Z")
    assert clash.returncode == 2 and "overlap" in clash.stderr and "Hint" in clash.stderr
    ambiguous = makerkit_cli("kit", "history", "--db", db, "--kit", "kit-07", "--json")
    rows = json.loads(ambiguous.stdout)
    assert [(r["class"], r["holder"], r["until"] is None) for r in rows] == [
        ("7a", "s-a", False), ("7a", "red", True), ("7b", "s-c", True)]
    rel = makerkit_cli("kit", "release", "--db", db, "--kit", "kit-07")
    assert rel.returncode == 2 and "several classes" in rel.stderr
    assert makerkit_cli("kit", "release", "--db", db, "--kit", "kit-07", "--class", "7b").returncode == 0
    neither = makerkit_cli("kit", "assign", "--db", db, "--kit", "kit-07")
    assert neither.returncode == 2 and "--student or --group" in neither.stderr
