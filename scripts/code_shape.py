"""The shape rules of the code base (docs/ARCHITECTURE.md): no module over 500 lines, no function
over 60 lines, in makerkit/ and the firmware (tests are exempt).

``python3 scripts/code_shape.py`` lists what breaks them (exit status 1 when anything does);
tests/test_code_shape.py holds the code base to them."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "makerkit", ROOT / "firmware" / "micropython" / "mkfw"]
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 60


def _modules():
    for folder in SOURCES:
        yield from sorted(folder.rglob("*.py"))


def long_modules() -> list[str]:
    out = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        if lines > MAX_MODULE_LINES:
            out.append(f"{path.relative_to(ROOT)}: {lines} lines")
    return out


def long_functions() -> list[str]:
    out = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    out.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {length} lines")
    return out


if __name__ == "__main__":
    import sys
    found = long_modules() + long_functions()
    print("\n".join(found) or "all in shape")
    sys.exit(1 if found else 0)
