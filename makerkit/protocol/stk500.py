"""STK500v1, as the Optiboot bootloader of an Arduino Uno / Nano speaks it: commands in, bytes out.

Sans-I/O: this module builds command frames and checks replies; the uploader
(:mod:`makerkit.flash.avr`) moves the bytes. Every command ends with ``CRC_EOP`` (0x20, a space);
the bootloader answers ``STK_INSYNC`` (0x14), the command's data, then ``STK_OK`` (0x10).

Optiboot implements the subset used here: GET_SYNC, GET_PARAMETER, SET_DEVICE(_EXT) (ignored),
ENTER/LEAVE_PROGMODE, LOAD_ADDRESS (a *word* address), PROG_PAGE / READ_PAGE (flash ``F`` and
EEPROM ``E``), READ_SIGN and UNIVERSAL (answered with 0). Leaving programming mode makes it start the
application through a short watchdog reset.
"""

from __future__ import annotations

from dataclasses import dataclass

STK_OK = 0x10
STK_FAILED = 0x11
STK_UNKNOWN = 0x12
STK_NODEVICE = 0x13
STK_INSYNC = 0x14
STK_NOSYNC = 0x15
CRC_EOP = 0x20

CMND_GET_SYNC = 0x30
CMND_GET_PARAMETER = 0x41
CMND_SET_DEVICE = 0x42
CMND_SET_DEVICE_EXT = 0x45
CMND_ENTER_PROGMODE = 0x50
CMND_LEAVE_PROGMODE = 0x51
CMND_LOAD_ADDRESS = 0x55
CMND_UNIVERSAL = 0x56
CMND_PROG_PAGE = 0x64
CMND_READ_PAGE = 0x74
CMND_READ_SIGN = 0x75

PARM_HW_VER = 0x80
PARM_SW_MAJOR = 0x81
PARM_SW_MINOR = 0x82

MEM_FLASH = ord("F")
MEM_EEPROM = ord("E")


class Stk500ReplyError(Exception):
    """A reply that breaks the protocol. ``kind`` is ``"nosync"``, ``"failed"`` or ``"garbled"``.

    Not a :class:`~makerkit.errors.MakerkitError`: the uploader turns it into one that says what to
    do, because only it knows which step failed."""

    def __init__(self, kind: str, data: bytes):
        super().__init__(f"{kind}: {data.hex(' ')}")
        self.kind = kind
        self.data = data


@dataclass(frozen=True)
class Command:
    """One STK500v1 frame and the number of data bytes its reply carries between INSYNC and OK."""
    name: str
    frame: bytes
    reply_len: int = 0

    @property
    def reply_size(self) -> int:
        """Bytes in a complete, successful reply."""
        return self.reply_len + 2


def _frame(*parts: int | bytes) -> bytes:
    out = bytearray()
    for part in parts:
        if isinstance(part, int):
            out.append(part)
        else:
            out += part
    out.append(CRC_EOP)
    return bytes(out)


def get_sync() -> Command:
    return Command("get_sync", _frame(CMND_GET_SYNC))


def get_parameter(parameter: int) -> Command:
    return Command("get_parameter", _frame(CMND_GET_PARAMETER, parameter), 1)


def enter_progmode() -> Command:
    return Command("enter_progmode", _frame(CMND_ENTER_PROGMODE))


def leave_progmode() -> Command:
    return Command("leave_progmode", _frame(CMND_LEAVE_PROGMODE))


def read_signature() -> Command:
    return Command("read_signature", _frame(CMND_READ_SIGN), 3)


def load_address(byte_address: int) -> Command:
    """Set the address of the next page operation. Takes a *byte* address (flash addresses go on the
    wire in 16-bit words; this is where the halving happens)."""
    if byte_address % 2 or not 0 <= byte_address < 0x20000:
        raise ValueError(f"flash address {byte_address:#x} must be even and below 128 KiB")
    word = byte_address // 2
    return Command("load_address", _frame(CMND_LOAD_ADDRESS, word & 0xFF, word >> 8 & 0xFF))


def prog_page(data: bytes, memory: int = MEM_FLASH) -> Command:
    if not 0 < len(data) <= 256:
        raise ValueError("a page holds 1 to 256 bytes")
    n = len(data)
    return Command("prog_page", _frame(CMND_PROG_PAGE, n >> 8, n & 0xFF, memory, bytes(data)))


def read_page(size: int, memory: int = MEM_FLASH) -> Command:
    if not 0 < size <= 256:
        raise ValueError("a read covers 1 to 256 bytes")
    return Command("read_page", _frame(CMND_READ_PAGE, size >> 8, size & 0xFF, memory), size)


def universal(a: int, b: int, c: int, d: int) -> Command:
    return Command("universal", _frame(CMND_UNIVERSAL, a, b, c, d), 1)


def parse_reply(command: Command, data: bytes) -> bytes | None:
    """Check the bytes received so far for ``command``.

    Returns ``None`` while the reply is incomplete and its data bytes once it is complete; raises
    :class:`Stk500ReplyError` as soon as the bytes cannot be a good reply.
    """
    if not data:
        return None
    if data[0] == STK_NOSYNC:
        raise Stk500ReplyError("nosync", data)
    if data[0] != STK_INSYNC:
        raise Stk500ReplyError("garbled", data)
    if len(data) < command.reply_size:
        return None
    last = data[command.reply_size - 1]
    if last == STK_FAILED:
        raise Stk500ReplyError("failed", data)
    if last != STK_OK or len(data) > command.reply_size:
        raise Stk500ReplyError("garbled", data)
    return bytes(data[1:1 + command.reply_len])


__all__ = [
    "Command", "Stk500ReplyError", "get_sync", "get_parameter", "enter_progmode", "leave_progmode",
    "read_signature", "load_address", "prog_page", "read_page", "universal", "parse_reply",
    "STK_OK", "STK_FAILED", "STK_INSYNC", "STK_NOSYNC", "CRC_EOP", "MEM_FLASH", "MEM_EEPROM",
    "PARM_HW_VER", "PARM_SW_MAJOR", "PARM_SW_MINOR",
]
