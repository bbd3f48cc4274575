"""Flash an ESP32-family board through esptool's library API (the one module that imports esptool).

``flash_esp32(board="esp32", port="/dev/ttyUSB0", firmware="micropython.bin")``:

1. reads and checks the image (:mod:`makerkit.flash.esp_image`) against the board profile before the
   port is opened: an ESP32-S3 image for an ``esp32`` board is refused at once;
2. connects (esptool's auto-reset into download mode), detects the chip and refuses an image for
   another chip; loads esptool's flasher stub, attaches the SPI flash and checks the image fits;
3. switches to the profile's ``flash_baud``, compares the flash with the image (the chip's MD5 of
   each 64 KiB block) and writes, compressed, only the blocks that differ; when the link fails it
   starts over at the next slower rate of ``flash_baud_fallback``;
4. verifies (MD5 of the flash region, done by esptool) and resets the board into the app.

esptool's own output never reaches the terminal: a logger installed in esptool's logging seam sends
its progress bars to ``progress(phase, done, total)`` and its lines into ``FlashResult.details["log"]``
and the ``makerkit.flash.esp32`` Python logger (DEBUG). The routing is per thread (a context
variable), so several boards can be flashed at once from threads.

makerkit cannot download MicroPython for you: get the ``.bin`` for your chip from
micropython.org/download (ESP32_GENERIC for an ESP32 DevKit or 掌控板, ESP32_GENERIC_S3 for an S3).
"""

from __future__ import annotations

import contextvars
import hashlib
import logging
import re
import time
from typing import Callable, Optional

import esptool.cmds as esp_cmds
from esp_pylib.logger import EspLog, EspLogBase
from esptool.util import FatalError

from ..catalog.boards import BoardProfile, load_board
from ..errors import (DisconnectedError, FirmwareImageError, FlashError, MakerkitError,
                      PortBusyError, PortNotFoundError, PortPermissionError, SyncError, UsageError,
                      VerifyError)
from . import FlashResult
from .esp_image import EspImage, check_chip, check_fits, check_image_for_board, chip_name, read_image

_log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
ROM_BAUD = 115200
COMPARE_BLOCK = 0x10000     # bytes: one flash MD5 decides whether this much is written again
WHERE_TO_GET = "micropython.org/download (ESP32_GENERIC, ESP32_GENERIC_S3, ...)"


# -- esptool's output, routed into makerkit -------------------------------------------------------

class _Sink:
    """Where one flashing run's esptool output goes."""

    def __init__(self, progress: Optional[Progress]):
        self.progress = progress
        self.lines: list[str] = []
        self.wire_bytes = 0
        self._base = self._last_done = self._last_total = 0
        self._partial = ""

    def text(self, message: str, end: str = "\n") -> None:
        self._partial += message + end
        while "\n" in self._partial:
            line, self._partial = self._partial.split("\n", 1)
            if line.strip():
                self.lines.append(line.rstrip())
                _log.debug("esptool: %s", line.rstrip())

    def phase(self, phase: str, done: int, total: int) -> None:
        if phase == "write":
            # esptool reports each written region from 0: report them as one run of bytes
            if done < self._last_done:
                self._base += self._last_total
            self._last_done, self._last_total = done, total
            done, total = done + self._base, total + self._base
            self.wire_bytes = total
        if self.progress is not None:
            self.progress(phase, done, total)


_sink: contextvars.ContextVar[Optional[_Sink]] = contextvars.ContextVar("makerkit_esptool_sink",
                                                                          default=None)


