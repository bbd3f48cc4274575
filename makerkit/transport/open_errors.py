"""Turn the ways opening a port can fail into errors a 12-year-old and their teacher can act on.

pyserial reports every failure as ``SerialException`` whose text (and, on POSIX, ``errno``) says
what happened; the texts differ per OS. :func:`classify` maps an errno and a text to one of
``"busy"``, ``"permission"``, ``"not_found"``, ``"no_device"``, ``"not_serial"``, ``"not_rfc2217"``,
``"refused"``, ``"bad_url"`` or ``"other"``; :func:`open_error` builds the bilingual :class:`~makerkit.errors.MakerkitError`.

Windows note: a COM port that another program has open fails with "Access is denied"
(``PermissionError(13, ...)``): on Windows that means *busy*, not a missing permission.
"""

from __future__ import annotations

import errno as E
import os
import re
import sys

from ..errors import (ConnectionError_, MakerkitError, PortBusyError, PortNotFoundError,
                      PortPermissionError, UsageError)
from . import holders as _holders

_BUSY_ERRNOS = {E.EBUSY, E.EAGAIN, E.EWOULDBLOCK}
_GONE_ERRNOS = {E.ENXIO, E.ENODEV, E.EIO}
_WIN_PERROR = re.compile(r"PermissionError\(13|Access is denied|拒绝访问", re.I)
_WIN_NOTFOUND = re.compile(r"FileNotFoundError\(2|cannot find the file|系统找不到指定的文件", re.I)
_WIN_GONE = re.compile(r"OSError\(22|The semaphore timeout|device does not recognize|"
                       r"device attached to the system is not functioning", re.I)


def classify(errno: int | None, text: str, *, windows: bool | None = None) -> str:
    """Name the kind of failure from an errno (may be ``None``) and pyserial's message."""
    windows = sys.platform == "win32" if windows is None else windows
    low = text.lower()
    if "invalid url" in low or "expected a string in the form" in low:
        return "bad_url"
    if "exclusively lock" in low or errno in _BUSY_ERRNOS or "resource busy" in low:
        return "busy"
    if _WIN_PERROR.search(text) and (windows or "PermissionError(13" in text):
        return "busy"
    if errno in (E.EACCES, E.EPERM) or "permission denied" in low:
        return "permission"
    if "does not seem to support rfc2217" in low:
        return "not_rfc2217"
    if errno == E.ENOTTY or "inappropriate ioctl" in low:
        return "not_serial"
    if errno == E.ECONNREFUSED or "connection refused" in low or "name or service not known" in low \
            or "timed out" in low or "no route to host" in low:
        return "refused"
    if errno == E.ENOENT or "no such file or directory" in low or _WIN_NOTFOUND.search(text):
        return "not_found"
    if errno in _GONE_ERRNOS or "no such device" in low or "input/output error" in low \
            or _WIN_GONE.search(text):
        return "no_device"
    return "other"


def open_error(port: str, errno: int | None, text: str, *, windows: bool | None = None,
               available: list[str] | None = None) -> MakerkitError:
    """The error to raise when ``port`` could not be opened (pyserial said ``text``)."""
    kind = classify(errno, text, windows=windows)
    if kind == "busy":
        return busy_error(port, windows=windows)
    if kind == "permission":
        return permission_error(port)
    if kind == "not_found":
        return not_found_error(port, available)
    if kind == "no_device":
        return PortNotFoundError(
            en=f"The port {port} exists, but no board answers behind it (unplugged, or a built-in "
               f"port with nothing connected).",
            zh=f"串口 {port} 存在，但后面没有连接开发板（可能已拔下，或者是电脑自带的空串口）。",
            port=port, reason=text)
    if kind == "refused":
        return PortNotFoundError(
            en=f"Nothing answers at {port}: no virtual kit or serial server is listening there.",
            zh=f"{port} 没有响应：那里没有正在运行的虚拟套件或串口服务器。",
            hint_en="Start it first (`makerkit sim serve --listen HOST:PORT`), or check the host and port number.",
            hint_zh="请先启动它（`makerkit sim serve --listen 主机:端口`），或者检查主机和端口号。",
            port=port, reason=text)
    if kind == "not_serial":
        return UsageError(
            en=f"{port} is not a serial port (it is some other kind of file or device).",
            zh=f"{port} 不是串口（它是别的文件或设备）。",
            hint_en="Run `makerkit ports` to see the serial ports, then use one of those.",
            hint_zh="运行 `makerkit ports` 查看串口，然后使用其中一个。",
            port=port, reason=text)
    if kind == "not_rfc2217":
        plain = "socket://" + port.split("://", 1)[-1]
        return UsageError(
            en=f"{port} answered, but it does not speak RFC 2217. If it is a plain TCP serial server "
               f"(such as `makerkit sim serve`), use {plain} instead.",
            zh=f"{port} 有回应，但它不支持 RFC 2217 协议。如果它是普通的 TCP 串口服务器"
               f"（比如 `makerkit sim serve`），请改用 {plain}。",
            port=port, reason=text)
    if kind == "bad_url":
        return UsageError(
            en=f"{port!r} is not a port makerkit can open ({text}). Use a port name such as COM3 or "
               f"/dev/ttyUSB0, or a URL: socket://HOST:PORT, rfc2217://HOST:PORT, loop://.",
            zh=f"{port!r} 不是 makerkit 能打开的串口（{text}）。请使用 COM3、/dev/ttyUSB0 这样的串口名，"
               f"或 socket://主机:端口、rfc2217://主机:端口、loop:// 这样的地址。",
            port=port, reason=text)
    return ConnectionError_(
        en=f"makerkit could not open {port}: {text}",
        zh=f"makerkit 无法打开 {port}：{text}",
        port=port, reason=text)


