"""An emulated ESP32 / ESP32-S3 serial ROM loader (and the flasher stub it runs), for tests.

It listens on a loopback TCP port, so esptool and makerkit reach it as ``socket://127.0.0.1:PORT``.
Every new connection is a chip reset into download mode (what the DTR/RTS auto-reset circuit does
when a real port is opened): the ROM loader answers at first; after esptool uploads its flasher
stub through MEM_BEGIN/MEM_DATA/MEM_END it greets with ``OHAI`` and answers as the stub does
(2 status bytes instead of 4, raw MD5 digests, uncompressed-size FLASH_DEFL_BEGIN...).
The written flash stays in :attr:`RomLoader.flash` across connections, as on a chip.

Commands: SYNC, READ_REG (chip-detect magic, eFuse words, SPI peripheral), WRITE_REG (runs SPI flash
user commands such as RDID), GET_SECURITY_INFO (S3 only; the classic ESP32 ROM refuses it),
SPI_SET_PARAMS, SPI_ATTACH, MEM_*, FLASH_BEGIN/DATA/END, FLASH_DEFL_BEGIN/DATA/END, SPI_FLASH_MD5,
CHANGE_BAUDRATE, and, in the stub, ERASE_FLASH, ERASE_REGION and READ_FLASH.

Faults a test can inject (each fires once unless ``times`` says otherwise):
``drop_reply(op)``, ``bad_checksum(op)`` (the block arrives corrupted, the loader answers
"invalid CRC"), ``vanish(op, reconnect=False)`` (the port disappears mid-command), ``corrupt_flash()``
(a bit flips when written: verification must fail), ``garble_above(baud)`` (the link turns to noise
above this rate), ``app_mode`` (the board runs its app, not the loader: it never answers; set it to
False for "BOOT held"); ``plug_in()`` brings back a port that vanished.
With ``pace=True`` bytes move no faster than a real UART at the current baud (10 bits a byte).
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
import zlib
from dataclasses import dataclass, field

# command ids (esptool's ESP_CMDS)
FLASH_BEGIN, FLASH_DATA, FLASH_END = 0x02, 0x03, 0x04
MEM_BEGIN, MEM_END, MEM_DATA = 0x05, 0x06, 0x07
SYNC, WRITE_REG, READ_REG = 0x08, 0x09, 0x0A
SPI_SET_PARAMS, SPI_ATTACH, CHANGE_BAUDRATE = 0x0B, 0x0D, 0x0F
FLASH_DEFL_BEGIN, FLASH_DEFL_DATA, FLASH_DEFL_END, SPI_FLASH_MD5 = 0x10, 0x11, 0x12, 0x13
GET_SECURITY_INFO = 0x14
ERASE_FLASH, ERASE_REGION, READ_FLASH = 0xD0, 0xD1, 0xD2

# ROM error codes (second status byte)
ERR_INVALID_MSG, ERR_FAILED, ERR_BAD_CRC, ERR_FLASH_WRITE, ERR_BAD_DATA_LEN = 0x05, 0x06, 0x07, 0x08, 0x0A
ERR_DEFLATE = 0x0B

CHIPS = {
    "esp32": dict(name="ESP32", magic=0x00F01D83, chip_id=0, security_info=False,
                  spi_base=0x3FF42000, usr2=0x24, w0=0x80, efuse_base=0x3FF5A000,
                  # eFuse word 4 (CK8M calibration) and RTCCALICFG1: the ROM's crystal estimate, 40 MHz
                  extra={0x3FF5A010: 100, 0x3FF5F06C: 1024 << 7, 0x3FF40014: 347}),
    "esp32s3": dict(name="ESP32-S3", magic=0x00000009, chip_id=9, security_info=True,
                    spi_base=0x60002000, usr2=0x20, w0=0x58, efuse_base=0x60007000, extra={}),
}
SIZE_CODES = {1 << 20: 0x14, 2 << 20: 0x15, 4 << 20: 0x16, 8 << 20: 0x17, 16 << 20: 0x18}


def slip_encode(packet: bytes) -> bytes:
    return b"\xc0" + packet.replace(b"\xdb", b"\xdb\xdd").replace(b"\xc0", b"\xdb\xdc") + b"\xc0"


class SlipDecoder:
    """Sans-I/O SLIP decoder: feed bytes, get whole packets; bytes between packets are dropped."""

    def __init__(self):
        self._packet: bytearray | None = None
        self._escape = False

    def feed(self, data: bytes) -> list[bytes]:
        out = []
        for b in data:
            if self._packet is None:
                if b == 0xC0:
                    self._packet = bytearray()
                continue
            if self._escape:
                self._escape = False
                self._packet.append({0xDC: 0xC0, 0xDD: 0xDB}.get(b, b))
            elif b == 0xDB:
                self._escape = True
            elif b == 0xC0:
                if self._packet:
                    out.append(bytes(self._packet))
                    self._packet = None
                # an empty packet is a back-to-back delimiter: stay inside a packet
            else:
                self._packet.append(b)
        return out


@dataclass
class Fault:
    kind: str                      # "drop", "checksum", "vanish"
    op: int
    after: int = 0                 # let this many matching commands through first
    times: int = 1
    reconnect: bool = True         # for "vanish": may the port come back?
    seen: int = 0


@dataclass
class Stats:
    connections: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    commands: list = field(default_factory=list)   # (state, op) in order
    bauds: list = field(default_factory=list)      # baud rates asked for by CHANGE_BAUDRATE
    resets_into_app: int = 0


class RomLoader:
    """One emulated chip. Use as a context manager; ``url`` is what esptool opens."""

    def __init__(self, chip: str = "esp32", *, flash_size: int = 4 << 20, pace: bool = False,
                 app_mode: bool = False, mac: bytes = b"\x24\x0a\xc4\x12\x34\x56"):
        if chip not in CHIPS:
            raise ValueError(f"unknown chip {chip!r}")
        self.chip = chip
        self.spec = CHIPS[chip]
        self.flash = bytearray(b"\xff" * flash_size)
        self.flash_size = flash_size
        self.pace = pace
        self.app_mode = app_mode
        self.mac = mac
        self.faults: list[Fault] = []
        self.garble_baud: int | None = None
        self.flip_bit_at: int | None = None
        self.stats = Stats()
        self.state = "app" if app_mode else "rom"
        self._lock = threading.Lock()
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(1)
        self.port = self._listener.getsockname()[1]
        self._conn: socket.socket | None = None
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, name=f"rom-loader-{chip}", daemon=True)
        self._thread.start()

    # -- public ---------------------------------------------------------------------------------
    @property
    def url(self) -> str:
        return f"socket://127.0.0.1:{self.port}"

    def drop_reply(self, op: int, *, after: int = 0, times: int = 1) -> None:
        self.faults.append(Fault("drop", op, after, times))

    def bad_checksum(self, op: int, *, after: int = 0, times: int = 1) -> None:
        self.faults.append(Fault("checksum", op, after, times))

    def vanish(self, op: int, *, after: int = 0, reconnect: bool = False) -> None:
        self.faults.append(Fault("vanish", op, after, 1, reconnect))

    def garble_above(self, baud: int) -> None:
        self.garble_baud = baud

    def corrupt_flash(self, offset: int) -> None:
        """Flip one bit of whatever is written at ``offset`` (a failing flash cell)."""
        self.flip_bit_at = offset

    def plug_in(self) -> None:
        """The cable is plugged in again after a ``vanish(..., reconnect=False)``: the same port
        answers again (the flash keeps whatever was written before it vanished)."""
        self._thread.join(timeout=5)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", self.port))
        self._listener.listen(1)
        self._thread = threading.Thread(target=self._serve, name=f"rom-loader-{self.chip}", daemon=True)
        self._thread.start()

    def read(self, offset: int, length: int) -> bytes:
        return bytes(self.flash[offset:offset + length])

    def close(self) -> None:
        self._closed.set()
        for sock in (self._conn, self._listener):
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- connection handling --------------------------------------------------------------------
    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self._conn = conn
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self.stats.connections += 1
            try:
                self._session(conn)
            except OSError:
                pass
            finally:
                self._conn = None
                try:
                    conn.close()
                except OSError:
                    pass

    def _session(self, conn: socket.socket) -> None:
        # opening the port resets the chip into the ROM loader (unless it is stuck in its app)
        self.state = "app" if self.app_mode else "rom"
        self.baud = 115200
        self.ram: dict[int, bytes] = {}
        self.regs: dict[int, int] = {}
        self._write: dict | None = None
        self._mem: dict | None = None
        self._in_clock = self._out_clock = time.monotonic()
        if self.state == "app":
            self._send_raw(conn, b"ets Jun  8 2016 00:22:57\r\n\r\nrst:0x1 (POWERON_RESET),boot:0x13 "
                                 b"(SPI_FAST_FLASH_BOOT)\r\nMicroPython v1.16 on ESP32\r\n>>> ")
        decoder = SlipDecoder()
        while True:
            data = conn.recv(65536)
            if not data:
                return
            self._pace_in(len(data))
            self.stats.bytes_in += len(data)
            if self.state == "app":
                continue                               # an app ignores SLIP frames
            for packet in decoder.feed(data):
                if not self._handle(conn, packet):
                    return

    def _pace_in(self, n: int) -> None:
        if not self.pace:
            return
        now = time.monotonic()
        self._in_clock = max(self._in_clock, now - 0.002) + n * 10 / self.baud
        if self._in_clock > now:
            time.sleep(self._in_clock - now)

    def _send_raw(self, conn: socket.socket, data: bytes) -> None:
        if self.garble_baud is not None and self.baud > self.garble_baud:
            data = bytes((b * 7 + 0x35) & 0xFF for b in data)   # a link too fast for the cable
        if self.pace:
            now = time.monotonic()
            self._out_clock = max(self._out_clock, now) + len(data) * 10 / self.baud
            time.sleep(max(0.0, self._out_clock - now))
        self.stats.bytes_out += len(data)
        conn.sendall(data)

    def _fault(self, kind: str, op: int) -> Fault | None:
        for fault in self.faults:
            if fault.kind == kind and fault.op == op and fault.times > 0:
                fault.seen += 1
                if fault.seen > fault.after:
                    fault.times -= 1
                    return fault
        return None

    # -- command dispatch -----------------------------------------------------------------------
    def _handle(self, conn: socket.socket, packet: bytes) -> bool:
        if len(packet) < 8 or packet[0] != 0x00:
            return True
        _, op, length, chk = struct.unpack("<BBHI", packet[:8])
        data = packet[8:8 + length]
        self.stats.commands.append((self.state, op))
        vanish = self._fault("vanish", op)
        if vanish is not None:
            if not vanish.reconnect:
                self._listener.close()
            return False                               # the cable is pulled: drop the connection
        if self._fault("checksum", op) is not None:
            data = bytes([data[0] ^ 0xFF]) + data[1:] if data else data
        handler = getattr(self, f"_op_{op:02x}", None)
        if handler is None:
            reply = self._reply(op, error=ERR_INVALID_MSG)
            after = None
        else:
            result = handler(data, chk)
            reply, after = (result if isinstance(result, tuple) else (result, None))
        if self._fault("drop", op) is None:
            self._send_raw(conn, slip_encode(reply))
        if after is not None:
            after(conn)
        return True

    def _reply(self, op: int, value: int = 0, payload: bytes = b"", error: int = 0) -> bytes:
        status = bytes([1 if error else 0, error])
        if self.state == "rom":
            status += b"\x00\x00"                      # the ROM sends 4 status bytes, the stub 2
        body = payload + status
        return struct.pack("<BBHI", 1, op, len(body), value) + body

    @staticmethod
    def _checksum(data: bytes) -> int:
        state = 0xEF
        for b in data:
            state ^= b
        return state

    # SYNC
    def _op_08(self, data, chk):
        if data != b"\x07\x07\x12\x20" + b"\x55" * 32:
            return self._reply(SYNC, error=ERR_INVALID_MSG)
        value = 0x20120707 if self.state == "rom" else 0
        one = self._reply(SYNC, value)

        def more(conn):                                 # the ROM answers a SYNC eight times
            for _ in range(7):
                self._send_raw(conn, slip_encode(one))
        return one, more

    # registers
    def _reg(self, addr: int) -> int:
        spec = self.spec
        if addr in self.regs:
            return self.regs[addr]
        if addr == 0x40001000:
            return spec["magic"]
        if addr in spec["extra"]:
            return spec["extra"][addr]
        base = spec["efuse_base"]
        if self.chip == "esp32" and addr in (base + 4, base + 8):   # MAC words (with CRC byte)
            mac = self.mac
            return (struct.unpack(">I", mac[2:6])[0] if addr == base + 4
                    else struct.unpack(">H", mac[0:2])[0])
        return 0

    def _op_0a(self, data, chk):
        (addr,) = struct.unpack("<I", data[:4])
        return self._reply(READ_REG, self._reg(addr))

    def _op_09(self, data, chk):
        for i in range(0, len(data) - 15, 16):
            addr, value, mask, _delay = struct.unpack("<IIII", data[i:i + 16])
            self.regs[addr] = (self._reg(addr) & ~mask) | (value & mask)
            base = self.spec["spi_base"]
            if addr == base and value & (1 << 18):
                self._spi_user_command()
        return self._reply(WRITE_REG)

    def _spi_user_command(self) -> None:
        base = self.spec["spi_base"]
        command = self._reg(base + self.spec["usr2"]) & 0xFFFF
        if command == 0x9F:                            # RDID: Winbond, size code
            size_code = SIZE_CODES.get(self.flash_size, 0x16)
            result = 0xEF | (0x40 << 8) | (size_code << 16)
        else:                                          # status registers, SFDP...: all clear
            result = 0
        self.regs[base + self.spec["w0"]] = result
        self.regs[base] = 0                            # the command is done

    def _op_14(self, data, chk):
        if not self.spec["security_info"] or self.state == "stub" and self.chip == "esp32":
            return self._reply(GET_SECURITY_INFO, error=ERR_INVALID_MSG)
        payload = struct.pack("<IBBBBBBBBII", 0, 0, 0, 0, 0, 0, 0, 0, 0, self.spec["chip_id"], 0)
        return self._reply(GET_SECURITY_INFO, payload=payload)

    def _op_0b(self, data, chk):
        return self._reply(SPI_SET_PARAMS)

    def _op_0d(self, data, chk):
        return self._reply(SPI_ATTACH)

    def _op_0f(self, data, chk):
        new, _old = struct.unpack("<II", data[:8])
        if self.state == "rom" and self.chip == "esp32":
            new = round(new / 100) * 100              # esptool pre-scales for the ROM's clock drift
        reply = self._reply(CHANGE_BAUDRATE)
        self.stats.bauds.append(new)

        def switch(conn):
            self.baud = new
        return reply, switch

    # RAM download (how esptool loads its stub)
    def _op_05(self, data, chk):
        size, blocks, blocksize, offset = struct.unpack("<IIII", data[:16])
        self._mem = dict(offset=offset, size=size, seq=0, data=bytearray())
        return self._reply(MEM_BEGIN)

    def _op_07(self, data, chk):
        length, seq = struct.unpack("<II", data[:8])
        block = data[16:16 + length]
        if self._mem is None or seq != self._mem["seq"]:
            return self._reply(MEM_DATA, error=ERR_FAILED)
        if self._checksum(block) != chk & 0xFF:
            return self._reply(MEM_DATA, error=ERR_BAD_CRC)
        self._mem["data"] += block
        self._mem["seq"] += 1
        if len(self._mem["data"]) >= self._mem["size"]:
            self.ram[self._mem["offset"]] = bytes(self._mem["data"][:self._mem["size"]])
        return self._reply(MEM_DATA)

    def _op_06(self, data, chk):
        no_entry, entry = struct.unpack("<II", data[:8])
        reply = self._reply(MEM_END)
        if no_entry or not any(start <= entry < start + len(seg) for start, seg in self.ram.items()):
            return reply

        def run_stub(conn):
            self.state = "stub"
            self._send_raw(conn, slip_encode(b"OHAI"))
        return reply, run_stub

    # flash writes
    def _begin(self, op, data, compressed):
        size, blocks, blocksize, offset = struct.unpack("<IIII", data[:16])
        if offset + (size if self.state == "stub" or not compressed else 0) > self.flash_size:
            return self._reply(op, error=ERR_FAILED)
        if self.state == "rom":                        # the ROM erases up front
            end = min(self.flash_size, offset + size)
            self.flash[offset:end] = b"\xff" * (end - offset)
        self._write = dict(offset=offset, pos=offset, seq=0, blocksize=blocksize,
                           inflate=zlib.decompressobj() if compressed else None)
        return self._reply(op)

    def _data(self, op, data, chk):
        length, seq = struct.unpack("<II", data[:8])
        block = data[16:16 + length]
        w = self._write
        if w is None:
            return self._reply(op, error=ERR_FAILED)
        if len(block) != length:
            return self._reply(op, error=ERR_BAD_DATA_LEN)
        if self._checksum(block) != chk & 0xFF:
            return self._reply(op, error=ERR_BAD_CRC)
        if seq != w["seq"]:
            return self._reply(op, error=ERR_FAILED)
        if w["inflate"] is not None:
            try:
                block = w["inflate"].decompress(block)
            except zlib.error:
                return self._reply(op, error=ERR_DEFLATE)
        else:
            w["pos"] = w["offset"] + seq * w["blocksize"]
        pos = w["pos"]
        end = min(self.flash_size, pos + len(block))
        if self.state == "stub":                       # the stub erases as it writes
            self.flash[pos:end] = block[:end - pos]
        else:                                          # NOR flash: writing can only clear bits
            self.flash[pos:end] = bytes(a & b for a, b in zip(self.flash[pos:end], block))
        if self.flip_bit_at is not None and pos <= self.flip_bit_at < end:
            self.flash[self.flip_bit_at] ^= 0x01
        w["pos"] = end
        w["seq"] += 1
        return self._reply(op)

    def _end(self, op, data):
        (stay,) = struct.unpack("<I", data[:4]) if len(data) >= 4 else (1,)
        reply = self._reply(op)
        if self.state == "stub" and stay:
            return reply

        def boot_app(conn):                            # ROM: leaves the loader; stub: reboots
            self.state = "app"
            self.stats.resets_into_app += 1
            self._send_raw(conn, b"ets Jun  8 2016 00:22:57\r\n\r\nrst:0xc (SW_CPU_RESET),boot:0x13 "
                                 b"(SPI_FAST_FLASH_BOOT)\r\n")
        return reply, boot_app

    def _op_02(self, data, chk):
        return self._begin(FLASH_BEGIN, data, compressed=False)

    def _op_03(self, data, chk):
        return self._data(FLASH_DATA, data, chk)

    def _op_04(self, data, chk):
        return self._end(FLASH_END, data)

    def _op_10(self, data, chk):
        return self._begin(FLASH_DEFL_BEGIN, data, compressed=True)

    def _op_11(self, data, chk):
        return self._data(FLASH_DEFL_DATA, data, chk)

    def _op_12(self, data, chk):
        return self._end(FLASH_DEFL_END, data)

    def _op_13(self, data, chk):
        addr, size = struct.unpack("<II", data[:8])
        digest = hashlib.md5(bytes(self.flash[addr:addr + size]))
        payload = digest.digest() if self.state == "stub" else digest.hexdigest().encode()
        return self._reply(SPI_FLASH_MD5, payload=payload)

    # stub-only commands
    def _op_d0(self, data, chk):
        if self.state != "stub":
            return self._reply(ERASE_FLASH, error=ERR_INVALID_MSG)
        self.flash[:] = b"\xff" * self.flash_size
        return self._reply(ERASE_FLASH)

    def _op_d1(self, data, chk):
        if self.state != "stub":
            return self._reply(ERASE_REGION, error=ERR_INVALID_MSG)
        offset, size = struct.unpack("<II", data[:8])
        self.flash[offset:offset + size] = b"\xff" * size
        return self._reply(ERASE_REGION)

    def _op_d2(self, data, chk):
        if self.state != "stub":
            return self._reply(READ_FLASH, error=ERR_INVALID_MSG)
        offset, length, sector, _in_flight = struct.unpack("<IIII", data[:16])
        content = bytes(self.flash[offset:offset + length])

        def stream(conn):                              # data packets, then the MD5 of it all
            for i in range(0, len(content), sector):
                self._send_raw(conn, slip_encode(content[i:i + sector]))
            self._send_raw(conn, slip_encode(hashlib.md5(content).digest()))
        return self._reply(READ_FLASH), stream
