"""Serial ports and pyserial URLs as a :class:`~makerkit.transport.base.Transport`.

This module and :mod:`makerkit.transport.ports` are the only ones that import pyserial.

Reads: on POSIX ports and sockets the transport waits in ``select()`` on the port and on a private
wake-up pipe (so :meth:`SerialTransport.close` from another thread releases a blocked read at once),
then takes everything available in one non-blocking read. Elsewhere (Windows, ``rfc2217://``,
``loop://``) it lets pyserial wait for the first byte and then takes what is buffered.
A device that vanished (cable pulled: "device reports readiness to read but returned no data" or
EIO; a socket closed by the other end) raises :class:`~makerkit.errors.DisconnectedError`.
"""

from __future__ import annotations

import os
import select
import sys
import threading
import time

import serial

from ..errors import DisconnectedError, MakerkitError
from .clock import WALL_CLOCK
from .open_errors import open_error

RESET_PULSE_S = 0.1
"""How long the reset line is held (esptool and avrdude use 0.05-0.25 s)."""


def open_serial(url: str, *, baud: int = 115200, exclusive: bool = True,
                timeout: float = 2.0) -> "SerialTransport":
    """Open a port name or a pyserial URL; see :func:`makerkit.transport.open_transport`."""
    is_url = "://" in url
    # 0.1 s: the usual read timeout (a change costs a network round trip on rfc2217://); ports read
    # through select() switch to 0 (non-blocking) in SerialTransport
    options: dict = {"baudrate": baud, "timeout": 0.1, "write_timeout": timeout, "do_not_open": True}
    if url.lower().startswith("rfc2217://"):
        options["write_timeout"] = None  # pyserial's RFC 2217 client does not support one
    if not is_url:
        options["exclusive"] = True if exclusive else (None if sys.platform == "win32" else False)
    try:
        ser = serial.serial_for_url(url, **options)
        ser.open()
    except MakerkitError:
        raise
    except (serial.SerialException, OSError, ValueError) as exc:
        raise open_error(url, getattr(exc, "errno", None), str(exc)) from exc
    return SerialTransport(ser, url)


