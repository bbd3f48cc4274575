"""A faithful stand-in for ``serial.tools.list_ports.comports()`` (this machine has no USB boards).

Entries are pyserial's own ``ListPortInfo`` objects, filled in the way ``list_ports_linux`` fills
them from sysfs for each bridge chip (device, VID/PID, serial number, manufacturer, product,
location, the description and hwid strings derived from them). Only the USB hardware is faked.
"""

from __future__ import annotations

import json

from serial.tools import list_ports, list_ports_common

# (device, vid, pid, serial, manufacturer, product, location)
CLASSROOM = [
    ("/dev/ttyUSB0", 0x1A86, 0x7523, None, None, "USB2.0-Serial", "1-1.1:1.0"),            # CH340 clone
    ("/dev/ttyUSB1", 0x1A86, 0x55D4, "5434011234", "WCH.CN", "USB Single Serial", "1-1.2:1.0"),  # CH9102
    ("/dev/ttyUSB2", 0x10C4, 0xEA60, "0001", "Silicon Labs", "CP2102 USB to UART Bridge Controller", "1-1.3:1.0"),
    ("/dev/ttyUSB3", 0x0403, 0x6001, "A50285BI", "FTDI", "FT232R USB UART", "1-1.4:1.0"),
    ("/dev/ttyACM0", 0x2341, 0x0043, "85736323838351F0E1C1", "Arduino (www.arduino.cc)", None, "1-2:1.0"),
    ("/dev/ttyACM1", 0x303A, 0x1001, "F4:12:FA:5B:3C:10", "Espressif", "USB JTAG/serial debug unit", "1-3:1.0"),
    ("/dev/ttyUSB4", 0x067B, 0x2303, None, "Prolific Technology Inc.", "USB-Serial Controller", "1-4:1.0"),  # a GPS dongle
    ("/dev/ttyS0", None, None, None, None, None, None),                                      # built-in UART
]


def entry(device, vid=None, pid=None, serial_number=None, manufacturer=None, product=None, location=None):
    info = list_ports_common.ListPortInfo(device, skip_link_detection=True)
    if vid is not None:
        info.vid, info.pid = vid, pid
        info.serial_number, info.manufacturer, info.product = serial_number, manufacturer, product
        info.location = location
        info.subsystem = "usb-serial" if "USB" in device else "usb"
        info.description = product or info.name  # as list_ports_linux does
        info.hwid = info.usb_info()
    return info


def entries(rows=CLASSROOM):
    return [entry(*row) for row in rows]


def install(monkeypatch, rows=CLASSROOM):
    fake = entries(rows)
    monkeypatch.setattr(list_ports, "comports", lambda include_links=False: list(fake))
    return fake


def install_from_json(path: str) -> None:
    """For subprocesses: replace comports() with the rows stored in ``path`` (JSON list of lists)."""
    with open(path, encoding="utf-8") as f:
        rows = [tuple(row) for row in json.load(f)]
    fake = entries(rows)
    list_ports.comports = lambda include_links=False: list(fake)
