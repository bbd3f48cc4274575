"""After a deploy: ask the restarted firmware who it is, with the one handshake.

The board has just soft-reset into ``main.py``; it prints its boot lines and then speaks Firmata.
The handshake of :mod:`makerkit.protocol.handshake` (``full=False``) runs on the deploy's own
serial port; what the board printed instead of answering goes into the error, so a crash in the
firmware's start-up shows there.
"""

from __future__ import annotations

from ..device.client import FirmataClient
from ..device.handshake import handshake
from ..errors import FlashError, NoAnswerError
from ..protocol import firmata
from ..transport.serial_port import SerialTransport as PortTransport

PRINTED_KEEP = 8192     # bytes of what the board printed kept for the error message


def confirm_identity(ser, port: str, timeout: float) -> dict:
    """The identity the makerkit firmware on ``ser`` (an open pyserial port) reports; raises
    :class:`FlashError` when it does not answer within ``timeout`` seconds. Closes ``ser``."""
    transport = PortTransport(ser, port)
    client = FirmataClient(transport)
    printed = bytearray()

    def keep(event) -> None:
        if len(printed) < PRINTED_KEEP:
            printed.extend(event.data)
    client.add_listener(firmata.Garbage, keep)
    try:
        result = handshake(client, timeout=timeout, full=False,       # read while it waits: no thread
                           board_known=lambda board: True)
        if result.identity is not None:
            return dict(result.identity.info)
    except NoAnswerError:
        pass
    finally:
        client.close()
    raise _silent(printed)


def _silent(printed: bytes) -> FlashError:
    lines = [line for line in bytes(printed).decode("utf-8", "replace").splitlines() if line.strip()]
    crash = next((line for line in reversed(lines) if "Error" in line), "")
    return FlashError(
        en="The files are on the board, but after the restart the makerkit firmware did not answer."
           + (f" The board printed: {crash.strip()}" if crash else ""),
        zh="文件已经写到开发板上了，但重启后 makerkit 固件没有回应。"
           + (f"开发板输出：{crash.strip()}" if crash else ""),
        hint_en="Press the board's reset (EN) button and run `makerkit info --port PORT`; if it still "
                "does not answer, run `makerkit deploy` again.",
        hint_zh="请按一下开发板的复位（EN）键，然后运行 `makerkit info --port 串口`；如果还是没有回应，"
                "请再运行一次 `makerkit deploy`。")


__all__ = ["confirm_identity"]
