"""Flash many boards at once: one thread per port, each board's failure its own.

``flash_many(board="esp32", ports=["COM5", "COM6", ...], firmware="micropython.bin")`` runs
:func:`makerkit.flash.flash_board` for every port on its own thread (the uploaders keep their state
per call, and esptool's output is routed per thread), so eight boards take about as long as the
slowest one. ``progress(port, phase, done, total)`` sees each board's phases as ``flash_board``
reports them. A board that fails (not in download mode, cable pulled, wrong chip) ends only its own
run; the result lists every port with its :class:`~makerkit.flash.FlashResult` or its error, and
:meth:`ParallelFlashResult.retry_command` is the ``makerkit flash`` command that retries just the
failed ports.
"""

from __future__ import annotations

import shlex
import threading
import time
from dataclasses import dataclass
from typing import Callable, Optional

from ..catalog.boards import BoardProfile, load_board
from ..errors import FirmwareImageError, FlashError, MakerkitError, UsageError
from . import FlashResult, flash_board

PortProgress = Callable[[str, str, int, int], None]
"""``progress(port, phase, done, total)``; phases as in :mod:`makerkit.flash`."""


@dataclass(frozen=True)
class PortOutcome:
    """What happened on one port: ``result`` when it was flashed, else ``error``."""
    port: str
    result: Optional[FlashResult] = None
    error: Optional[MakerkitError] = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True)
class ParallelFlashResult:
    board: str
    firmware: Optional[str]
    outcomes: tuple[PortOutcome, ...]
    seconds: float

    @property
    def failed(self) -> list[PortOutcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def ok(self) -> bool:
        return not self.failed

    def retry_command(self) -> str:
        """The ``makerkit flash`` command for just the failed ports ("" when none failed)."""
        if self.ok:
            return ""
        words = ["makerkit", "flash", "--board", self.board]
        for outcome in self.failed:
            words += ["--port", outcome.port]
        if self.firmware:
            words += ["--firmware", self.firmware]
        return " ".join(shlex.quote(w) for w in words)


def _one(profile: BoardProfile, port: str, firmware: Optional[str], progress: Optional[PortProgress],
         options: dict) -> PortOutcome:
    started = time.monotonic()
    report = None if progress is None else (lambda phase, done, total: progress(port, phase, done, total))
    try:
        result = flash_board(board=profile, port=port, firmware=firmware, progress=report, **options)
    except MakerkitError as exc:
        return PortOutcome(port, error=exc, seconds=time.monotonic() - started)
    except Exception as exc:  # noqa: BLE001 - one board's surprise must not take the others down
        error = FlashError(en=f"Flashing the board on {port} failed unexpectedly: {exc}.",
                           zh=f"给 {port} 上的开发板烧录时出现意外错误：{exc}。", port=port)
        return PortOutcome(port, error=error, seconds=time.monotonic() - started)
    return PortOutcome(port, result=result, seconds=time.monotonic() - started)


def flash_many(*, board: str | BoardProfile, ports: list[str], firmware: Optional[str] = None,
               progress: Optional[PortProgress] = None, **options) -> ParallelFlashResult:
    """Flash ``firmware`` onto the boards at ``ports``, all at once; ``options`` as for
    :func:`~makerkit.flash.flash_board`. Never raises for one board's failure: read
    ``result.failed``. Raises :class:`UsageError` for a port given twice, and the image's
    :class:`FirmwareImageError` when the file itself is refused (the same for every board)."""
    profile = load_board(board)
    ports = list(ports)
    twice = sorted({p for p in ports if ports.count(p) > 1})
    if twice:
        raise UsageError(en=f"The port {twice[0]} is given more than once.",
                         zh=f"串口 {twice[0]} 被写了不止一次。",
                         hint_en="Give each --port once.", hint_zh="每个 --port 只写一次。", port=twice[0])
    started = time.monotonic()
    outcomes: dict[str, PortOutcome] = {}
    threads = []
    for port in ports:
        def run(port=port) -> None:
            outcomes[port] = _one(profile, port, firmware, progress, options)
        thread = threading.Thread(target=run, name=f"makerkit-flash-{port}", daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join()
    ordered = tuple(outcomes[p] for p in ports)
    errors = [o.error for o in ordered]
    # the file itself was refused before any port was opened: one error, not one per board
    if errors and all(isinstance(e, FirmwareImageError) and e.details.get("port") is None for e in errors):
        raise errors[0]
    return ParallelFlashResult(board=profile.id, firmware=None if firmware is None else str(firmware),
                               outcomes=ordered, seconds=time.monotonic() - started)


__all__ = ["ParallelFlashResult", "PortOutcome", "PortProgress", "flash_many"]
