"""The kit's I2C bus through Firmata, shaped like Blinka's ``busio.I2C``.

Adafruit's CircuitPython drivers (``adafruit_ahtx0``, ``adafruit_bme280``, ...) take this object
wherever they expect ``busio.I2C``::

    import adafruit_ahtx0
    sensor = adafruit_ahtx0.AHTx0(kit.i2c())
    print(sensor.temperature, sensor.relative_humidity)

Wiring: SDA → the board's SDA (A4 on an Uno, GPIO21 on an ESP32), SCL → SCL (A5 / GPIO22),
VCC → 3.3 V or 5 V as the module says, GND → GND.

This is the only module that imports adafruit-blinka (for its ``Lockable`` base class); the kit
imports this module only when ``kit.i2c()`` is first called.
"""

from __future__ import annotations

import errno
import threading

from adafruit_blinka import Lockable

from ..errors import DeviceError, MakerkitError, NoAnswerError
from ..protocol import firmata as fm

I2C_TIMEOUT = 0.5    # seconds for one transaction's reply


class I2CError(DeviceError, OSError):
    """No device answered at an address (an OSError, as drivers expect from busio.I2C)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.errno = errno.EIO


def _answers(event, address: int, register: int) -> bool:
    if isinstance(event, fm.StringData):
        return event.text.startswith("I2C")
    return event.address == address and event.register == register


class I2C(Lockable):
    """The kit's I2C bus (see the module's docstring for the wiring)."""

    def __init__(self, *, kit):
        self.kit = kit
        self.closed = False
        self._io = threading.Lock()
        kit.client.check()
        kit.client.send(fm.i2c_config(0))
        for name in (kit.board.i2c_sda, kit.board.i2c_scl):
            info = kit.board.pin(name)
            if info.number < len(kit.client.capabilities or ()) and \
                    any(m == fm.PinMode.I2C for m, _ in kit.client.capabilities[info.number]):
                kit.client.set_pin_mode(info.number, fm.PinMode.I2C)

    # --- busio.I2C API ------------------------------------------------------------------------------
    def deinit(self) -> None:
        self.closed = True

    def scan(self) -> list[int]:
        """Addresses (0x08-0x77) where a device answers."""
        return [address for address in range(0x08, 0x78) if self._probe(address)]

    def writeto(self, address: int, buffer, *, start: int = 0, end: int | None = None) -> None:
        data = bytes(memoryview(buffer)[start:end])
        with self._io:
            if not data:  # a zero-length write is a presence probe (adafruit_bus_device does this)
                if not self._probe(address, locked=True):
                    raise self._absent(address)
                return
            self._write(address, data, restart=False)

    def readfrom_into(self, address: int, buffer, *, start: int = 0, end: int | None = None) -> None:
        view = memoryview(buffer)[start:end]
        with self._io:
            data = self._read(address, len(view))
        view[:] = data

    def writeto_then_readfrom(self, address: int, buffer_out, buffer_in, *, out_start: int = 0,
                              out_end: int | None = None, in_start: int = 0, in_end: int | None = None) -> None:
        out = bytes(memoryview(buffer_out)[out_start:out_end])
        view = memoryview(buffer_in)[in_start:in_end]
        with self._io:
            if len(out) == 1:
                data = self._read(address, len(view), register=out[0])
            else:
                self._write(address, out, restart=True)
                data = self._read(address, len(view))
        view[:] = data

    # --- Firmata ------------------------------------------------------------------------------------
    def _check(self) -> None:
        if self.closed:
            raise MakerkitError(en="This I2C bus is closed.", zh="这个 I2C 总线已经关闭。")
        self.kit.client.check()

    def _write(self, address: int, data: bytes, *, restart: bool) -> None:
        self._check()
        client = self.kit.client
        client.send(fm.i2c_request(address, fm.I2cMode.WRITE, data, restart=restart))
        if self.kit.firmware.is_makerkit:
            # makerkit firmware reports a NACK as MK_ERROR; a version round trip behind the write
            # tells whether one came (Firmata answers in order), so a missing device raises here.
            try:
                client.request(fm.report_version(), expect=fm.ProtocolVersion, timeout=I2C_TIMEOUT,
                               raise_mk_error=fm.I2C_REQUEST,
                               what=(f"the I2C write at 0x{address:02X}", f"地址 0x{address:02X} 的 I2C 写入"))
            except (NoAnswerError, DeviceError) as exc:
                if client.lost is not None:
                    raise client.lost from exc
                raise self._absent(address) from exc

    def _read(self, address: int, count: int, *, register: int | None = None) -> bytes:
        self._check()
        if count == 0:
            return b""
        client = self.kit.client
        expected = 0 if register is None else register
        try:
            reply = client.request(
                fm.i2c_request(address, fm.I2cMode.READ, register=register, read_count=count),
                expect=(fm.I2cReply, fm.StringData), match=lambda e: _answers(e, address, expected),
                timeout=I2C_TIMEOUT, raise_mk_error=fm.I2C_REQUEST,
                what=(f"the I2C read at 0x{address:02X}", f"地址 0x{address:02X} 的 I2C 读取"))
        except (NoAnswerError, DeviceError) as exc:
            if client.lost is not None:
                raise client.lost from exc
            raise self._absent(address) from exc
        if isinstance(reply, fm.StringData):  # StandardFirmata: "I2C: Too few bytes received"
            raise self._absent(address)
        data = bytes(reply.data)
        if len(data) < count:
            raise self._absent(address)
        return data[:count]

    def _probe(self, address: int, *, locked: bool = False) -> bool:
        try:
            if locked:
                self._read(address, 1)
            else:
                with self._io:
                    self._read(address, 1)
            return True
        except I2CError:
            return False

    def _absent(self, address: int) -> I2CError:
        sda, scl = self.kit.board.i2c_sda, self.kit.board.i2c_scl
        return I2CError(
            en=f"No I2C device answered at address 0x{address:02X}.",
            zh=f"地址 0x{address:02X} 上没有 I2C 设备回应。",
            hint_en=f"Check the wiring: SDA to {sda}, SCL to {scl}, VCC and GND; and the device's address.",
            hint_zh=f"请检查接线：SDA 接 {sda}，SCL 接 {scl}，以及 VCC 和 GND；并确认设备地址。",
            address=address)

    def __repr__(self) -> str:
        return f"<I2C on {self.kit.board.i2c_sda}/{self.kit.board.i2c_scl}>"


def check_wiring(kit, wired) -> list:
    """The wiring check of an I2C part (:mod:`makerkit.device.wiring`): it answers at one of its
    addresses; if not, a scan of the bus says whether it answers somewhere else."""
    from . import wiring
    try:
        bus = kit.i2c()
    except (DeviceError, NoAnswerError) as exc:
        return [wiring.fault(wired, None, exc.message_en, exc.message_zh, exc.hint_en, exc.hint_zh)]
    if any(bus._probe(address) for address in wired.address):
        return []
    wanted = "/".join(f"0x{a:02X}" for a in wired.address)
    found = [a for a in bus.scan() if a != kit.board.onboard.get("oled_i2c_address")]
    sda, scl = kit.board.i2c_sda, kit.board.i2c_scl
    if found:
        seen = ", ".join(f"0x{a:02X}" for a in found)
        return [wiring.fault(
            wired, None,
            f"Nothing answers at {wanted} on the I2C bus, but something answers at {seen}.",
            f"I2C 总线上地址 {wanted} 没有应答，但是地址 {seen} 上有设备应答。",
            "Is it the part the lesson asks for? Some modules have an address pin or jumper (ADDR, AD0): "
            f"set it so the module answers at {wanted}, or tell your teacher the address {seen}.",
            f"这是课程要求的那个元件吗？有些模块有地址脚或跳线（ADDR、AD0）：把它设成 {wanted}，"
            f"或者告诉老师地址是 {seen}。")]
    return [wiring.fault(
        wired, None,
        f"No I2C device answers: nothing is heard at {wanted}.",
        f"没有 I2C 设备应答：地址 {wanted} 上什么也听不到。",
        f"Check its four wires: SDA to {sda}, SCL to {scl} (not swapped), VCC to 3V3 or 5V, GND to GND.",
        f"请检查它的四根线：SDA 接 {sda}，SCL 接 {scl}（不要接反），VCC 接 3V3 或 5V，GND 接 GND。")]