class _RoutingLog(EspLogBase):
    """esptool's logger while makerkit runs: output goes to the current run's sink; outside a
    makerkit run (someone else using esptool in this process) it falls through unchanged."""

    def __init__(self, fallback: EspLogBase):
        self.fallback = fallback

    def _emit(self, name: str, args, kwargs, prefix: str = "") -> None:
        sink = _sink.get()
        if sink is None:
            getattr(self.fallback, name)(*args, **kwargs)
            return
        end = kwargs.get("end", "\n")
        sink.text(prefix + " ".join(str(a) for a in args), end)

    def print(self, *args, **kwargs) -> None:
        self._emit("print", args, kwargs)

    def note(self, *args) -> None:
        self._emit("note", args, {}, "Note: ")

    def hint(self, *args) -> None:
        self._emit("hint", args, {}, "Hint: ")

    def debug(self, *args) -> None:
        self._emit("debug", args, {}, "Debug: ")

    def warn(self, *args, suggestion=None) -> None:
        self._emit("warn", args, {"suggestion": suggestion} if _sink.get() is None else {}, "Warning: ")

    def err(self, *args, suggestion=None) -> None:
        self._emit("err", args, {"suggestion": suggestion} if _sink.get() is None else {}, "Error: ")

    # esptool calls these old names too
    def warning(self, message, suggestion=None) -> None:
        self.warn(message, suggestion=suggestion)

    def error(self, message, suggestion=None) -> None:
        self.err(message, suggestion=suggestion)

    def stage(self, finish: bool = False) -> None:
        if _sink.get() is None:
            self.fallback.stage(finish)

    def set_verbosity(self, mode) -> None:
        self.fallback.set_verbosity(mode)

    def progress_bar(self, cur_iter, total_iters, prefix="", suffix="", bar_length=30) -> None:
        sink = _sink.get()
        if sink is None:
            self.fallback.progress_bar(cur_iter, total_iters, prefix, suffix, bar_length)
        else:
            sink.phase("write", int(cur_iter), int(total_iters))

    def counter_line(self, prefix, suffix, *, final=False) -> None:
        if _sink.get() is None:
            self.fallback.counter_line(prefix, suffix, final=final)

    def set_logger(self, new_logger) -> None:          # keep esptool's own API working
        EspLog.instance = new_logger


def _install_router() -> None:
    current = EspLog.instance
    if isinstance(current, _RoutingLog):
        return
    if current is None:
        from esptool.logger import EsptoolLogger
        current = EsptoolLogger()
    EspLog.instance = _RoutingLog(current)


# -- errors -----------------------------------------------------------------------------------------

class _LinkFailure(Exception):
    """The serial link failed mid-operation; a slower baud rate may help."""

    def __init__(self, cause: BaseException, writing: bool):
        super().__init__(str(cause))
        self.cause = cause
        self.writing = writing


def _open_error(port: str, exc: BaseException) -> MakerkitError:
    text = str(exc)
    if re.search(r"Errno 13|Permission denied", text):
        return PortPermissionError(en=f"makerkit may not open {port}.", zh=f"makerkit 没有权限打开 {port}。",
                                   port=port)
    if re.search(r"Errno 16|resource busy|exclusively lock|Access is denied", text, re.I):
        return PortBusyError(en=f"{port} is held by another program.", zh=f"{port} 正被别的程序占用。",
                             port=port)
    return PortNotFoundError(en=f"There is no serial port {port} (or the board was unplugged).",
                             zh=f"找不到串口 {port}（或者开发板被拔掉了）。", port=port)


def _not_in_download_mode(port: str, board: BoardProfile) -> SyncError:
    return SyncError(
        en=f"The {board.name} on {port} did not answer as an ESP32 bootloader: it is not in download mode.",
        zh=f"{port} 上的{board.name_zh}没有以 ESP32 引导程序的身份回答：它没有进入下载模式。",
        hint_en="Hold the BOOT button, tap EN (or RST), release BOOT, then run the command again. "
                "Check that the cable carries data (some cables only charge).",
        hint_zh="请按住 BOOT 键，再按一下 EN（或 RST）键，然后松开 BOOT，再运行一次命令。"
                "也请确认 USB 线能传输数据（有些线只能充电）。",
        port=port, board=board.id)


