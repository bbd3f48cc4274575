"""The evaluation rubric: a TOML data file a school can edit (criteria and levels per dimension, the
weights of teacher, self and peer evaluations, and who counts as a peer). makerkit ships a default
in Simplified Chinese and English (``rubrics/default.toml``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..catalog._toml import Fields, read_toml
from ..catalog.lessons import Text
from ..errors import UsageError

DIMENSIONS = ("individual", "group", "maker")
SIDES = ("teacher", "self", "peer")
DEFAULT_RUBRIC = Path(__file__).parent / "rubrics" / "default.toml"


@dataclass(frozen=True)
class Dimension:
    id: str
    name: Text
    criteria: tuple[Text, ...]
    levels: tuple[Text, ...]         # levels[0] is level 1


@dataclass(frozen=True)
class Rubric:
    id: str
    title: Text
    peer_scope: str                  # "class" | "group"
    weights: dict
    dimensions: tuple[Dimension, ...]

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise UsageError(en=f"Unknown dimension {dim_id!r}: use one of {', '.join(DIMENSIONS)}.",
                         zh=f"未知的评价维度 {dim_id!r}：可选 {', '.join(DIMENSIONS)}"
                            "（individual 个人表现，group 小组合作，maker 创客成果）。")

    def check_level(self, dim_id: str, level: int) -> None:
        top = len(self.dimension(dim_id).levels)
        if not 1 <= level <= top:
            raise UsageError(en=f"Level {level} is not on the rubric: {dim_id} has levels 1 to {top}.",
                             zh=f"等级 {level} 不在量规里：{dim_id} 的等级是 1 到 {top}。")


def _text(f: Fields, key: str | None = None) -> Text:
    t = f.table(key) if key else f
    return Text(zh=t.str("zh-CN"), en=t.str("en"))


def _texts(f: Fields, key: str) -> tuple[Text, ...]:
    items = f.get(key, list, "a list of { zh-CN = ..., en = ... } tables")
    out = []
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise f.fail(f"{key}[{i}]", "a table with zh-CN and en")
        out.append(_text(Fields(item, f.path, f"{f.prefix}{key}[{i}].")))
    if not out:
        raise f.fail(key, "a list with at least one item")
    return tuple(out)


def load_rubric(path: str | Path | None = None) -> Rubric:
    """The rubric in ``path`` (default: the one makerkit ships); errors name the file and the key."""
    path = Path(path) if path else DEFAULT_RUBRIC
    f = Fields(read_toml(path), path)
    if f.int("schema") != 1:
        raise f.fail("schema", "1")
    scope = f.table("peers", {}).str("scope", "class")
    if scope not in ("class", "group"):
        raise f.table("peers").fail("scope", '"class" or "group"')
    w = f.table("weights", {})
    weights = {side: float(w.get(side, (int, float), "a number", 1.0)) for side in SIDES}
    dims = []
    for i, item in enumerate(f.get("dimensions", list, "a list of [[dimensions]] tables")):
        d = Fields(item, path, f"dimensions[{i}].")
        dim_id = d.str("id")
        if dim_id not in DIMENSIONS:
            raise d.fail("id", f"one of {', '.join(DIMENSIONS)}")
        dims.append(Dimension(dim_id, _text(d, "name"), _texts(d, "criteria"), _texts(d, "levels")))
    missing = set(DIMENSIONS) - {d.id for d in dims}
    if missing:
        raise f.fail("dimensions", f"a list that has each of {', '.join(DIMENSIONS)} (missing: {', '.join(sorted(missing))})")
    return Rubric(f.str("id"), _text(f, "title"), scope, weights, tuple(dims))
