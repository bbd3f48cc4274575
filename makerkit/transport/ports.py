"""Port discovery: which serial ports are there, which bridge chip is behind each, which boards fit.

USB IDs are hints. A CH340 (1A86:7523) sits on clone Unos, Nanos, Megas and ESP32 DevKits alike,
so a port lists every matching profile as a candidate; ``makerkit ports --probe`` asks the board
itself (:mod:`makerkit.device.probe`). Listing opens no port and resets no board.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalog import match_usb

# (VID, PID) -> bridge chip. Includes the clone bridges that other tools show as "Unknown".
BRIDGES: dict[tuple[int, int], str] = {
    (0x1A86, 0x7523): "CH340",
    (0x1A86, 0x7522): "CH340K",
    (0x1A86, 0x5523): "CH341",
    (0x1A86, 0x55D4): "CH9102",
    (0x1A86, 0x55D3): "CH343",
    (0x10C4, 0xEA60): "CP2102/CP2104",
    (0x10C4, 0xEA70): "CP2105",
    (0x10C4, 0xEA71): "CP2108",
    (0x0403, 0x6001): "FT232R",
    (0x0403, 0x6010): "FT2232",
    (0x0403, 0x6014): "FT232H",
    (0x0403, 0x6015): "FT231X",
    (0x2341, 0x0043): "ATmega16U2",
    (0x2341, 0x0001): "ATmega8U2",
    (0x2341, 0x0042): "ATmega16U2",
    (0x2341, 0x0010): "ATmega8U2",
    (0x2A03, 0x0043): "ATmega16U2",
    (0x2A03, 0x0042): "ATmega16U2",
    (0x303A, 0x1001): "ESP32-S3/C3 native USB-Serial/JTAG",
    (0x303A, 0x4001): "ESP32-S3 native USB (TinyUSB CDC)",
    (0x303A, 0x0002): "ESP32-S2 native USB",
}

# Vendors whose every serial port is a USB-serial bridge or a board.
BRIDGE_VENDORS: dict[int, str] = {
    0x1A86: "WCH (CH34x)", 0x10C4: "Silicon Labs (CP210x)", 0x0403: "FTDI",
    0x2341: "Arduino", 0x2A03: "Arduino", 0x303A: "Espressif",
}


@dataclass(frozen=True)
class PortInfo:
    """One serial port, as the OS reports it, with makerkit's reading of its USB IDs."""
    port: str
    description: str = ""
    vid: int | None = None
    pid: int | None = None
    serial_number: str | None = None
    manufacturer: str | None = None
    product: str | None = None
    location: str | None = None
    bridge: str | None = None
    candidates: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def usb_id(self) -> str | None:
        """``"1A86:7523"``, or ``None`` for ports that are not USB."""
        if self.vid is None or self.pid is None:
            return None
        return f"{self.vid:04X}:{self.pid:04X}"

    @property
    def is_likely_board(self) -> bool:
        """True when the USB IDs are a known bridge chip or match a board profile."""
        return bool(self.candidates) or self.bridge is not None

    @property
    def is_ambiguous(self) -> bool:
        """True when several board types use this bridge: only probing tells them apart."""
        return len(self.candidates) > 1

    def to_dict(self) -> dict:
        return {
            "port": self.port, "description": self.description, "usb_id": self.usb_id,
            "vid": None if self.vid is None else f"{self.vid:04X}",
            "pid": None if self.pid is None else f"{self.pid:04X}",
            "serial_number": self.serial_number, "manufacturer": self.manufacturer,
            "product": self.product, "location": self.location, "bridge": self.bridge,
            "candidates": list(self.candidates), "notes": list(self.notes),
            "is_likely_board": self.is_likely_board, "is_ambiguous": self.is_ambiguous,
        }


def describe_usb(vid: int | None, pid: int | None) -> tuple[str | None, tuple[str, ...], tuple[str, ...]]:
    """``(bridge, candidate board ids, notes)`` for a USB VID:PID."""
    matches = match_usb(vid, pid)
    candidates: list[str] = []
    notes: list[str] = []
    for board, usb in matches:
        if board.id not in candidates:
            candidates.append(board.id)
        if usb.note:
            notes.append(usb.note)
    bridge = BRIDGES.get((vid, pid)) if vid is not None and pid is not None else None
    if bridge is None and matches:
        bridge = matches[0][1].bridge
    if bridge is None and vid in BRIDGE_VENDORS:
        bridge = f"{BRIDGE_VENDORS[vid]} {pid:04X}" if pid is not None else BRIDGE_VENDORS[vid]
    return bridge, tuple(candidates), tuple(notes)


def port_info(entry) -> PortInfo:
    """A :class:`PortInfo` from one ``serial.tools.list_ports`` entry (a ``ListPortInfo``)."""
    vid, pid = getattr(entry, "vid", None), getattr(entry, "pid", None)
    bridge, candidates, notes = describe_usb(vid, pid)
    description = getattr(entry, "description", "") or ""
    if description == "n/a":
        description = ""
    return PortInfo(
        port=entry.device, description=description, vid=vid, pid=pid,
        serial_number=getattr(entry, "serial_number", None),
        manufacturer=getattr(entry, "manufacturer", None), product=getattr(entry, "product", None),
        location=getattr(entry, "location", None), bridge=bridge, candidates=candidates, notes=notes)


def list_ports(*, include_all: bool = True) -> list[PortInfo]:
    """The serial ports of this computer, likely boards first.

    ``include_all=False`` keeps only the likely boards (known bridge chips and board USB IDs)."""
    from serial.tools import list_ports as _list_ports

    infos = [port_info(entry) for entry in _list_ports.comports()]
    if not include_all:
        infos = [p for p in infos if p.is_likely_board]
    return sorted(infos, key=lambda p: (not p.is_likely_board, _natural_key(p.port)))


def _natural_key(name: str) -> tuple:
    head = name.rstrip("0123456789")
    tail = name[len(head):]
    return (head, int(tail) if tail else -1)


__all__ = ["BRIDGES", "BRIDGE_VENDORS", "PortInfo", "describe_usb", "list_ports", "port_info"]
