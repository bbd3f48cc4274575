"""Every error makerkit raises, with a message that names the thing and a hint that says what to do.

Each class inherits :class:`MakerkitError` and the closest built-in exception, so
``except OSError`` still catches a busy port. Messages and hints come in Simplified Chinese and
English; ``str(err)`` uses the reader's language (see :mod:`makerkit.i18n`), and ``err.message_en``
/ ``err.message_zh`` / ``err.hint_en`` / ``err.hint_zh`` give each one explicitly.

Raise them with bilingual text::

    raise PortNotFoundError(
        en=f"There is no serial port called {port}.",
        zh=f"找不到串口 {port}。",
    )

The class supplies a default hint; pass ``hint_en``/``hint_zh`` to make it more precise.
The library never prints and never exits: the CLI is the one place that shows these.
"""

from __future__ import annotations

from .i18n import current_language


class MakerkitError(Exception):
    """Base of all makerkit errors. ``exit_code`` is what the CLI exits with."""

    hint_en = "Read the message above; run the command again with --debug for details."
    hint_zh = "请阅读上面的说明；加上 --debug 再运行一次可以看到更多细节。"
    exit_code = 1

    def __init__(self, en: str = "", zh: str | None = None, *, hint_en: str | None = None,
                 hint_zh: str | None = None, **details):
        self.message_en = en or self.__class__.__name__
        self.message_zh = zh or self.message_en
        if hint_en is not None:
            self.hint_en = hint_en
        if hint_zh is not None:
            self.hint_zh = hint_zh
        self.details = details
        super().__init__(self.message_en)

    def message(self, lang: str | None = None) -> str:
        return self.message_zh if (lang or current_language()) == "zh" else self.message_en

    def hint(self, lang: str | None = None) -> str:
        return self.hint_zh if (lang or current_language()) == "zh" else self.hint_en

    def __str__(self) -> str:
        lang = current_language()
        return f"{self.message(lang)}\n{'提示' if lang == 'zh' else 'Hint'}: {self.hint(lang)}"


# --- configuration and data ----------------------------------------------------------------------

class CatalogError(MakerkitError, ValueError):
    """A board profile or lesson file is malformed (the message names the file and the key)."""
    hint_en = "Fix the file named above; compare it with one of the files that ship with makerkit."
    hint_zh = "请修改上面提到的文件，可以对照 makerkit 自带的同类文件。"
    exit_code = 2


class UnknownBoardError(MakerkitError, LookupError):
    hint_en = "Run `makerkit boards` to see the board names makerkit knows."
    hint_zh = "运行 `makerkit boards` 查看 makerkit 支持的开发板名称。"
    exit_code = 2


class UnknownLessonError(MakerkitError, LookupError):
    hint_en = "Run `makerkit lesson list` to see the lessons."
    hint_zh = "运行 `makerkit lesson list` 查看所有课程。"
    exit_code = 2


class UsageError(MakerkitError, ValueError):
    """A value passed by the caller is wrong (bad URL, bad option combination...)."""
    hint_en = "Check the value you gave; `--help` lists what each option takes."
    hint_zh = "请检查你输入的值；`--help` 会列出每个选项的用法。"
    exit_code = 2


# --- ports and connections ------------------------------------------------------------------------

class ConnectionError_(MakerkitError, ConnectionError):
    """Base for problems talking to a kit. (Named with a trailing underscore to keep the builtin.)"""
    hint_en = "Check the USB cable and the port name, then try again."
    hint_zh = "请检查 USB 线和串口名称，然后再试一次。"
    exit_code = 3


class PortNotFoundError(ConnectionError_, FileNotFoundError):
    hint_en = ("Plug the board in, then run `makerkit ports` to see which port it is on "
               "(COM3 on Windows, /dev/ttyUSB0 or /dev/ttyACM0 on Linux, /dev/cu.usbserial-* on macOS).")
    hint_zh = ("请插好开发板，然后运行 `makerkit ports` 看看它在哪个串口上"
               "（Windows 上类似 COM3，Linux 上类似 /dev/ttyUSB0 或 /dev/ttyACM0）。")


class PortBusyError(ConnectionError_):
    hint_en = ("Close the other program that uses this port (the Arduino IDE serial monitor, Thonny, "
               "Mind+, another makerkit window), then try again.")
    hint_zh = "请关闭正在使用这个串口的其他程序（Arduino IDE 串口监视器、Thonny、Mind+ 或另一个 makerkit 窗口），然后再试。"


class PortPermissionError(ConnectionError_, PermissionError):
    hint_en = ("On Linux, add yourself to the serial group: `sudo usermod -aG dialout $USER`, "
               "then log out and back in. Ask your teacher if you cannot run sudo.")
    hint_zh = "在 Linux 上请把自己加入串口用户组：`sudo usermod -aG dialout $USER`，然后注销再登录。没有 sudo 权限请找老师。"