def _lost(port: str, image: EspImage) -> DisconnectedError:
    return DisconnectedError(
        en=f"The connection to {port} was lost while writing {image.name}. The firmware on the board is "
           f"now incomplete and the board may need re-flashing; nothing else was touched "
           f"(only flash from {image.offset:#x} to {image.end:#x} was being written).",
        zh=f"写入 {image.name} 时和 {port} 的连接断开了。开发板上的固件现在不完整，可能需要重新烧录；"
           f"其他内容都没有被改动（只写了 {image.offset:#x} 到 {image.end:#x} 的闪存区域）。",
        hint_en="Plug the board in again (try another USB port or a shorter cable) and run the same "
                "flash command again. If it does not connect, hold BOOT while you plug it in.",
        hint_zh="请重新插好开发板（换一个 USB 口或更短的线），然后再运行同样的烧录命令。"
                "如果连不上，请在插入时按住 BOOT 键。",
        port=port, file=image.name)


_VERIFY = re.compile(r"MD5 of file does not match|written flash region is empty")


# -- the flashing run -------------------------------------------------------------------------------

def _connect(port: str, board: BoardProfile, attempts: int):
    try:
        return esp_cmds.detect_chip(port, ROM_BAUD, "default-reset", False, attempts)
    except FatalError as exc:
        text = str(exc)
        if "Could not open" in text:
            raise _open_error(port, exc) from None
        if "Failed to connect" in text or "No serial data" in text or "autodetect" in text:
            raise _not_in_download_mode(port, board) from None
        raise FlashError(en=f"esptool could not talk to the board on {port}: {text.splitlines()[0]}",
                         zh=f"esptool 无法和 {port} 上的开发板通信：{text.splitlines()[0]}",
                         port=port) from None
    except OSError as exc:                          # pyserial's SerialException is an OSError
        raise _open_error(port, exc) from None


def _chip_key(esp) -> str:
    return esp.CHIP_NAME.lower().replace("-", "")


def _reset_into_app(esp, port: str) -> None:
    if port.startswith(("socket://", "loop://")):
        # no modem lines to pulse: ask the loader itself to reboot into the app (FLASH_END, reboot)
        esp.flash_begin(0, 0, logging=False)
        esp.flash_finish(reboot=True)
    else:
        esp_cmds.reset_chip(esp, "hard-reset")


def _changed_regions(esp, image: EspImage) -> list[tuple[int, bytes]]:
    """The parts of ``image`` the flash does not hold yet, as ``(address, data)`` runs of whole
    :data:`COMPARE_BLOCK` blocks, found with the chip's own MD5 of each block (SPI_FLASH_MD5): nothing
    is read back over the wire. A board that already holds the image needs one MD5 and no write."""
    data, base = image.data, image.offset
    if esp.flash_md5sum(base, len(data)) == hashlib.md5(data).hexdigest():
        return []
    regions, start = [], None
    for pos in range(0, len(data), COMPARE_BLOCK):
        chunk = data[pos:pos + COMPARE_BLOCK]
        same = esp.flash_md5sum(base + pos, len(chunk)) == hashlib.md5(chunk).hexdigest()
        if not same and start is None:
            start = pos
        elif same and start is not None:
            regions.append((base + start, data[start:pos]))
            start = None
    if start is not None:
        regions.append((base + start, data[start:]))
    return regions