def busy_error(port: str, *, windows: bool | None = None) -> PortBusyError:
    """Port held by another program; names it (and its PID) where the OS can tell."""
    found = None if windows else _holders.find_holders(port) if "://" not in port else None
    if found:
        if all(h.is_self for h in found):
            return PortBusyError(
                en=f"{port} is already open in this same program (another connection to the board "
                   f"was not closed).",
                zh=f"{port} 已经在本程序里打开了（之前的连接还没有关闭）。",
                hint_en="Use the kit you already opened, or close it (`kit.close()` / a `with` block) first.",
                hint_zh="请使用已经打开的套件，或者先关闭它（`kit.close()` 或使用 with 语句）。",
                port=port, holders=[h.to_dict() for h in found])
        names = ", ".join(h.describe() for h in found if not h.is_self)
        return PortBusyError(
            en=f"{port} is held by another program: {names}.",
            zh=f"{port} 正被其他程序占用：{names}。",
            hint_en=f"Close {names} (a serial monitor, Thonny, Mind+, another makerkit window), then try again.",
            hint_zh=f"请关闭 {names}（串口监视器、Thonny、Mind+ 或另一个 makerkit 窗口），然后再试。",
            port=port, holders=[h.to_dict() for h in found])
    if found is not None:  # Linux, but the holder is invisible to us (another user's process)
        en_why, zh_why = ("makerkit cannot see which one: it may belong to another user",
                          "makerkit 看不到是哪个程序：它可能属于另一个用户")
    else:
        en_why, zh_why = ("this system does not tell makerkit which one",
                          "这个系统不告诉 makerkit 是哪个程序")
    return PortBusyError(
        en=f"{port} is held by another program ({en_why}).",
        zh=f"{port} 正被其他程序占用（{zh_why}）。",
        port=port, holders=[])


def permission_error(port: str) -> PortPermissionError:
    """EACCES: name the device's group and say how to join it (Linux ``dialout``)."""
    group, gid = _device_group(port)
    if group is None:
        return PortPermissionError(
            en=f"You are not allowed to open {port}.",
            zh=f"你没有打开 {port} 的权限。",
            port=port)
    user = _user_name()
    if user and _listed_in_group(user, group) and gid not in os.getgroups():
        return PortPermissionError(
            en=f"You are not allowed to open {port} yet: you were added to the '{group}' group, "
               f"but this login session started before that.",
            zh=f"暂时不能打开 {port}：你已经被加入 '{group}' 用户组，但当前登录是在那之前开始的。",
            hint_en="Log out and back in (or restart the computer), then try again.",
            hint_zh="请注销后重新登录（或重启电脑），然后再试。",
            port=port, group=group)
    return PortPermissionError(
        en=f"You are not allowed to open {port}: it belongs to the '{group}' group, and your user "
           f"is not in that group.",
        zh=f"你没有打开 {port} 的权限：它属于 '{group}' 用户组，而你的用户不在这个组里。",
        hint_en=f"Add yourself to that group: `sudo usermod -aG {group} $USER`, then log out and back "
                f"in. Ask your teacher if you cannot run sudo.",
        hint_zh=f"请把自己加入这个用户组：`sudo usermod -aG {group} $USER`，然后注销再登录。"
                f"没有 sudo 权限请找老师。",
        port=port, group=group)


def not_found_error(port: str, available: list[str] | None = None) -> PortNotFoundError:
    if available is None:
        available = _available_ports()
    others = [p for p in available if p != port]
    if others:
        en_list, zh_list = f" Ports found: {', '.join(others)}.", f"找到的串口：{'、'.join(others)}。"
    else:
        en_list, zh_list = " No serial ports were found at all.", "一个串口也没有找到。"
    return PortNotFoundError(
        en=f"There is no serial port called {port}.{en_list}",
        zh=f"找不到串口 {port}。{zh_list}",
        port=port, available=others)


def _available_ports() -> list[str]:
    try:
        from .ports import list_ports
        return [p.port for p in list_ports()]
    except Exception:  # listing is a courtesy in an error message; never hide the real error
        return []


def _device_group(port: str) -> tuple[str | None, int | None]:
    try:
        import grp
        gid = os.stat(port).st_gid
    except (ImportError, OSError):
        return None, None
    try:
        return grp.getgrgid(gid).gr_name, gid
    except KeyError:
        return str(gid), gid


def _user_name() -> str | None:
    try:
        import pwd
        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        return None


def _listed_in_group(user: str, group: str) -> bool:
    try:
        import grp
        return user in grp.getgrnam(group).gr_mem
    except (ImportError, KeyError):
        return False


__all__ = ["busy_error", "classify", "not_found_error", "open_error", "permission_error"]
