"""Firmware images that ship inside the makerkit package, so ``makerkit flash`` works offline.

``makerkit-uno.hex`` and ``makerkit-nano.hex`` are built from ``firmware/arduino/`` by
``make -C firmware/arduino`` and copied here (a test checks they match a fresh build).
A board profile names its image in its ``firmware`` key.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import FirmwareImageError

_HERE = Path(__file__).resolve().parent


def image_path(name: str) -> Path:
    """The path of the packaged image ``name`` (``"makerkit-uno.hex"``)."""
    path = _HERE / name
    if not name or "/" in name or "\\" in name or not path.is_file():
        shipped = ", ".join(sorted(p.name for p in _HERE.glob("*.hex"))) or "none"
        raise FirmwareImageError(
            en=f"makerkit has no packaged firmware called {name!r} (it ships: {shipped}).",
            zh=f"makerkit 没有自带名为 {name!r} 的固件（自带的有：{shipped}）。",
            hint_en="Give a firmware file with --firmware, or reinstall makerkit.",
            hint_zh="请用 --firmware 指定固件文件，或重新安装 makerkit。")
    return path


def packaged_images() -> list[str]:
    return sorted(p.name for p in _HERE.glob("*.hex"))


__all__ = ["image_path", "packaged_images"]
