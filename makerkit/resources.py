"""Find the data folders that ship with makerkit: ``boards/``, ``lessons/``, ``firmware/``.

In a source checkout (and an editable install) they sit beside the ``makerkit`` package; a wheel
installs them under ``<prefix>/share/makerkit/``. ``MAKERKIT_DATA`` overrides both.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from .errors import CatalogError


def data_dir(name: str) -> Path:
    """Return the folder ``name`` (``"boards"``, ``"lessons"``, ``"firmware"``)."""
    candidates = []
    if os.environ.get("MAKERKIT_DATA"):
        candidates.append(Path(os.environ["MAKERKIT_DATA"]) / name)
    candidates.append(Path(__file__).resolve().parent.parent / name)
    candidates.append(Path(sys.prefix) / "share" / "makerkit" / name)
    for path in candidates:
        if path.is_dir():
            return path
    raise CatalogError(
        en=f"makerkit cannot find its '{name}' folder (looked in: {', '.join(map(str, candidates))}).",
        zh=f"makerkit 找不到它的 '{name}' 文件夹（查找过：{', '.join(map(str, candidates))}）。",
        hint_en="Reinstall makerkit (`pip install --force-reinstall makerkit`).",
        hint_zh="请重新安装 makerkit（`pip install --force-reinstall makerkit`）。")