def _flash_once(*, board: BoardProfile, port: str, image: EspImage, baud: int, compress: bool,
                connect_attempts: int, reset: bool, sink: _Sink, skip_unchanged: bool = True) -> dict:
    sink.phase("connect", 0, 1)
    esp = _connect(port, board, connect_attempts)
    writing = False
    try:
        chip = _chip_key(esp)
        where_en, where_zh = f"the board on {port}", f" {port} 上的开发板"
        check_chip(image, chip, where_en=where_en, where_zh=where_zh)
        try:
            mac = ":".join(f"{b:02x}" for b in esp.read_mac())
        except (FatalError, NotImplementedError, TypeError):
            mac = ""
        sink.phase("connect", 1, 1)
        esp = esp_cmds.run_stub(esp)
        esp_cmds.attach_flash(esp)
        detected_size = _flash_bytes(esp_cmds.detect_flash_size(esp))
        flash_size = detected_size or board.flash_size           # unknown flash chip: trust the profile
        check_fits(image, flash_size, where_en=where_en, where_zh=where_zh)
        if baud != ROM_BAUD:
            esp.change_baud(baud)
        t0 = time.monotonic()
        regions = _changed_regions(esp, image) if skip_unchanged else [(image.offset, image.data)]
        writing = True
        if regions:
            esp_cmds.write_flash(esp, regions, compress=compress, no_compress=not compress)
        seconds = time.monotonic() - t0
        writing = False
        sink.phase("verify", 1, 1)
        if reset:
            _reset_into_app(esp, port)
        written = sum(len(data) for _, data in regions)
        return dict(chip=chip, mac=mac, flash_size=flash_size, flash_size_detected=bool(detected_size),
                    write_seconds=seconds, regions=[(address, len(data)) for address, data in regions],
                    skipped_bytes=image.size - written)
    except MakerkitError:
        raise
    except FatalError as exc:
        if _VERIFY.search(str(exc)):
            raise VerifyError(
                en=f"After writing {image.name}, the flash of the board on {port} does not hold the same "
                   "bytes (MD5 check failed).",
                zh=f"写入 {image.name} 之后，{port} 上开发板闪存里的内容和文件不一致（MD5 校验失败）。",
                hint_en="Flash again; if it fails again the board's flash chip may be faulty.",
                hint_zh="请再烧录一次；如果还是失败，开发板的闪存芯片可能坏了。",
                port=port, file=image.name) from None
        raise _LinkFailure(exc, writing) from None
    except OSError as exc:                          # includes pyserial's SerialException
        raise _LinkFailure(exc, writing) from None
    finally:
        try:
            esp._port.close()
        except Exception:  # noqa: BLE001 - the port may already be gone
            pass


def _flash_bytes(size: Optional[str]) -> Optional[int]:
    if not size:
        return None
    number = int(re.match(r"\d+", size).group())
    return number << (20 if "MB" in size else 10)


def _image_for(profile: BoardProfile, firmware: Optional[str], address: Optional[int]):
    """The image in ``firmware``, checked for the board before any port is opened."""
    if profile.flash_method != "esptool":
        raise UsageError(en=f"The {profile.name} is not flashed with esptool.",
                         zh=f"{profile.name_zh} 不是用 esptool 烧录的。", board=profile.id)
    if firmware is None:
        raise FirmwareImageError(
            en="makerkit does not ship or download MicroPython; give the .bin file with --firmware.",
            zh="makerkit 不自带也不会下载 MicroPython 固件；请用 --firmware 指定 .bin 文件。",
            hint_en=f"Download the MicroPython .bin for your chip from {WHERE_TO_GET}, then run "
                    "`makerkit flash --board esp32 --port PORT --firmware FILE.bin`.",
            hint_zh=f"请从 {WHERE_TO_GET} 下载适合你芯片的 MicroPython .bin 文件，然后运行 "
                    "`makerkit flash --board esp32 --port 串口 --firmware 文件.bin`。", board=profile.id)
    image = read_image(firmware, offset=address)
    check_image_for_board(image, profile)

    return image


