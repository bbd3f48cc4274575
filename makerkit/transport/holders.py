"""Who holds this port? Name the program (and its PID) that has a serial device open.

On Linux every process lists its open files under ``/proc/<pid>/fd``; a link there that points at
the device means that process has the port open. Other systems offer no such view without extra
tools, so :func:`find_holders` returns ``None`` there ("cannot tell"), and an empty list on Linux
means "nobody we are allowed to see" (another user's processes are hidden from non-root users).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass(frozen=True)
class Holder:
    """A process that has the port open."""
    pid: int
    name: str
    cmdline: str
    other_end: bool = False
    """True for a pseudo-terminal's own server: it also holds the pty's master side (a virtual kit
    served with ``makerkit sim serve --pty``, socat...), so it is the "board", not a competitor."""

    @property
    def is_self(self) -> bool:
        return self.pid == os.getpid()

    def describe(self) -> str:
        """``"python3 (PID 4242)"``."""
        return f"{self.name} (PID {self.pid})"

    def to_dict(self) -> dict:
        return {"pid": self.pid, "name": self.name, "cmdline": self.cmdline, "other_end": self.other_end}


def can_tell() -> bool:
    """True where this OS lets makerkit see which program holds a port."""
    return sys.platform.startswith("linux") and os.path.isdir("/proc/self/fd")


def find_holders(device: str, *, proc: str = "/proc") -> list[Holder] | None:
    """Processes that have ``device`` open, or ``None`` where the OS cannot tell."""
    if proc == "/proc" and not can_tell():
        return None
    return scan([device], proc=proc).get(device, [])


def scan(devices: list[str], *, proc: str = "/proc") -> dict[str, list[Holder]]:
    """Holders of several devices in one pass over ``/proc`` (``{device: [Holder, ...]}``).

    Devices that are not paths (``socket://...``) are never held. Returns an empty mapping where
    the OS cannot tell (see :func:`can_tell`)."""
    if proc == "/proc" and not can_tell():
        return {}
    wanted: dict[str, str] = {}
    for device in devices:
        if "://" in device:
            continue
        wanted[os.path.realpath(device)] = device
    found: dict[str, list[Holder]] = {device: [] for device in wanted.values()}
    if not wanted:
        return found
    try:
        pids = [entry for entry in os.listdir(proc) if entry.isdigit()]
    except OSError:
        return found
    for pid in pids:
        fd_dir = os.path.join(proc, pid, "fd")
        try:
            fds = os.listdir(fd_dir)
        except OSError:  # process gone, or another user's (not root)
            continue
        hits = set()
        masters = set()  # pty indexes whose master side this process holds
        for fd in fds:
            try:
                target = os.readlink(os.path.join(fd_dir, fd))
            except OSError:
                continue
            if target in wanted:
                hits.add(wanted[target])
            elif target in ("/dev/ptmx", "/dev/pts/ptmx"):
                index = _pty_index(os.path.join(proc, pid, "fdinfo", fd))
                if index is not None:
                    masters.add(f"/dev/pts/{index}")
        if hits:
            holder = _describe(proc, int(pid))
            for device in hits:
                real = os.path.realpath(device)
                found[device].append(Holder(holder.pid, holder.name, holder.cmdline, real in masters))
    return found


def _pty_index(fdinfo: str) -> int | None:
    """The pty number of a ``/dev/ptmx`` descriptor (Linux shows it in fdinfo as ``tty-index``)."""
    for line in _read(fdinfo).splitlines():
        if line.startswith("tty-index:"):
            try:
                return int(line.split(":", 1)[1])
            except ValueError:
                return None
    return None


def _describe(proc: str, pid: int) -> Holder:
    name = _read(os.path.join(proc, str(pid), "comm")).strip() or "?"
    cmdline = _read(os.path.join(proc, str(pid), "cmdline")).replace("\0", " ").strip()
    return Holder(pid=pid, name=name, cmdline=cmdline)


def _read(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read(4096).decode("utf-8", "replace")
    except OSError:
        return ""


__all__ = ["Holder", "can_tell", "find_holders", "scan"]
