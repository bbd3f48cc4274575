"""One collector per id and broker on a computer.

Two collectors with the same client id knock each other off the broker (each connect takes the
other's session over), so the second one refuses to start and names the first. The lock is an OS
file lock (released by the OS when the process ends, even by SIGKILL); the file says who holds it.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time

from ..errors import UsageError


def _lock_dir() -> str:
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    uid = os.getuid() if hasattr(os, "getuid") else os.environ.get("USERNAME", "user")
    path = os.path.join(base, f"makerkit-{uid}")
    os.makedirs(path, mode=0o700, exist_ok=True)
    return path


def _try_lock(fh) -> bool:
    try:
        import fcntl
    except ImportError:                                  # Windows
        import msvcrt
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class CollectorRunningError(UsageError):
    hint_en = "Stop the other collector first, or give this one another id with --id."
    hint_zh = "请先停止另一个收集器，或者用 --id 给这个收集器换一个编号。"


class InstanceLock:
    """``InstanceLock(collector_id, broker_url).acquire()`` ... ``release()``."""

    def __init__(self, collector_id: str, broker: str):
        self.collector_id = collector_id
        self.broker = broker
        digest = hashlib.sha256(f"{collector_id}\n{broker}".encode()).hexdigest()[:16]
        self.path = os.path.join(_lock_dir(), f"collector-{collector_id}-{digest}.lock")
        self._fh = None

    def acquire(self) -> "InstanceLock":
        fh = open(self.path, "a+", encoding="utf-8")
        if not _try_lock(fh):
            fh.seek(0)
            try:
                holder = json.loads(fh.read() or "{}")
            except ValueError:
                holder = {}
            fh.close()
            pid = holder.get("pid", "?")
            since = holder.get("started", "?")
            raise CollectorRunningError(
                en=f"A collector with the id {self.collector_id} is already running on this computer for "
                   f"{self.broker} (process {pid}, started {since}).",
                zh=f"这台电脑上已经有一个编号为 {self.collector_id} 的收集器在为 {self.broker} 工作"
                   f"（进程 {pid}，{since} 启动）。")
        fh.seek(0)
        fh.truncate()
        fh.write(json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
                             "broker": self.broker}))
        fh.flush()
        self._fh = fh
        return self

    def release(self) -> None:
        if self._fh is not None:
            self._fh.close()          # closing releases the lock
            self._fh = None
