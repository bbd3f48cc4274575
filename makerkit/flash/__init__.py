"""Putting firmware on a board: one entry point, :func:`flash_board`, for every board family.

``flash_board(board="uno", port="COM5")`` checks the image against the board profile *before* it
touches the port (a file that is not Intel HEX, a sketch too big for the flash...), then hands over
to the board's uploader, chosen by the profile's ``flash_method``:

==============  ==========================================  ======================================
flash_method    uploader                                    boards
==============  ==========================================  ======================================
``stk500v1``    :func:`makerkit.flash.avr.flash_avr`        Uno, Nano (Optiboot / ATmegaBOOT)
``esptool``     :func:`makerkit.flash.esp32.flash_esp32`    ESP32 boards (esptool's library API)
==============  ==========================================  ======================================

Uploaders are imported only when used. Progress is reported through ``progress(phase, done,
total)``: ``phase`` is ``"connect"``, ``"write"``, ``"verify"`` or ``"done"``; ``done``/``total``
count bytes (``connect``: attempts). The library never prints; the CLI renders the bar.
Several boards at once: :func:`makerkit.flash.parallel.flash_many` (one thread per port, one
failure never stops the others, a retry command for the failed ports).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from ..catalog.boards import BoardProfile, load_board
from ..errors import FlashError

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; see the module documentation."""


@dataclass(frozen=True)
class FlashResult:
    """What an upload did. ``seconds`` is wall time from opening the port to the board restarting."""
    board: str
    port: str
    firmware: str
    method: str
    bytes_written: int
    seconds: float
    verified: bool
    baud: int = 0
    details: dict = field(default_factory=dict, compare=False)


def flash_board(*, board: str | BoardProfile, port: str, firmware: Optional[str] = None,
                progress: Optional[Progress] = None, **options) -> FlashResult:
    """Flash ``firmware`` (default: makerkit's packaged image for the board) onto the board at ``port``.

    ``board`` is a profile id (``"uno"``) or a :class:`BoardProfile`. ``options`` go to the
    uploader (for AVR: ``baud``, ``verify``, ``sync_attempts``). Raises
    :class:`~makerkit.errors.FirmwareImageError` (exit 6) for a bad image before the port is
    opened, :class:`~makerkit.errors.SyncError` (7) when the bootloader does not answer,
    :class:`~makerkit.errors.VerifyError` (8) when the read-back differs, and other
    :class:`~makerkit.errors.FlashError` (5) / connection errors (3).
    """
    profile = load_board(board)
    method = profile.flash_method
    if method == "stk500v1":
        from .avr import flash_avr
        return flash_avr(board=profile, port=port, firmware=firmware, progress=progress, **options)
    if method == "esptool":
        from .esp32 import flash_esp32
        return flash_esp32(board=profile, port=port, firmware=firmware, progress=progress, **options)
    raise FlashError(
        en=f"makerkit cannot flash the {profile.name} yet: its bootloader speaks {method}, which "
           "makerkit does not implement.",
        zh=f"makerkit 暂时不能给 {profile.name_zh} 烧录：它的引导程序使用 {method} 协议，makerkit 还不支持。",
        hint_en="Upload the firmware with the Arduino IDE for this board, then use makerkit to drive it.",
        hint_zh="请先用 Arduino IDE 给这块板子上传固件，然后再用 makerkit 控制它。",
        board=profile.id, method=method)


__all__ = ["FlashResult", "Progress", "flash_board"]
