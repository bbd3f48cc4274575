"""Upload firmware to an Arduino Uno / Nano through its Optiboot bootloader (STK500v1), in pure Python.

No avrdude needed. The steps are the Arduino IDE's: reset the board (opening the port pulses DTR,
and :meth:`Transport.pulse_reset` pulses it again), catch the bootloader in the second it listens
after a reset (``GET_SYNC`` with retries), check the chip signature, write the image page by page,
read it all back and compare, then leave programming mode so the board starts the new sketch.

Entry point: :func:`flash_avr` (usually reached through :func:`makerkit.flash.flash_board`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..catalog.boards import BoardProfile
from ..errors import FlashError, SyncError, VerifyError
from ..protocol import stk500
from ..transport import open_transport
from ..transport.base import Transport
from . import FlashResult, Progress
from .avr_image import AvrImage, load_avr_image

SYNC_REPLY_TIMEOUT = 0.25   # Optiboot answers GET_SYNC within a few ms once it listens
REPLY_TIMEOUT = 1.0         # a page write takes ~4.5 ms on the chip; anything near 1 s is a dead link
READ_CHUNK = 256            # READ_PAGE may cover up to 256 bytes, halving the verify round trips


@dataclass(frozen=True)
class Chip:
    name: str
    signature: bytes
    page_size: int


CHIPS = {
    "atmega328p": Chip("ATmega328P", bytes([0x1E, 0x95, 0x0F]), 128),
    "atmega328": Chip("ATmega328", bytes([0x1E, 0x95, 0x14]), 128),
    "atmega168": Chip("ATmega168", bytes([0x1E, 0x94, 0x06]), 128),
}
_BY_SIGNATURE = {chip.signature: chip for chip in CHIPS.values()}


class _LinkLost(Exception):
    def __init__(self, command: stk500.Command, why: str):
        super().__init__(why)
        self.command = command
        self.why = why


class Stk500Link:
    """STK500v1 commands over a transport: one command, one reply, in order."""

    def __init__(self, transport: Transport):
        self.transport = transport

    def drain(self, quiet: float = 0.02) -> None:
        """Throw away whatever is still arriving, until the line is quiet for ``quiet`` seconds."""
        while self.transport.read(4096, timeout=quiet):
            pass

    def call(self, command: stk500.Command, timeout: float = REPLY_TIMEOUT) -> bytes:
        self.transport.write(command.frame)
        buf = bytearray()
        deadline = self.transport.clock.now() + timeout
        while True:
            try:
                done = stk500.parse_reply(command, bytes(buf))
            except stk500.Stk500ReplyError as exc:
                raise _LinkLost(command, exc.kind) from None
            if done is not None:
                return done
            left = deadline - self.transport.clock.now()
            if left <= 0:
                raise _LinkLost(command, "timeout")
            buf += self.transport.read(command.reply_size - len(buf), timeout=left)

    def sync(self, attempts: int, progress: Optional[Progress] = None) -> int:
        """Try GET_SYNC up to ``attempts`` times; returns the attempt that worked, 0 if none did."""
        for attempt in range(1, attempts + 1):
            if progress:
                progress("connect", attempt, attempts)
            try:
                self.call(stk500.get_sync(), timeout=SYNC_REPLY_TIMEOUT)
            except _LinkLost:
                self.drain()
                continue
            # the bootloader may also have answered earlier, queued tries: drain and confirm once more
            self.drain()
            try:
                self.call(stk500.get_sync(), timeout=SYNC_REPLY_TIMEOUT)
                return attempt
            except _LinkLost:
                self.drain()
        return 0


def flash_avr(*, board: BoardProfile, port: str, firmware: str | Path | None = None,
              progress: Optional[Progress] = None, baud: Optional[int] = None, verify: bool = True,
              sync_attempts: int = 10) -> FlashResult:
    """Upload ``firmware`` (a .hex file; default: makerkit's image for ``board``) over ``port``.

    Raises :class:`~makerkit.errors.FirmwareImageError` before opening the port when the file is
    wrong, :class:`~makerkit.errors.SyncError` when no bootloader answers,
    :class:`~makerkit.errors.VerifyError` when the flash reads back differently, and
    :class:`~makerkit.errors.FlashError` for a wrong chip or a link lost halfway.
    """
    chip = CHIPS.get(board.chip.lower())
    if chip is None:
        raise FlashError(en=f"makerkit's AVR uploader does not know the {board.chip} chip of the {board.name}.",
                         zh=f"makerkit 的 AVR 上传程序不认识 {board.name_zh} 上的 {board.chip} 芯片。",
                         board=board.id)
    image = load_avr_image(board, firmware, page_size=chip.page_size)
    bauds = [baud] if baud else [board.flash_baud, *board.flash_baud_fallback]
    started = time.monotonic()
    transport, used_baud = _connect(board, port, bauds, sync_attempts, progress)
    try:
        link = Stk500Link(transport)
        _check_signature(link, board, chip, port)
        _call(link, stk500.enter_progmode(), port, 0)
        _write(link, image, chip, port, progress)
        if verify:
            _verify(link, image, port, progress)
        _call(link, stk500.leave_progmode(), port, image.size)
    finally:
        transport.close()
    seconds = time.monotonic() - started
    if progress:
        progress("done", image.size, image.size)
    return FlashResult(board=board.id, port=port, firmware=image.name, method="stk500v1",
                       bytes_written=image.size, seconds=seconds, verified=verify, baud=used_baud,
                       details={"chip": chip.name, "data_bytes": image.used})


def _connect(board: BoardProfile, port: str, bauds: list[int], attempts: int,
             progress: Optional[Progress]) -> tuple[Transport, int]:
    """Open the port at each speed in turn until the bootloader answers.

    Opening the port resets the board (DTR); :meth:`Transport.pulse_reset` pulses it once more for
    adapters that need it. The bootloader listens for about a second after a reset, so each speed
    gets a fresh reset: the port is closed and opened again rather than just re-clocked."""
    for baud in bauds:
        transport = open_transport(port, baud=baud, exclusive=True)
        try:
            transport.pulse_reset()
            if Stk500Link(transport).sync(attempts, progress):
                return transport, baud
        except BaseException:
            transport.close()
            raise
        transport.close()
    tried = " / ".join(str(b) for b in bauds)
    raise SyncError(
        en=(f"The board on {port} did not answer the uploader: no {board.name} bootloader replied "
            f"after {attempts} tries at {tried} baud."),
        zh=f"{port} 上的开发板没有回应上传程序：以 {tried} 波特率尝试 {attempts} 次，都没有收到 {board.name_zh} 引导程序的回答。",
        hint_en=("Check that --board matches the board (an old Nano clone needs --board nano), that the port is "
                 "this board (`makerkit ports`), and that no other program uses it. If it still fails, press the "
                 "board's reset button just as the upload starts; a board without a bootloader must first get one "
                 "burned with a programmer (ask your teacher)."),
        hint_zh=("请确认 --board 选对了开发板（老款 Nano 兼容板请用 --board nano）、串口确实是这块板子（`makerkit ports`），"
                 "并且没有别的程序占用它。如果还不行，在开始上传的同时按一下开发板的复位键；"
                 "没有引导程序的开发板需要先用编程器烧录引导程序（请找老师）。"),
        port=port, board=board.id)


def _lost(port: str, address: int, exc: _LinkLost) -> FlashError:
    return FlashError(
        en=(f"The board on {port} stopped answering during '{exc.command.name}' at flash address "
            f"{address:#06x} ({exc.why}); the upload is incomplete."),
        zh=f"{port} 上的开发板在烧录到地址 {address:#06x} 时不再回应（{exc.why}），上传没有完成。",
        hint_en="Check the USB cable (try a shorter one, no hub), then flash again: the bootloader is safe and will take a new upload.",
        hint_zh="请检查 USB 线（换一根短一点的线，不要经过集线器），然后重新烧录：引导程序没有受损，可以再次上传。",
        port=port, address=address, step=exc.command.name)


def _call(link: Stk500Link, command: stk500.Command, port: str, address: int) -> bytes:
    try:
        return link.call(command)
    except _LinkLost as exc:
        raise _lost(port, address, exc) from None


def _check_signature(link: Stk500Link, board: BoardProfile, chip: Chip, port: str) -> None:
    signature = _call(link, stk500.read_signature(), port, 0)
    if signature == chip.signature:
        return
    found = _BY_SIGNATURE.get(signature)
    what = found.name if found else f"an unknown chip (signature {signature.hex(' ')})"
    raise FlashError(
        en=f"The chip on {port} is {what}, not the {chip.name} of the {board.name}.",
        zh=f"{port} 上的芯片是 {what}，不是 {board.name_zh} 的 {chip.name}。",
        hint_en="Choose the right board with --board (`makerkit boards` lists them).",
        hint_zh="请用 --board 选择正确的开发板（`makerkit boards` 会列出所有开发板）。",
        port=port, signature=signature.hex())


def _write(link: Stk500Link, image: AvrImage, chip: Chip, port: str, progress: Optional[Progress]) -> None:
    for address in range(0, image.size, chip.page_size):
        _call(link, stk500.load_address(address), port, address)
        _call(link, stk500.prog_page(image.data[address:address + chip.page_size]), port, address)
        if progress:
            progress("write", min(address + chip.page_size, image.size), image.size)


def _verify(link: Stk500Link, image: AvrImage, port: str, progress: Optional[Progress]) -> None:
    for address in range(0, image.size, READ_CHUNK):
        want = image.data[address:address + READ_CHUNK]
        _call(link, stk500.load_address(address), port, address)
        got = _call(link, stk500.read_page(len(want)), port, address)
        if got != want:
            at = address + next(i for i, (a, b) in enumerate(zip(got, want)) if a != b)
            raise VerifyError(
                en=(f"Verify failed on {port}: flash address {at:#06x} reads {got[at - address]:#04x} but "
                    f"{image.name} has {want[at - address]:#04x} there."),
                zh=f"{port} 校验失败：闪存地址 {at:#06x} 读出 {got[at - address]:#04x}，而 {image.name} 中应为 {want[at - address]:#04x}。",
                hint_en=("Flash again. If it fails at the same address every time, the chip's flash may be worn out or "
                         "locked: ask your teacher to try another board."),
                hint_zh="请重新烧录。如果每次都在同一地址失败，芯片闪存可能已损坏或被锁定：请老师换一块开发板试试。",
                port=port, address=at)
        if progress:
            progress("verify", min(address + READ_CHUNK, image.size), image.size)


__all__ = ["CHIPS", "Chip", "Stk500Link", "flash_avr"]
