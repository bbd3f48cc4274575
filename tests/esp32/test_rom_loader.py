"""The emulated ROM loader itself, driven by esptool's library without makerkit in between."""

from __future__ import annotations

import socket
import struct

import esptool.cmds as cmds
import pytest
from support.images import merged_image
from support.rom_loader import FLASH_BEGIN, FLASH_DEFL_BEGIN, RomLoader, SlipDecoder, slip_encode


def _connect(rom):
    return cmds.detect_chip(rom.url, 115200, "default-reset", False, 2)


@pytest.mark.parametrize("compress", [False, True])
def test_rom_only_write_without_the_stub(compress):
    data = merged_image("esp32", 40_000)
    with RomLoader("esp32") as rom:
        esp = _connect(rom)
        try:
            assert esp.CHIP_NAME == "ESP32" and not esp.IS_STUB
            cmds.attach_flash(esp)
            cmds.write_flash(esp, [(0x1000, data)], compress=compress, no_compress=not compress)
            assert esp.flash_md5sum(0x1000, len(data)) == __import__("hashlib").md5(data).hexdigest()
        finally:
            esp._port.close()
        assert rom.read(0x1000, len(data)) == data
        ops = {op for state, op in rom.stats.commands}
        assert (FLASH_DEFL_BEGIN if compress else FLASH_BEGIN) in ops
        assert all(state == "rom" for state, _ in rom.stats.commands)


def test_s3_is_detected_by_security_info_and_stub_reads_flash_back(capsys):
    from makerkit.flash.esp32 import _install_router
    _install_router()             # makerkit's routing logger passes other users' esptool output through
    with RomLoader("esp32s3", flash_size=8 << 20) as rom:
        rom.flash[0x2000:0x2010] = bytes(range(16))
        esp = _connect(rom)
        try:
            assert esp.CHIP_NAME == "ESP32-S3"
            esp = cmds.run_stub(esp)
            assert esp.IS_STUB and rom.state == "stub"
            assert cmds.detect_flash_size(esp) == "8MB"
            assert esp.read_flash(0x2000, 16) == bytes(range(16))
            esp.erase_region(0x2000, 0x1000)
            assert rom.read(0x2000, 16) == b"\xff" * 16
        finally:
            esp._port.close()
    assert "Stub flasher running" in capsys.readouterr().out


def test_status_bytes_rom_four_stub_two():
    with RomLoader("esp32") as rom:
        with socket.create_connection(("127.0.0.1", rom.port), timeout=5) as sock:
            sock.sendall(slip_encode(struct.pack("<BBHI", 0, 0x0A, 4, 0) + struct.pack("<I", 0x40001000)))
            decoder, packets = SlipDecoder(), []
            while not packets:
                packets = decoder.feed(sock.recv(100))
            resp, op, length, value = struct.unpack("<BBHI", packets[0][:8])
            assert (resp, op, value) == (1, 0x0A, 0x00F01D83) and length == 4


def test_slip_decoder_handles_escapes_and_split_packets():
    packet = b"\x01\xc0\x02\xdb\x03"
    wire = slip_encode(packet) + slip_encode(b"second")
    decoder = SlipDecoder()
    out = []
    for i in range(len(wire)):
        out += decoder.feed(wire[i:i + 1])
    assert out == [packet, b"second"]
