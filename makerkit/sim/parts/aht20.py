"""An AHT20 temperature and humidity sensor on the virtual I2C bus, register by register.

As the datasheet (Aosong AHT20, v1.1) says: after power-on the status byte's CAL bit (bit 3) is 0
until the host sends the initialise command ``0xBE 0x08 0x00``; ``0xAC 0x33 0x00`` triggers a
measurement that keeps the BUSY bit (bit 7) set for 80 ms; then a 7-byte read returns the status,
20 bits of humidity, 20 bits of temperature and a CRC-8 (polynomial 0x31, initial 0xFF).
``0xBA`` is the soft reset (20 ms). ``0x71`` asks for the status byte. The old AHT10 calibrate
command ``0xE1`` is not acknowledged (as on newer AHT20 parts), so drivers fall back to ``0xBE``.

Any object with ``write(data, stop)`` and ``read(count, stop)`` can sit in ``world.i2c_devices``;
both raise ``OSError`` for a NACK.
"""

from __future__ import annotations

import errno

MEASURE_S = 0.080
RESET_S = 0.020
INIT_S = 0.010

STATUS_BUSY = 0x80
STATUS_CAL = 0x08
STATUS_BASE = 0x10   # bit 4 reads 1 on real parts (CRC flag / reserved)


def crc8(data: bytes) -> int:
    crc = 0xFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x31) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


class Aht20:
    address = 0x38

    def __init__(self, world):
        self.world = world
        self.calibrated = False
        self.busy_until = 0.0
        self.measurement: bytes | None = None   # the 5 data bytes of the last finished measurement
        self._pending: tuple[float, float] | None = None
        self.commands: list[int] = []           # what the host sent (for tests)

    def _now(self) -> float:
        return self.world.now()

    def _busy(self) -> bool:
        return self._now() < self.busy_until - 1e-9

    def write(self, data: bytes, stop: bool = True) -> None:
        if not data:
            return   # an address probe: ACK
        cmd = data[0]
        self.commands.append(cmd)
        if cmd == 0xBA:
            self.busy_until = self._now() + RESET_S
            self.measurement = None
        elif cmd == 0xBE:
            if bytes(data[1:3]) == b"\x08\x00":
                self.calibrated = True
                self.busy_until = self._now() + INIT_S
        elif cmd == 0xAC:
            if bytes(data[1:3]) != b"\x33\x00":
                raise OSError(errno.EIO, "AHT20: trigger needs 0x33 0x00")
            self._pending = (self.world.temperature(), self.world.humidity())
            self.busy_until = self._now() + MEASURE_S
            self.measurement = None
        elif cmd == 0x71:
            pass
        else:
            raise OSError(errno.EIO, "AHT20 does not acknowledge command 0x%02x" % cmd)

    def status(self) -> int:
        return STATUS_BASE | (STATUS_BUSY if self._busy() else 0) | (STATUS_CAL if self.calibrated else 0)

    def read(self, count: int, stop: bool = True) -> bytes:
        if self._pending is not None and not self._busy():
            self.measurement = _encode(*self._pending)
            self._pending = None
        status = self.status()
        data = bytes((status,)) + (self.measurement or b"\x00" * 5)
        data += bytes((crc8(data),))
        if count <= len(data):
            return data[:count]
        return data + b"\xff" * (count - len(data))


def _encode(temperature: float, humidity: float) -> bytes:
    h = min(0xFFFFF, max(0, round(humidity / 100.0 * (1 << 20))))
    t = min(0xFFFFF, max(0, round((temperature + 50.0) / 200.0 * (1 << 20))))
    return bytes(((h >> 12) & 0xFF, (h >> 4) & 0xFF, ((h & 0x0F) << 4) | ((t >> 16) & 0x0F),
                  (t >> 8) & 0xFF, t & 0xFF))
