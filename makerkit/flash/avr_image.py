"""Firmware images for AVR boards: read the HEX file and check it fits the board, before any upload.

Every check here happens before the port is opened, so a wrong file never half-erases a board.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..catalog.boards import BoardProfile
from ..errors import FirmwareImageError
from ..firmware_images import image_path
from ..protocol.intel_hex import HexFormatError, parse_intel_hex

MAX_HEX_FILE = 4 * 1024 * 1024  # a HEX file for a 256 KiB chip is under 1 MB; refuse bigger reads


@dataclass(frozen=True)
class AvrImage:
    """The bytes to write from flash address 0, already padded to whole pages with 0xFF."""
    name: str
    data: bytes
    used: int          # bytes of real data in the file (gaps not counted)

    @property
    def size(self) -> int:
        return len(self.data)


def resolve_firmware(board: BoardProfile, firmware: str | Path | None) -> Path:
    """The file to flash: ``firmware``, or the makerkit image packaged for ``board``."""
    if firmware is not None:
        return Path(firmware)
    if not board.firmware:
        raise FirmwareImageError(
            en=f"makerkit ships no firmware for the {board.name}; give one with --firmware FILE.hex.",
            zh=f"makerkit 没有为 {board.name_zh} 自带固件；请用 --firmware 文件.hex 指定一个。",
            board=board.id)
    return image_path(board.firmware)


def load_avr_image(board: BoardProfile, firmware: str | Path | None, *, page_size: int = 128) -> AvrImage:
    """Read and check the image for ``board``; raises :class:`FirmwareImageError` saying what is wrong."""
    path = resolve_firmware(board, firmware)
    name = path.name
    try:
        if path.stat().st_size > MAX_HEX_FILE:
            raise FirmwareImageError(
                en=f"{name} is {path.stat().st_size // 1024} KB: far too big to be firmware for the {board.name}.",
                zh=f"{name} 有 {path.stat().st_size // 1024} KB，远远超过 {board.name_zh} 固件应有的大小。",
                file=str(path))
        content = path.read_bytes()
    except FileNotFoundError:
        raise FirmwareImageError(
            en=f"There is no firmware file called {path}.",
            zh=f"找不到固件文件 {path}。",
            hint_en="Check the file name and folder; in the Arduino IDE, 'Sketch > Export compiled Binary' makes a .hex file.",
            hint_zh="请检查文件名和文件夹；在 Arduino IDE 里用“项目 > 导出已编译的二进制文件”可以得到 .hex 文件。",
            file=str(path)) from None
    except IsADirectoryError:
        raise FirmwareImageError(en=f"{path} is a folder, not a firmware file.",
                                 zh=f"{path} 是一个文件夹，不是固件文件。", file=str(path)) from None
    try:
        hex_image = parse_intel_hex(content)
    except HexFormatError as exc:
        where_en = f" (line {exc.line}: {exc.reason})" if exc.line else f" ({exc.reason})"
        where_zh = f"（第 {exc.line} 行有问题）" if exc.line else ""
        raise FirmwareImageError(
            en=f"{name} is not a complete Intel HEX file{where_en}.",
            zh=f"{name} 不是完整的 Intel HEX 固件文件{where_zh}。",
            hint_en=("Use the .hex file the Arduino IDE or arduino-cli exported (not the .ino, .bin or .elf); "
                     "if it was downloaded or copied, do it again: the file may be cut short or damaged."),
            hint_zh=("请使用 Arduino IDE 或 arduino-cli 导出的 .hex 文件（不是 .ino、.bin 或 .elf）；"
                     "如果是下载或拷贝来的，请重新获取一次：文件可能不完整或已损坏。"),
            file=str(path), line=exc.line) from None
    room = board.app_flash_size
    if hex_image.end > room:
        raise FirmwareImageError(
            en=(f"{name} is too big for the {board.name}: it needs {hex_image.end} bytes of flash, but "
                f"only {room} are free for a sketch (the bootloader uses the last {board.bootloader_size})."),
            zh=(f"{name} 对 {board.name_zh} 来说太大了：它需要 {hex_image.end} 字节闪存，但留给程序的只有 "
                f"{room} 字节（最后 {board.bootloader_size} 字节是引导程序）。"),
            hint_en=("Make the sketch smaller (fewer libraries, shorter texts, F(\"...\") for strings), or pick the "
                     "right board; a .hex 'with_bootloader' cannot be uploaded through the bootloader."),
            hint_zh="请精简程序（少用库、缩短文字），或确认选对了开发板；带引导程序（with_bootloader）的 .hex 不能通过引导程序上传。",
            file=str(path), size=hex_image.end, room=room)
    end = -(-hex_image.end // page_size) * page_size
    return AvrImage(name=name, data=hex_image.flat(0, end), used=hex_image.size)


__all__ = ["AvrImage", "load_avr_image", "resolve_firmware"]
