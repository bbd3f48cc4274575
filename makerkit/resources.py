"""Find the data folders that ship with makerkit: ``boards/``, ``lessons/``, ``firmware/``.

They are package data: the packages ``makerkit._data.boards``, ``.lessons`` and ``.firmware`` are the
repository's top-level folders (setup.py maps them), so :mod:`importlib.resources` finds them in a
wheel (inside the installed package) and in an editable install (the checkout's folders) alike. A
plain source checkout run without installing finds them beside the ``makerkit`` package.
``MAKERKIT_DATA`` (a folder holding ``boards/``, ``lessons/``...) overrides all of these.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import CatalogError, FlashError

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


def firmware_files() -> dict[str, bytes]:
    """The MicroPython firmware's files by board path: ``/mkfw/*.py`` and ``/main.py`` (what ``makerkit
    deploy`` writes onto a kit, and what the virtual kit runs)."""
    import mkfw
    package = Path(mkfw.__file__).resolve().parent
    files = {f"/mkfw/{p.name}": p.read_bytes() for p in sorted(package.glob("*.py"))}
    main = data_dir("firmware") / "micropython" / "main.py"
    if main.is_file():
        files["/main.py"] = main.read_bytes()
    else:
        raise FlashError(en=f"makerkit cannot find the firmware's main.py ({main}).",
                         zh=f"makerkit 找不到固件的 main.py（{main}）。",
                         hint_en="Reinstall makerkit.", hint_zh="请重新安装 makerkit。")
    return files


def firmware_build(files: dict[str, bytes] | None = None) -> str:
    """The build id of the firmware files (``/mkfw/*.py`` and ``/main.py``): the first 12 hex digits of
    a SHA-256 over their paths and contents. Deploy writes it into the kit's config, so the kit reports
    ``makerkit 1.0.0+BUILD`` and a kit whose files are older shows up as outdated."""
    if files is None:
        return packaged_firmware_build()
    digest = hashlib.sha256()
    for path, data in sorted(files.items()):
        digest.update(path.encode() + b"\0" + str(len(data)).encode() + b"\0" + data)
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def packaged_firmware_build() -> str:
    """The build id of the firmware files this makerkit ships (read once per process)."""
    return firmware_build(firmware_files())