class SerialTransport:
    """A pyserial port behind the :class:`~makerkit.transport.base.Transport` interface."""

    clock = WALL_CLOCK

    def __init__(self, ser: "serial.SerialBase", url: str):
        self.url = url
        self._ser = ser
        self._closed = False
        self._lost: str | None = None
        self._read_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._timeout: float | None = ser.timeout
        self._fd: int | None = None
        self._wake_r = self._wake_w = None
        fileno = getattr(ser, "fileno", None)
        if fileno is not None and sys.platform != "win32":
            try:
                self._fd = fileno()
            except Exception:  # a handler without a real descriptor
                self._fd = None
        if self._fd is not None:
            self._wake_r, self._wake_w = os.pipe()
            self._set_timeout(0)

    # -- state -----------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return not self._closed

    def __repr__(self) -> str:
        state = "closed" if self._closed else "lost" if self._lost else "open"
        return f"<SerialTransport {self.url} {state}>"

    def __enter__(self) -> "SerialTransport":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reading and writing -----------------------------------------------------------------------
    def read(self, size: int = 4096, timeout: float | None = 0.1) -> bytes:
        """See :meth:`Transport.read`; ``timeout=None`` waits until data comes or the port closes."""
        if self._closed:
            return b""
        if self._lost:
            raise self._disconnected(self._lost)
        with self._read_lock:
            if self._closed:
                return b""
            if self._fd is not None:
                return self._read_select(size, timeout)
            return self._read_pyserial(size, timeout)

    def _read_select(self, size: int, timeout: float) -> bytes:
        try:
            ready, _, _ = select.select([self._fd, self._wake_r], [], [],
                                        None if timeout is None else max(0.0, timeout))
        except InterruptedError:
            return b""
        except (OSError, ValueError) as exc:
            return self._failed(exc)
        if not ready or self._wake_r in ready:
            return b""
        try:
            return bytes(self._ser.read(size))
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            return self._failed(exc)

    def _read_pyserial(self, size: int, timeout: float) -> bytes:
        try:
            self._set_timeout(None if timeout is None else max(0.0, timeout))
            first = self._ser.read(1)
            if not first:
                return b""
            waiting = min(self._ser.in_waiting, size - 1)
            if waiting <= 0:
                return bytes(first)
            # those bytes are already buffered, so this returns at once; the timeout is left as it
            # is (changing it costs a network round trip on rfc2217://)
            return bytes(first) + bytes(self._ser.read(waiting))
        except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
            return self._failed(exc)

    def write(self, data: bytes) -> None:
        if self._closed:
            raise DisconnectedError(
                en=f"The connection to {self.url} is already closed.",
                zh=f"与 {self.url} 的连接已经关闭了。",
                hint_en="Open the kit again before sending to it.",
                hint_zh="请先重新连接套件，再发送数据。", port=self.url)
        if self._lost:
            raise self._disconnected(self._lost)
        with self._write_lock:
            try:
                self._ser.write(data)
            except serial.SerialTimeoutException as exc:
                self._lost = f"the board stopped taking data ({exc})"
                raise self._disconnected(self._lost) from exc
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                if self._closed:
                    return
                self._lost = str(exc) or exc.__class__.__name__
                raise self._disconnected(self._lost) from exc

    def _failed(self, exc: BaseException) -> bytes:
        if self._closed:
            return b""
        self._lost = str(exc) or exc.__class__.__name__
        raise self._disconnected(self._lost) from exc

    def _disconnected(self, reason: str) -> DisconnectedError:
        return DisconnectedError(
            en=f"The connection to {self.url} was lost: the USB cable was pulled, the board reset, "
               f"or the other end closed it ({reason}).",
            zh=f"与 {self.url} 的连接断开了：USB 线被拔掉、开发板复位，或者对方关闭了连接（{reason}）。",
            port=self.url, reason=reason)

    def _set_timeout(self, value: float) -> None:
        if self._timeout != value:
            self._ser.timeout = value
            self._timeout = value

    # -- line control --------------------------------------------------------------------------------
    def set_baud(self, baud: int) -> None:
        if self._closed or self._lost:
            return
        try:
            self._ser.baudrate = baud
        except (serial.SerialException, OSError) as exc:
            self._failed(exc)

    def pulse_reset(self) -> None:
        """Pulse DTR/RTS so that both common auto-reset circuits restart the board.

        Arduino (DTR through a capacitor to RESET): the DTR edge back to asserted resets it.
        ESP32 DevKits (two cross-coupled transistors): RTS asserted with DTR released pulls EN low;
        releasing RTS while DTR is still released boots normally (GPIO0 high), not into the ROM
        loader. Ends with both lines asserted, as after opening the port. No-op without modem lines
        (ptys, sockets)."""
        if self._closed or self._lost or self.url.lower().startswith(("socket://", "loop://")):
            return
        try:
            self._ser.dtr = False
            self._ser.rts = True
            time.sleep(RESET_PULSE_S)
            self._ser.rts = False
            self._ser.dtr = True
            self._ser.rts = True
        except (serial.SerialException, OSError, ValueError):
            return  # ptys and some adapters have no DTR/RTS

    # -- closing ---------------------------------------------------------------------------------
    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._wake_w is not None:
            try:
                os.write(self._wake_w, b"x")
            except OSError:
                pass
        else:
            cancel = getattr(self._ser, "cancel_read", None)
            if cancel is not None:
                try:
                    cancel()
                except Exception:
                    pass
        got_lock = self._read_lock.acquire(timeout=2.0)
        try:
            try:
                self._ser.close()
            except Exception:  # closing a port whose device vanished may fail; it is closed anyway
                pass
            for fd in (self._wake_r, self._wake_w):
                if fd is not None:
                    try:
                        os.close(fd)
                    except OSError:
                        pass
            self._wake_r = self._wake_w = None
        finally:
            if got_lock:
                self._read_lock.release()

    def __del__(self):  # a forgotten transport must not leak its descriptors
        try:
            self.close()
        except Exception:
            pass


__all__ = ["SerialTransport", "open_serial", "RESET_PULSE_S"]