def _try_rates(rates: list[int], failures: list[str], sink, *, port: str, image, **flash):
    """Flash at each rate in turn until one link holds: ``(rate, info, lost_mid_write)``, ``info``
    None when every rate failed (each failure appended to ``failures``)."""
    lost_mid_write = False
    for rate in rates:
        try:
            return rate, _flash_once(port=port, image=image, baud=rate, sink=sink, **flash), lost_mid_write
        except _LinkFailure as failure:
            failures.append(f"{rate}: {failure}")
            lost_mid_write = lost_mid_write or failure.writing
            sink.text(f"makerkit: link failed at {rate} baud ({failure}); "
                      "trying a slower rate" if rate != rates[-1] else "")
        except (PortNotFoundError, PortBusyError, SyncError):
            if lost_mid_write:              # it was there a moment ago: it vanished mid-write
                raise _lost(port, image) from None
            raise
    return rates[-1], None, lost_mid_write


def flash_esp32(*, board: str | BoardProfile, port: str, firmware: Optional[str] = None,
                baud: Optional[int] = None, progress: Optional[Progress] = None,
                address: Optional[int] = None, compress: bool = True, reset: bool = True,
                connect_attempts: int = 4, verify: bool = True, skip_unchanged: bool = True) -> FlashResult:
    """Write ``firmware`` (a local ``.bin``) to the ESP32-family board at ``port``.

    ``baud`` overrides the profile's ``flash_baud`` (slower fallbacks still apply); ``address``
    overrides where the image goes (normally worked out from the image: 0x1000 for a merged ESP32
    image, 0x0 for an S3/C3 one, 0x10000 for an app). ``progress(phase, done, total)`` sees
    ``connect``, ``write`` (bytes on the wire), ``verify`` and ``done``.
    ``verify`` is accepted for the common ``flash_board`` options, but esptool always checks the
    written region's MD5 on the chip (it costs milliseconds), so ESP32 flashes are always verified.
    ``skip_unchanged`` (default) first compares the flash with the image block by block (the chip's
    MD5 of each 64 KiB) and writes only the blocks that differ: re-flashing a board that already
    holds the image writes nothing (``details["regions"]`` lists what was written,
    ``details["skipped_bytes"]`` what was already there).
    Raises FirmwareImageError (bad, wrong-chip or too-big image), SyncError (not in download
    mode), DisconnectedError (port lost mid-write), VerifyError, or a port error.
    """
    profile = load_board(board)
    image = _image_for(profile, firmware, address)
    first = baud or profile.flash_baud
    rates = [first] + [r for r in profile.flash_baud_fallback if r < first]
    _install_router()
    sink = _Sink(progress)
    token = _sink.set(sink)
    started = time.monotonic()
    failures: list[str] = []
    try:
        rate, info, lost_mid_write = _try_rates(rates, failures, sink, board=profile, port=port, image=image,
                                                compress=compress, connect_attempts=connect_attempts,
                                                reset=reset, skip_unchanged=skip_unchanged)
    finally:
        _sink.reset(token)
    if info is not None:
        sink.phase("done", image.size, image.size)
        return FlashResult(
            board=profile.id, port=port, firmware=str(firmware), method="esptool",
            bytes_written=image.size, seconds=time.monotonic() - started, verified=True,
            baud=rate, details=dict(info, offset=image.offset, kind=image.kind,
                                    image_chip=image.chip, compressed=compress,
                                    wire_bytes=sink.wire_bytes, attempts=len(failures) + 1,
                                    failures=failures, log=list(sink.lines)))
    if lost_mid_write:
        raise _lost(port, image)
    raise FlashError(
        en=f"The link to {port} kept failing, even at {rates[-1]} baud; nothing was written.",
        zh=f"和 {port} 的连接一直出错，降到 {rates[-1]} 波特率也不行；没有写入任何内容。",
        hint_en="Use a shorter or better USB cable, plug the board straight into the computer "
                "(not a hub), and try again.",
        hint_zh="请换一根更短或质量更好的 USB 线，把开发板直接插在电脑上（不要用 USB 集线器），然后再试。",
        port=port, failures=failures)


__all__ = ["flash_esp32", "WHERE_TO_GET"]
