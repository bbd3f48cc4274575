"""Dependencies point one way (docs/ARCHITECTURE.md): the import-linter contracts in pyproject.toml
hold, and every package and module of makerkit has its place in the layers, so a new one cannot slip
in beside them unchecked."""

from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE_THE_LAYERS = {"__init__", "__main__", "_data", "firmware_images"}   # entry points and package data


def _contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_the_import_contracts_hold(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports() == 0          # exit status of `lint-imports`; its report is in the captured output


def test_every_part_of_makerkit_is_in_a_layer():
    (layers,) = [c["layers"] for c in _contracts() if c["type"] == "layers"]
    named = set()
    for layer in layers:
        for piece in layer.split(":"):
            named.add(piece.strip().strip("()").removeprefix("makerkit."))
    parts = {p.stem for p in (ROOT / "makerkit").iterdir()
             if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    assert parts - OUTSIDE_THE_LAYERS - named == set(), "add these to the layers in pyproject.toml"
