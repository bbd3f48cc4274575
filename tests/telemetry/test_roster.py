"""The class roster: CSV files as spreadsheet programs save them, pseudonymous ids, groups, and
``makerkit class import|show`` (SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest

from makerkit.errors import UsageError
from makerkit.roster import class_overview, import_roster, read_roster
from makerkit.store import open_store

from .test_classroom_cli import makerkit_cli

ROSTER = "name,id,group\n李雷,,红队\n韩梅梅,,红队\nTom O'Brien,t-obrien,blue\n王伟,,\n"


def write(tmp_path, text: str, encoding: str = "utf-8", name: str = "roster.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_roster_as_spreadsheets_save_it(tmp_path, encoding):
    rows, used = read_roster(write(tmp_path, ROSTER, encoding))
    assert [r.name for r in rows] == ["李雷", "韩梅梅", "Tom O'Brien", "王伟"]
    assert [r.id for r in rows] == [None, None, "t-obrien", None]
    assert [r.group for r in rows] == ["红队", "红队", "blue", None]
    assert used == ("gb18030" if encoding == "gb18030" else "utf-8")


def test_chinese_headers_semicolons_and_blank_lines(tmp_path):
    rows, _ = read_roster(write(tmp_path, "学号;姓名;小组\r\n2023001;张三;A\r\n\r\n2023002;李四;\r\n"))
    assert [(r.id, r.name, r.group) for r in rows] == [("2023001", "张三", "A"), ("2023002", "李四", None)]


@pytest.mark.parametrize("text, line, words", [
    ("student_no,group\n1,a\n", 1, "no 'name' column"),
    ("name,id\n李雷,LI LEI!\n", 2, "is not allowed"),
    ("name,id\n李雷,a\n韩梅梅,a\n", 3, "also on line 2"),
    ("name\n王伟\n王伟\n", 3, "two students are called 王伟"),
    ("name,group\n,red\n", 2, "the name is empty"),
])
def test_a_bad_roster_names_the_line_and_changes_nothing(tmp_path, text, line, words, db_url):
    path = write(tmp_path, text)
    with open_store(db_url) as store:
        with pytest.raises(UsageError) as err:
            import_roster(store, "7a", path)
        assert words in err.value.message_en and (f"line {line}" in err.value.message_en)
        assert f"第 {line} 行" in err.value.message_zh and err.value.hint_zh
        assert store.classes() == []                  # all or nothing


def test_import_gives_pseudonymous_ids_and_groups_and_is_idempotent(tmp_path, db_url):
    path = write(tmp_path, ROSTER)
    with open_store(db_url) as store:
        first = import_roster(store, "7a", path, class_name="Class 7A")
        assert len(first.added) == 4 and first.updated == [] and len(first.groups) == 2
        again = import_roster(store, "7a", path)
        assert again.added == [] and sorted(again.updated) == sorted(first.added)
        students = store.students("7a")
        assert {s["id"] for s in students} == set(first.added)
        assert "t-obrien" in first.added and all("name" not in s for s in students)
        names = {s["name"]: s for s in store.students("7a", names=True)}
        assert names["李雷"]["group"] == names["韩梅梅"]["group"] != names["Tom O'Brien"]["group"] == "blue"
        assert names["王伟"]["group"] is None
        # a second file adds a student; those it leaves out are kept and reported
        more = import_roster(store, "7a", write(tmp_path, "name\n李雷\n新同学\n", name="b.csv"))
        assert len(more.added) == 1 and more.updated == [names["李雷"]["id"]] and len(more.not_in_file) == 3
        view = class_overview(store, "7a")
        assert view["name"] == "Class 7A" and len(view["students"]) == 5 and len(view["groups"]) == 2


def test_class_import_and_show_on_the_command_line(tmp_path):
    db = f"sqlite:///{tmp_path}/p.db"
    path = write(tmp_path, ROSTER)
    out = makerkit_cli("class", "import", "--db", db, "--class", "7a", str(path))
    assert out.returncode == 0, out.stderr
    assert "4 students added" in out.stdout
    with open_store(db) as store:
        store.register_kit("7a", "kit-07", board="esp32", hw_id="a4cf12ab34cd", firmware="makerkit 1.1.0", label="7A-07")
        sid = store.students("7a")[0]["id"]
        store.assign("7a", "kit-07", student=sid, since="2026-11-30T08:00:00.000Z")
    view = json.loads(makerkit_cli("class", "show", "--db", db, "--class", "7a", "--json").stdout)
    assert [k["kit"] for k in view["kits"]] == ["kit-07"]
    kit = view["kits"][0]
    assert kit["holder"] == {"kind": "student", "id": sid, "since": "2026-11-30T08:00:00.000Z"}
    assert (kit["board"], kit["hw_id"], kit["firmware"], kit["label"]) == ("esp32", "a4cf12ab34cd", "makerkit 1.1.0",
                                                                         "7A-07")
    assert all("name" not in s for s in view["students"])          # pseudonymous unless asked
    named = json.loads(makerkit_cli("class", "show", "--db", db, "--class", "7a", "--json", "--names").stdout)
    assert {s["name"] for s in named["students"]} == {"李雷", "韩梅梅", "Tom O'Brien", "王伟"}
    table = makerkit_cli("class", "show", "--db", db, "--class", "7a")
    assert table.returncode == 0 and "kit-07" in table.stdout and sid in table.stdout and "李雷" not in table.stdout
    missing = makerkit_cli("class", "show", "--db", db, "--class", "9z")
    assert missing.returncode == 2 and "class import" in missing.stderr
