"""Arena files: every shipped arena loads and gives its robot room at the start; a malformed one
stops with a message naming the file and the key, in English and in Chinese."""

import re

import pytest

from support.robot_world import robot_kit, room, write_arena

from makerkit.catalog.arenas import arena_path, load_arena, load_arenas, parse_arena
from makerkit.errors import CatalogError

_CJK = re.compile(r"[\u4e00-\u9fff]")


def test_the_shipped_arenas_load_and_the_robot_fits_at_the_start():
    arenas = {a.id: a for a in load_arenas()}
    assert {"line-loop", "obstacle-field", "maze", "square-room", "parking"} <= set(arenas)
    assert arenas["line-loop"].track.closed and arenas["maze"].goals and arenas["obstacle-field"].obstacles
    assert [n.en for n in arenas["parking"].wall_names] == ["the bay's left wall", "the bay's right wall"]
    for arena in arenas.values():
        assert arena.name.en and _CJK.search(arena.name.zh)
        with robot_kit(arena.path) as (kit, robot):
            assert robot.body.clearance(*arena.start[:2]) > 0


def _error(tmp_path, text: str) -> CatalogError:
    path = write_arena(tmp_path, text)
    with pytest.raises(CatalogError) as caught:
        parse_arena(path)
    err = caught.value
    assert str(path) in err.message_en and str(path) in err.message_zh and _CJK.search(err.message_zh)
    return err


GOOD = '''schema = 1
id = "test-room"
name = { zh-CN = "测试", en = "Test" }
size_cm = [200, 100]
[start]
x_cm = 50
y_cm = 50
'''


def test_a_good_arena_parses(tmp_path):
    arena = parse_arena(write_arena(tmp_path, GOOD))
    assert arena.size == (200.0, 100.0) and arena.start == (50.0, 50.0, 0.0) and arena.fence
    assert len(arena.segments()) == 4 and arena.track is None


@pytest.mark.parametrize("change, key", [
    (lambda t: t.replace('size_cm = [200, 100]', ''), "size_cm"),
    (lambda t: t.replace('size_cm = [200, 100]', 'size_cm = [200]'), "size_cm"),
    (lambda t: t.replace('size_cm = [200, 100]', 'size_cm = [5, 100]'), "size_cm"),
    (lambda t: t.replace('id = "test-room"', 'id = "other"'), "id"),
    (lambda t: t.replace('schema = 1', 'schema = 2'), "schema"),
    (lambda t: t.replace('x_cm = 50', 'x_cm = 500'), "start.x_cm"),
    (lambda t: t + '[track]\npoints = [[10, 10]]\n', "track.points"),
    (lambda t: t + '[track]\npoints = [[10, 10], [50, 10]]\nwidht_cm = 2\n', "track.widht_cm"),
    (lambda t: t + '[track]\npoints = [[10, 10], [50, 10]]\nwidth_cm = 40\n', "track.width_cm"),
    (lambda t: t + '[[obstacles]]\nrect = [10, 10, -5, 5]\n', "obstacles[0].rect"),
    (lambda t: t + '[[obstacles]]\nrect = [10, 10, 5, 5]\ncircle = [1, 1, 1]\n', "obstacles[0].rect"),
    (lambda t: t + '[[walls]]\nfrom = [10, 10]\nto = [10, 10]\n', "walls[0].to"),
    (lambda t: t + '[[walls]]\nfrom = [10, 10]\nto = [900, 10]\n', "walls[0].to"),
    (lambda t: t + '[[goals]]\nid = "Goal!"\nname = { zh-CN = "终点", en = "goal" }\ncircle = [150, 50, 10]\n',
     "goals[0].id"),
    (lambda t: t + '[[checkpoints]]\nid = "a"\nname = { zh-CN = "", en = "a" }\ncircle = [150, 50, 10]\n',
     "checkpoints[0].name"),
    (lambda t: 'colour = "red"\n' + t, "colour"),
])
def test_a_malformed_arena_names_the_file_and_the_key(tmp_path, change, key):
    err = _error(tmp_path, change(GOOD))
    assert f"'{key}'" in err.message_en and f"'{key}'" in err.message_zh


def test_not_toml_at_all(tmp_path):
    _error(tmp_path, "schema = = 1\n")


def test_a_start_inside_an_obstacle_is_refused_when_the_robot_is_put_there(tmp_path):
    path = room(tmp_path, start=(100, 100, 0), extra="[[obstacles]]\ncircle = [105, 100, 8]\n")
    with pytest.raises(CatalogError) as caught:
        with robot_kit(path):
            pass
    assert "start" in caught.value.message_en and _CJK.search(caught.value.message_zh)


def test_the_arenas_ship_inside_the_lessons_package_and_are_no_lesson():
    from makerkit.catalog.arenas import arenas_dir
    from makerkit.catalog.lessons import load_lessons
    from makerkit.resources import packaged_dir
    assert (packaged_dir("lessons") / "arenas" / "line-loop.toml").is_file()
    assert arenas_dir().name == "arenas" and (arenas_dir() / "README.md").is_file()
    assert "arenas" not in {lesson.path.name for lesson in load_lessons()}


def test_an_unknown_arena_lists_the_ones_there_are(tmp_path):
    with pytest.raises(CatalogError) as caught:
        arena_path("no-such-arena")
    assert "line-loop" in caught.value.message_en and "line-loop" in caught.value.message_zh
    assert load_arena("line-loop").id == "line-loop"
