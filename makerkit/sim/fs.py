"""The virtual kit's flash filesystem: an in-memory dict of path -> bytes, or a folder on disk.

Paths are absolute, ``/`` separated, as on a MicroPython board (``/makerkit.json``, ``/lib/x.py``).
Errors are ``OSError`` with MicroPython's errno values (ENOENT, EEXIST, EISDIR, ENOTDIR, ENOTEMPTY).
"""

from __future__ import annotations

import errno
import os
import threading
from pathlib import Path

S_IFDIR = 0x4000
S_IFREG = 0x8000


def norm(path: str) -> str:
    parts: list[str] = []
    for part in str(path).replace("\\", "/").split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def _err(code: int, path: str) -> OSError:
    return OSError(code, errno.errorcode.get(code, str(code)), path)


class SimFs:
    """A small POSIX-like filesystem (see the module docstring). Thread-safe."""

    def __init__(self, fs_dir: str | os.PathLike | None = None):
        self.root = Path(fs_dir) if fs_dir is not None else None
        if self.root is not None:
            self.root.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, bytes] = {}
        self._dirs: set[str] = {"/"}
        self._lock = threading.RLock()

    # --- on disk ---------------------------------------------------------------------------------
    def _disk(self, path: str) -> Path:
        assert self.root is not None
        return self.root.joinpath(*[p for p in path.split("/") if p])

    # --- queries -----------------------------------------------------------------------------------
    def isdir(self, path: str) -> bool:
        path = norm(path)
        if self.root is not None:
            return self._disk(path).is_dir()
        with self._lock:
            return path in self._dirs

    def isfile(self, path: str) -> bool:
        path = norm(path)
        if self.root is not None:
            return self._disk(path).is_file()
        with self._lock:
            return path in self._files

    def exists(self, path: str) -> bool:
        return self.isdir(path) or self.isfile(path)

    def _parent_ok(self, path: str) -> None:
        parent = norm(path.rsplit("/", 1)[0] or "/")
        if not self.isdir(parent):
            raise _err(errno.ENOENT, path)

    def listdir(self, path: str = "/") -> list[str]:
        path = norm(path)
        if not self.isdir(path):
            raise _err(errno.ENOTDIR if self.isfile(path) else errno.ENOENT, path)
        if self.root is not None:
            return sorted(p.name for p in self._disk(path).iterdir())
        prefix = path.rstrip("/") + "/"
        with self._lock:
            names = {p[len(prefix):] for p in list(self._files) + list(self._dirs)
                     if p.startswith(prefix) and p != path and "/" not in p[len(prefix):]}
        return sorted(names)

    def stat(self, path: str) -> tuple:
        """MicroPython's 10-tuple: mode, ino, dev, nlink, uid, gid, size, atime, mtime, ctime."""
        path = norm(path)
        if self.isdir(path):
            return (S_IFDIR, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        if self.isfile(path):
            if self.root is not None:
                length = self._disk(path).stat().st_size
            else:
                with self._lock:
                    length = len(self._files.get(path, b""))
            return (S_IFREG, 0, 0, 0, 0, 0, length, 0, 0, 0)
        raise _err(errno.ENOENT, path)

    # --- files ----------------------------------------------------------------------------------------
    def read(self, path: str, offset: int = 0, size: int = -1) -> bytes:
        """The file's bytes (from ``offset``, at most ``size`` of them when ``size`` >= 0)."""
        path = norm(path)
        if self.isdir(path):
            raise _err(errno.EISDIR, path)
        if self.root is not None:
            try:
                with open(self._disk(path), "rb") as fh:
                    fh.seek(offset)
                    return fh.read() if size < 0 else fh.read(size)
            except FileNotFoundError:
                raise _err(errno.ENOENT, path) from None
        with self._lock:
            if path not in self._files:
                raise _err(errno.ENOENT, path)
            data = self._files[path]
        if offset or size >= 0:
            return data[offset:] if size < 0 else data[offset:offset + size]
        return data

    def append(self, path: str, data: bytes) -> None:
        """Add ``data`` at the end of the file (made when missing). On disk only the new bytes are
        written, so a process killed mid-append leaves a torn tail, as a power cut does on a board."""
        path = norm(path)
        if self.isdir(path):
            raise _err(errno.EISDIR, path)
        self._parent_ok(path)
        if self.root is not None:
            with open(self._disk(path), "ab") as fh:
                fh.write(bytes(data))
            return
        with self._lock:
            self._files[path] = self._files.get(path, b"") + bytes(data)

    def size(self, path: str) -> int:
        return self.stat(path)[6]

    def write(self, path: str, data: bytes) -> None:
        path = norm(path)
        if self.isdir(path):
            raise _err(errno.EISDIR, path)
        self._parent_ok(path)
        if self.root is not None:
            self._disk(path).write_bytes(bytes(data))
            return
        with self._lock:
            self._files[path] = bytes(data)

    def remove(self, path: str) -> None:
        path = norm(path)
        if self.isdir(path):
            raise _err(errno.EISDIR, path)
        if not self.isfile(path):
            raise _err(errno.ENOENT, path)
        if self.root is not None:
            self._disk(path).unlink()
            return
        with self._lock:
            del self._files[path]

    def mkdir(self, path: str) -> None:
        path = norm(path)
        if self.exists(path):
            raise _err(errno.EEXIST, path)
        self._parent_ok(path)
        if self.root is not None:
            self._disk(path).mkdir()
            return
        with self._lock:
            self._dirs.add(path)

    def rmdir(self, path: str) -> None:
        path = norm(path)
        if not self.isdir(path) or path == "/":
            raise _err(errno.ENOENT if not self.exists(path) else errno.EPERM, path)
        if self.listdir(path):
            raise _err(errno.ENOTEMPTY if hasattr(errno, "ENOTEMPTY") else errno.EACCES, path)
        if self.root is not None:
            self._disk(path).rmdir()
            return
        with self._lock:
            self._dirs.discard(path)

    def rename(self, old: str, new: str) -> None:
        old, new = norm(old), norm(new)
        if not self.exists(old):
            raise _err(errno.ENOENT, old)
        self._parent_ok(new)
        if self.root is not None:
            os.replace(self._disk(old), self._disk(new))
            return
        with self._lock:
            if old in self._files:
                self._files[new] = self._files.pop(old)
                return
            prefix = old.rstrip("/") + "/"
            self._dirs = {new + d[len(old):] if d == old or d.startswith(prefix) else d for d in self._dirs}
            self._files = {(new + p[len(old):] if p.startswith(prefix) else p): v for p, v in self._files.items()}

    def usage(self) -> int:
        return sum(len(self.read(p)) for p in self.walk())

    def walk(self) -> list[str]:
        """Every file path, sorted."""
        out, todo = [], ["/"]
        while todo:
            d = todo.pop()
            for name in self.listdir(d):
                p = norm(d + "/" + name)
                (todo if self.isdir(p) else out).append(p)
        return sorted(out)
