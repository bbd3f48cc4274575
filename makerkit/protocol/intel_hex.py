"""Intel HEX firmware files (what avr-gcc, arduino-cli and the Arduino IDE produce) into bytes.

Parsing goes through the ``intelhex`` package (this is the one module that imports it); on top of
it, a file must end with its end-of-file record, so a file cut short by a failed download or copy
is refused instead of flashed half-way.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import intelhex


class HexFormatError(ValueError):
    """The text is not a complete Intel HEX file; ``line`` is 1-based, or 0 for the whole file."""

    def __init__(self, reason: str, line: int = 0):
        super().__init__(f"line {line}: {reason}" if line else reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class HexImage:
    """The bytes of a HEX file as contiguous segments ``(start address, data)``, sorted."""
    segments: tuple[tuple[int, bytes], ...]

    @property
    def start(self) -> int:
        return self.segments[0][0]

    @property
    def end(self) -> int:
        """One past the highest address holding data."""
        return max(addr + len(data) for addr, data in self.segments)

    @property
    def size(self) -> int:
        """Bytes of data (gaps not counted)."""
        return sum(len(data) for _, data in self.segments)

    def flat(self, start: int = 0, end: int | None = None, fill: int = 0xFF) -> bytes:
        """The memory from ``start`` to ``end`` with gaps filled with ``fill`` (erased flash)."""
        end = self.end if end is None else end
        out = bytearray([fill]) * (end - start)
        for addr, data in self.segments:
            lo, hi = max(addr, start), min(addr + len(data), end)
            if lo < hi:
                out[lo - start:hi - start] = data[lo - addr:hi - addr]
        return bytes(out)


def parse_intel_hex(content: bytes | str) -> HexImage:
    """Parse the text of an Intel HEX file; raises :class:`HexFormatError` naming the bad line."""
    if isinstance(content, bytes):
        if b"\x00" in content:
            raise HexFormatError("binary data, not Intel HEX text")
        try:
            content = content.decode("ascii")
        except UnicodeDecodeError as exc:
            raise HexFormatError("binary data, not Intel HEX text") from exc
    lines = [line.strip() for line in content.splitlines()]
    records = [line for line in lines if line]
    if not records:
        raise HexFormatError("the file is empty")
    for number, line in enumerate(lines, 1):
        if line and not line.startswith(":"):
            raise HexFormatError("a line that does not start with ':'", number)
    ih = intelhex.IntelHex()
    try:
        ih.loadhex(io.StringIO(content))
    except intelhex.IntelHexError as exc:
        line = getattr(exc, "line", 0) or 0
        raise HexFormatError(str(exc).rstrip("."), line) from exc
    if records[-1].upper() != ":00000001FF":
        raise HexFormatError("the end-of-file record is missing (the file was cut short)", len(lines))
    segments = tuple((lo, bytes(ih.tobinarray(start=lo, size=hi - lo))) for lo, hi in ih.segments())
    if not segments:
        raise HexFormatError("the file holds no data")
    return HexImage(segments)


def to_intel_hex(data: bytes, start: int = 0) -> str:
    """Write ``data`` at ``start`` as Intel HEX text (16-byte records), for tests and tools."""
    ih = intelhex.IntelHex()
    ih.frombytes(data, offset=start)
    out = io.StringIO()
    ih.write_hex_file(out, write_start_addr=False)
    return out.getvalue()


__all__ = ["HexFormatError", "HexImage", "parse_intel_hex", "to_intel_hex"]
