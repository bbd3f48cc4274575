"""The code base keeps its shape (docs in ARCHITECTURE.md): no module in makerkit/ or the firmware
over 500 lines, no function over 60 lines. scripts/code_shape.py lists what breaks the rules."""

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "code_shape.py"


def _shape():
    spec = importlib.util.spec_from_file_location("code_shape", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_rules_see_a_long_function_and_a_long_module(tmp_path, monkeypatch):
    shape = _shape()
    body = "\n".join(f"    x{i} = {i}" for i in range(70))
    (tmp_path / "big.py").write_text("def long():\n" + body + "\n" + "\n" * 500, encoding="utf-8")
    monkeypatch.setattr(shape, "ROOT", tmp_path)
    monkeypatch.setattr(shape, "SOURCES", [tmp_path])
    assert shape.long_functions() == ["big.py:1 long: 71 lines"]
    assert shape.long_modules() == ["big.py: 571 lines"]


def test_no_module_or_function_is_too_long():
    shape = _shape()
    found = shape.long_modules() + shape.long_functions()
    assert found == [], "split these (one job per module, one step per function):\n" + "\n".join(found)
