"""``makerkit lesson list --json``: the lesson catalogue for programs (exact interface of issue 12)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from makerkit.catalog import load_board
from makerkit.catalog.lessons import TOPICS, load_lessons, parse_lesson
from makerkit.cli import cli
from makerkit.errors import CatalogError


def test_list_json_is_an_array_of_lessons():
    result = CliRunner().invoke(cli, ["lesson", "list", "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.output)
    assert isinstance(items, list) and [i["id"] for i in items] == [item.id for item in load_lessons()]
    for item in items:
        assert set(item) >= {"id", "title", "topics", "boards", "duration_min"}
        assert item["title"]["en"] and item["title"]["zh-CN"]
        assert item["topics"] and set(item["topics"]) <= set(TOPICS)
        assert item["boards"] and all(load_board(b).id == b for b in item["boards"])
        assert isinstance(item["duration_min"], int) and item["duration_min"] > 0
    blink = items[0]
    assert blink["id"] == "01-blink" and blink["title"] == {"en": "Blink the built-in LED", "zh-CN": "让板载 LED 闪烁"}
    assert "mpython" in blink["boards"] and blink["topics"] == ["basics", "output"]


def test_list_json_as_a_program_reads_it():
    env = dict(os.environ, MAKERKIT_LANG="zh", PYTHONIOENCODING="utf-8")
    out = subprocess.run([sys.executable, "-m", "makerkit", "lesson", "list", "--json"], capture_output=True,
                         timeout=60, env=env, check=True).stdout
    items = json.loads(out.decode("utf-8"))     # no table, no hint line: only the JSON, whatever the language
    assert items[0]["title"]["zh-CN"] == "让板载 LED 闪烁"


@pytest.mark.parametrize("topics, ok", [('["sensor", "iot"]', True), ('["robots"]', False),
                                        ('["ai", "ai"]', False), ('"ai"', False)])
def test_topics_are_checked(tmp_path, topics, ok):
    folder = tmp_path / "05-demo"
    folder.mkdir()
    source = (load_lessons()[0].path / "lesson.toml").read_text(encoding="utf-8")
    source = source.replace('id = "01-blink"', 'id = "05-demo"').replace("number = 1", "number = 5")
    source = source.replace('topics = ["basics", "output"]', f"topics = {topics}")
    (folder / "lesson.toml").write_text(source, encoding="utf-8")
    for name in ("README.md", "README.zh-CN.md", "starter.py", "solution.py", "check.py"):
        (folder / name).write_text("", encoding="utf-8")
    if ok:
        assert parse_lesson(folder).topics == ("sensor", "iot")
    else:
        with pytest.raises(CatalogError) as err:
            parse_lesson(folder)
        assert "topics" in err.value.message("en")
