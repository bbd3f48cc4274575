"""Find the data folders that ship with makerkit: ``boards/``, ``lessons/``, ``firmware/``.

They are package data: the packages ``makerkit._data.boards``, ``.lessons`` and ``.firmware`` are the
repository's top-level folders (setup.py maps them), so :mod:`importlib.resources` finds them in a
wheel (inside the installed package) and in an editable install (the checkout's folders) alike. A
plain source checkout run without installing finds them beside the ``makerkit`` package.
``MAKERKIT_DATA`` (a folder holding ``boards/``, ``lessons/``...) overrides all of these.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from .errors import CatalogError

DATA_PACKAGE = "makerkit._data"


def packaged_dir(name: str) -> Path | None:
    """The folder ``name`` as the installed package ``makerkit._data.<name>``, if it is one on disk."""
    try:
        found = resources.files(f"{DATA_PACKAGE}.{name}")
    except (ModuleNotFoundError, TypeError):
        return None
    return found if isinstance(found, Path) and found.is_dir() else None


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"boards"``, ``"lessons"``, ``"firmware"``)."""
    candidates = []
    if os.environ.get("MAKERKIT_DATA"):
        candidates.append(Path(os.environ["MAKERKIT_DATA"]) / name)
    packaged = packaged_dir(name)
    if packaged is not None:
        candidates.append(packaged)
    candidates.append(Path(__file__).resolve().parent.parent / name)
    for path in candidates:
        if path.is_dir():
            return path
    raise CatalogError(
        en=f"makerkit cannot find its '{name}' folder (looked in: {', '.join(map(str, candidates))}).",
        zh=f"makerkit 找不到它的 '{name}' 文件夹（查找过：{', '.join(map(str, candidates))}）。",
        hint_en="Reinstall makerkit (`pip install --force-reinstall makerkit`).",
        hint_zh="请重新安装 makerkit（`pip install --force-reinstall makerkit`）。")