class NoAnswerError(ConnectionError_, TimeoutError):
    """The board did not answer within the timeout (not running Firmata/makerkit firmware?)."""
    hint_en = ("The board may not run Firmata or makerkit firmware. Flash it with "
               "`makerkit flash --board uno --port PORT` (Arduino) or `makerkit deploy --port PORT` (ESP32), "
               "or press its reset button and try again.")
    hint_zh = ("开发板可能没有运行 Firmata 或 makerkit 固件。请用 `makerkit flash --board uno --port 串口`（Arduino）"
               "或 `makerkit deploy --port 串口`（ESP32）烧录固件，或者按一下复位键再试。")


class DisconnectedError(ConnectionError_):
    """The cable was pulled or the board reset while we were talking to it."""
    hint_en = "Check that the USB cable is plugged in firmly, then run your program again."
    hint_zh = "请检查 USB 线是否插牢，然后重新运行程序。"


# --- pins and features ----------------------------------------------------------------------------

class PinError(MakerkitError, ValueError):
    """A pin the board does not have, or a mode it cannot do. The message lists the valid pins."""
    hint_en = "Use one of the pins listed above, as printed on the board."
    hint_zh = "请使用上面列出的引脚，名称和开发板上印的一样。"
    exit_code = 2


class FeatureNotSupportedError(MakerkitError, NotImplementedError):
    """A makerkit-only feature asked of firmware that lacks it (stock StandardFirmata, old makerkit)."""
    hint_en = "Flash the makerkit firmware: `makerkit flash --board BOARD --port PORT`."
    hint_zh = "请烧录 makerkit 固件：`makerkit flash --board 开发板 --port 串口`。"
    exit_code = 4


class DeviceError(MakerkitError, RuntimeError):
    """A device on the kit misbehaved (a sensor that does not answer, a bad reading)."""
    hint_en = "Check the wiring of the part named above (power, ground, signal pin)."
    hint_zh = "请检查上面提到的元件的接线（电源、地线、信号脚）。"


# --- flashing -------------------------------------------------------------------------------------

class FlashError(MakerkitError, RuntimeError):
    hint_en = "Check the board type and the port, press the board's reset button, and try again."
    hint_zh = "请检查开发板类型和串口，按一下开发板的复位键，然后再试。"
    exit_code = 5


class FirmwareImageError(FlashError, ValueError):
    """The firmware file is wrong: not the right format, for another chip, or too big."""
    hint_en = "Check that the firmware file is the right one for this board."
    hint_zh = "请确认固件文件和这块开发板是配套的。"
    exit_code = 6


class SyncError(FlashError, TimeoutError):
    """The bootloader did not answer (wrong board type, wrong port, no bootloader)."""
    exit_code = 7


class VerifyError(FlashError):
    exit_code = 8


# --- telemetry and storage ------------------------------------------------------------------------

class TelemetryError(MakerkitError, ValueError):
    """A telemetry payload broke the v1 contract (the reason names the field)."""
    hint_en = "Send readings as numbers with names made of a-z, 0-9 and _ (see docs/TELEMETRY.md)."
    hint_zh = "请发送数字类型的读数，名称只能用 a-z、0-9 和下划线（见 docs/TELEMETRY.md）。"


class BrokerError(MakerkitError, ConnectionError):
    hint_en = ("Check the broker address (mqtt://HOST:PORT), the username and password, and that the "
               "broker is running; `makerkit classroom up` starts one on this laptop.")
    hint_zh = "请检查 MQTT 服务器地址（mqtt://主机:端口）、用户名和密码，以及服务器是否在运行；`makerkit classroom up` 可以在本机启动一个。"
    exit_code = 9


class StoreError(MakerkitError, RuntimeError):
    hint_en = "Check the database URL (sqlite:///file.db or postgresql://...) and that there is free disk space."
    hint_zh = "请检查数据库地址（sqlite:///文件.db 或 postgresql://...）以及磁盘是否还有空间。"
    exit_code = 10


class StoreBusyError(StoreError):
    """The database is locked or unreachable for now (another program holds a write lock, the server
    restarts): waited out and retried, never fatal to the collector."""
    hint_en = ("Another program is holding the portfolio (a database browser, a second collector?). Close it; "
               "makerkit keeps the unsaved messages unacknowledged and retries, so nothing is lost.")
    hint_zh = "有别的程序占用了作品集数据库（数据库浏览器？另一个收集器？）。请关闭它；makerkit 会保留未保存的消息并不断重试，不会丢失数据。"


class DiskFullError(StoreError, OSError):
    hint_en = "The disk is full. Delete old files or move the portfolio to another disk; nothing has been acknowledged that was not saved."
    hint_zh = "磁盘已满。请删除旧文件或把作品集数据库移到别的磁盘；没有保存成功的数据不会被确认，不会丢失。"


__all__ = [name for name, obj in dict(globals()).items()
           if isinstance(obj, type) and issubclass(obj, MakerkitError)]
