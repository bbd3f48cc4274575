"""SQLite portfolio: the embedded default. WAL journal, ``synchronous=FULL`` so a committed batch is on disk
before the collector acknowledges it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time

from ..errors import DiskFullError, StoreBusyError, StoreError
from .base import Store
from .migrations import SQLITE


def sqlite_path(url: str) -> str:
    """``sqlite:///rel.db`` -> ``rel.db``; ``sqlite:////abs/x.db`` -> ``/abs/x.db``; ``sqlite:///:memory:``."""
    if not url.startswith("sqlite:///"):
        from ..errors import UsageError
        raise UsageError(en=f"SQLite URLs look like sqlite:///portfolio.db, not {url!r}.",
                         zh=f"SQLite 地址应写成 sqlite:///portfolio.db，而不是 {url!r}。")
    return url[len("sqlite:///"):]


_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_IOERR, _SQLITE_FULL = 5, 6, 10, 13
BUSY_TIMEOUT = 5.0          # seconds one statement waits for another program's lock before StoreBusyError
_LOW_SPACE = 1 << 20        # an I/O error with less than 1 MB left on the disk is a full disk


def is_disk_full(exc: sqlite3.Error, path: str) -> bool:
    """SQLITE_FULL ("database or disk is full"), or an I/O error on a disk with no room left: on a really
    full disk a WAL database often fails with "disk I/O error" (its ``-shm``/``-wal`` files cannot grow)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None and code & 0xFF == _SQLITE_FULL or "full" in str(exc).lower():
        return True
    if (code is not None and code & 0xFF == _SQLITE_IOERR) or "i/o error" in str(exc).lower():
        try:
            st = os.statvfs(os.path.dirname(os.path.abspath(path)) or ".")
        except (OSError, AttributeError):         # no statvfs on Windows: say what SQLite said
            return False
        return st.f_bavail * st.f_frsize < _LOW_SPACE
    return False


def is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    return "locked" in str(exc).lower() or "busy" in str(exc).lower()


def _wrap(exc: sqlite3.Error, path: str) -> StoreError:
    text = str(exc)
    if path != ":memory:" and is_disk_full(exc, path) or "full" in text.lower():
        return DiskFullError(en=f"The portfolio {path} could not be written: {text}.",
                             zh=f"无法写入作品集 {path}：{text}。")
    if is_busy(exc):
        return StoreBusyError(en=f"The portfolio {path} is locked by another program ({text}).",
                              zh=f"作品集 {path} 被别的程序锁住了（{text}）。")
    return StoreError(en=f"The portfolio {path} failed: {text}.", zh=f"作品集 {path} 出错：{text}。")


class SqliteStore(Store):
    engine = "sqlite"
    dialect = SQLITE

    def __init__(self, url: str):
        self.url = url
        self.path = sqlite_path(url)
        if self.path != ":memory:":
            parent = os.path.dirname(os.path.abspath(self.path))
            if not os.path.isdir(parent):
                raise StoreError(en=f"The folder {parent} for the portfolio does not exist.",
                                 zh=f"作品集所在的文件夹 {parent} 不存在。")
        self._lock = threading.RLock()
        self._db = None
        try:
            self._db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                       timeout=BUSY_TIMEOUT)
            self._when_free("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            fresh = self.schema_version == 0
            self._migrate()
            if fresh and self.path != ":memory:":
                self._when_free("VACUUM")     # a new portfolio keeps no free pages from the steps' old tables
        except (sqlite3.Error, StoreError) as exc:     # close the file, or a full disk could not be unmounted
            if self._db is not None:
                self._db.close()
            if isinstance(exc, StoreError):
                raise
            raise _wrap(exc, self.path) from exc

    def _when_free(self, sql: str) -> None:
        """A statement that needs the whole file (switching to WAL, VACUUM) while another program opens
        the same new portfolio: SQLite can answer "locked" at once instead of calling the busy handler
        (it would deadlock), so wait for the other program here, up to :data:`BUSY_TIMEOUT`."""
        deadline = time.monotonic() + BUSY_TIMEOUT
        while True:
            try:
                self._db.execute(sql)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc) or time.monotonic() >= deadline:
                    raise
                time.sleep(0.05)

    def _execute(self, sql, params=()):
        with self._lock:
            try:
                return self._db.execute(sql, tuple(params)).fetchall()
            except sqlite3.Error as exc:
                raise _wrap(exc, self.path) from exc

    def _executemany(self, sql, rows):
        with self._lock:
            try:
                before = self._db.total_changes
                self._db.executemany(sql, rows)
                return self._db.total_changes - before
            except sqlite3.Error as exc:
                raise _wrap(exc, self.path) from exc

    @contextlib.contextmanager
    def _transaction(self):
        with self._lock:
            if self._db.in_transaction:        # nested: the outer transaction commits
                yield
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
                yield
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise _wrap(exc, self.path) from exc
                raise

    def close(self) -> None:
        with self._lock:
            self._db.close()
