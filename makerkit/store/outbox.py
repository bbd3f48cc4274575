"""The bridge's outbox: a SQLite file holding a tethered kit's records until the broker has them.

Records are keyed by the kit's stream and number, ``(inc, seq)``: ``inc`` is the kit's incarnation
(docs/TELEMETRY.md section 2a; ``""`` for a kit that has none), which a makerkit kit makes fresh
whenever its counters start again (a new board, an erased one). A record whose key is already held

* with the **same content** (boot, uptime, time, readings, units) is a redelivery: nothing changes;
* with **other content** is a board numbering again from an old ``seq`` inside one stream (a
  replaced or wiped board whose firmware has no incarnation): it is kept as ``reused`` (never
  dropped, and still published, so the collector quarantines it as ``seq_reused`` with both
  versions) and :meth:`Outbox.add` returns it so the bridge can tell the user.

Either way it is on disk before :meth:`add` returns, so the bridge may acknowledge it to the kit.
Published order is arrival order (``id``); sent records stay for replays, the newest ``keep`` of them.

File versions (``PRAGMA user_version``): 0 is the outbox of makerkit 0.1, ``records(seq PRIMARY
KEY, payload, sent)``, migrated in place on open (each row's ``inc`` read from its payload); 2 is this.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

from ..errors import DiskFullError, StoreError
from ..protocol.telemetry import INC_RE, MAX_COUNTER
from .sqlite import is_disk_full

KEEP = 100_000        # sent records kept for replays (oldest go first); unsent ones are never deleted
VERSION = 2

_SCHEMA = (
    "CREATE TABLE records (id INTEGER PRIMARY KEY AUTOINCREMENT, inc TEXT NOT NULL DEFAULT '', "
    "seq INTEGER NOT NULL, payload BLOB NOT NULL, sent INTEGER NOT NULL DEFAULT 0, "
    "reused INTEGER NOT NULL DEFAULT 0, saved_at TEXT)",
    "CREATE UNIQUE INDEX records_key ON records (inc, seq) WHERE reused = 0",
    "CREATE INDEX records_unsent ON records (sent, id)",
)
_CONTENT = ("boot", "uptime_ms", "time", "readings", "units")   # what makes two records the same reading


@dataclass(frozen=True)
class Reused:
    """A record kept although its ``(inc, seq)`` was held with other content (a board numbering again)."""
    inc: str
    seq: int
    boot: object
    held_boot: object


def record_key(doc) -> tuple[str, int] | None:
    """``(inc, seq)`` of a decoded record from a kit, or None when it cannot be keyed."""
    if not isinstance(doc, dict):
        return None
    seq, inc = doc.get("seq"), doc.get("inc", "")
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_COUNTER:
        return None
    if inc != "" and not (isinstance(inc, str) and INC_RE.match(inc)):
        return None
    return inc, seq


def record_inc(payload: bytes) -> str:
    """The incarnation a record names (``""`` when none, or when the payload is not a JSON object)."""
    try:
        doc = json.loads(payload)
    except (ValueError, TypeError):
        return ""
    inc = doc.get("inc") if isinstance(doc, dict) else None
    return inc if isinstance(inc, str) else ""


def _content(payload: bytes):
    try:
        doc = json.loads(payload)
    except (ValueError, TypeError):
        return payload
    if not isinstance(doc, dict):
        return payload
    return tuple(json.dumps(doc.get(k), sort_keys=True) for k in _CONTENT)


def _boot(payload: bytes):
    try:
        return json.loads(payload).get("boot")
    except (ValueError, TypeError, AttributeError):
        return None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Outbox:
    """``Outbox("bridge-7a-kit-07.db")``: ``add`` durably, ``unsent``/``mark_sent`` to publish, ``between`` to replay."""

    def __init__(self, path: str, keep: int = KEEP):
        self.path = path
        self.keep = keep
        self._lock = threading.Lock()
        self.migrated_from: int | None = None     # the file version found on open, when it was upgraded
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self._upgrade()
        except sqlite3.Error as exc:
            raise self._error(exc, "opened") from exc

    # -- file versions -----------------------------------------------------------------------------
    def _upgrade(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        columns = [row[1] for row in self.db.execute("PRAGMA table_info(records)")]
        if version == VERSION:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            if columns:                       # makerkit 0.1: records(seq PRIMARY KEY, payload, sent)
                self.db.execute("ALTER TABLE records RENAME TO records_v0")
            for sql in _SCHEMA:
                self.db.execute(sql)
            if columns:
                old = self.db.execute("SELECT seq, payload, sent FROM records_v0 ORDER BY seq").fetchall()
                self.db.executemany("INSERT INTO records (inc, seq, payload, sent) VALUES (?, ?, ?, ?)",
                                    [(record_inc(p), s, p, sent) for s, p, sent in old])
                self.db.execute("DROP TABLE records_v0")
                self.migrated_from = version
            self.db.execute(f"PRAGMA user_version = {VERSION}")
            self.db.execute("COMMIT")
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            raise

    def _error(self, exc: sqlite3.Error, doing: str) -> StoreError:
        if is_disk_full(exc, self.path):
            return DiskFullError(
                en=f"The bridge's buffer {self.path} could not be {doing}: {exc}.",
                zh=f"无法写入桥接缓冲文件 {self.path}：{exc}。",
                hint_en="The disk is full. Delete old files; the kit keeps its readings until the bridge "
                        "has saved them, so nothing is lost if you make room soon.",
                hint_zh="磁盘已满。请删除旧文件；在桥接程序保存之前，套件会一直保留它的读数，"
                        "及时腾出空间就不会丢失数据。")
        return StoreError(en=f"The bridge's buffer {self.path} could not be {doing}: {exc}.",
                          zh=f"桥接缓冲文件 {self.path} 出错：{exc}。",
                          hint_en="Close other programs that use this file, or give the bridge another --outbox file.",
                          hint_zh="请关闭正在使用这个文件的其他程序，或用 --outbox 给桥接程序换一个文件。")

    # -- writing -----------------------------------------------------------------------------------
    def add(self, items: list[tuple[str, int, bytes]]) -> list[Reused]:
        """Write ``(inc, seq, payload)`` records durably; returns those kept as ``reused``.

        Raises :class:`DiskFullError` (nothing written) when the disk is full."""
        reused: list[Reused] = []
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                for inc, seq, payload in items:
                    found = self._store_one(inc, seq, payload)
                    if found is not None:
                        reused.append(found)
                self.db.execute("DELETE FROM records WHERE id IN (SELECT id FROM records WHERE sent = 1 AND "
                                "reused = 0 ORDER BY id DESC LIMIT -1 OFFSET ?)", (self.keep,))
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise self._error(exc, "written") from exc
        return reused

    def _store_one(self, inc: str, seq: int, payload: bytes) -> Reused | None:
        held = self.db.execute("SELECT payload, reused FROM records WHERE inc = ? AND seq = ? ORDER BY reused",
                               (inc, seq)).fetchall()
        if not held:
            self.db.execute("INSERT INTO records (inc, seq, payload, saved_at) VALUES (?, ?, ?, ?)",
                            (inc, seq, payload, _now()))
            return None
        mine = _content(payload)
        if any(_content(p) == mine for p, _ in held):
            return None                                   # the same reading again
        self.db.execute("INSERT INTO records (inc, seq, payload, reused, saved_at) VALUES (?, ?, ?, 1, ?)",
                        (inc, seq, payload, _now()))
        return Reused(inc, seq, _boot(payload), _boot(held[0][0]))

    def mark_sent(self, ids: list[int]) -> None:
        with self._lock:
            self.db.executemany("UPDATE records SET sent = 1 WHERE id = ?", [(i,) for i in ids])

    # -- reading -----------------------------------------------------------------------------------
    def unsent(self, limit: int, after: int = 0) -> list[tuple[int, bytes]]:
        """``(id, payload)`` of records not yet published, oldest first, with ``id > after``."""
        with self._lock:
            return self.db.execute("SELECT id, payload FROM records WHERE sent = 0 AND id > ? ORDER BY id LIMIT ?",
                                   (after, limit)).fetchall()

    def between(self, inc: str, first: int, last: int) -> list[tuple[int, bytes]]:
        """``(seq, payload)`` held for ``first..last`` of stream ``inc`` (the first version of each)."""
        with self._lock:
            return self.db.execute("SELECT seq, payload FROM records WHERE inc = ? AND reused = 0 AND "
                                   "seq BETWEEN ? AND ? ORDER BY seq", (inc, first, last)).fetchall()

    def last_seq(self, inc: str) -> int | None:
        """The highest ``seq`` held for stream ``inc`` (None: none)."""
        with self._lock:
            return self.db.execute("SELECT MAX(seq) FROM records WHERE inc = ? AND reused = 0", (inc,)).fetchone()[0]

    def count(self, sent: bool | None = None) -> int:
        with self._lock:
            if sent is None:
                return self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            return self.db.execute("SELECT COUNT(*) FROM records WHERE sent = ?", (int(sent),)).fetchone()[0]

    def count_reused(self) -> int:
        with self._lock:
            return self.db.execute("SELECT COUNT(*) FROM records WHERE reused = 1").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self.db.close()


__all__ = ["KEEP", "Outbox", "Reused", "record_inc", "record_key"]
