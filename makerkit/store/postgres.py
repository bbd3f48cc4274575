"""PostgreSQL portfolio (psycopg 3): the scale-out backend. Batches go in with ``executemany`` (pipelined)
inside one transaction; the commit returns once PostgreSQL has it durably (``synchronous_commit`` as the
server is configured, ``on`` by default).

The URL may carry ``?schema=NAME`` (makerkit's own parameter): tables then live in that schema, created
if needed, which keeps test runs and several portfolios apart in one database.
"""

from __future__ import annotations

import contextlib
import re
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg

from ..errors import DiskFullError, StoreBusyError, StoreError, UsageError
from .base import Store
from .migrations import POSTGRESQL
from .records import redact_url as _redact


def _split_schema(url: str) -> tuple[str, str | None]:
    parts = urlsplit(url)
    query = parse_qsl(parts.query)
    schema = next((v for k, v in query if k == "schema"), None)
    rest = urlencode([(k, v) for k, v in query if k != "schema"])
    if schema is not None and not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", schema):
        raise UsageError(en=f"Schema name {schema!r} in the database URL is not allowed (a-z, 0-9, _).",
                         zh=f"数据库地址中的 schema 名 {schema!r} 不合法（只能用 a-z、0-9、_）。")
    return urlunsplit(parts._replace(query=rest)), schema


def _wrap(exc: Exception, url: str) -> StoreError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, psycopg.errors.DiskFull):
        return DiskFullError(en=f"PostgreSQL at {_redact(url)} is out of disk: {text}.",
                             zh=f"PostgreSQL（{_redact(url)}）磁盘已满：{text}。")
    if isinstance(exc, (psycopg.errors.LockNotAvailable, psycopg.errors.QueryCanceled, psycopg.OperationalError)):
        return StoreBusyError(en=f"PostgreSQL at {_redact(url)} cannot take the write now: {text}.",
                              zh=f"PostgreSQL（{_redact(url)}）暂时无法写入：{text}。",
                              hint_en="Check that the PostgreSQL server is running and not locked by another program; "
                                      "makerkit keeps unsaved messages unacknowledged and retries, so nothing is lost.",
                              hint_zh="请检查 PostgreSQL 服务器是否在运行、是否被别的程序锁住；makerkit 会保留未保存的消息并不断重试，不会丢失数据。")
    return StoreError(en=f"The PostgreSQL portfolio at {_redact(url)} failed: {text}.",
                      zh=f"PostgreSQL 作品集（{_redact(url)}）出错：{text}。")


class PostgresStore(Store):
    engine = "postgresql"
    dialect = POSTGRESQL

    def __init__(self, url: str):
        self.url = url
        conninfo, self.schema = _split_schema(url)
        self._conninfo = conninfo
        self._lock = threading.RLock()
        self._in_transaction = False
        self._db = self._connect()
        try:
            self._migrate()
        except StoreError:
            self._db.close()
            raise

    def _connect(self):
        try:
            db = psycopg.connect(self._conninfo, autocommit=True, connect_timeout=10)
        except psycopg.Error as exc:
            raise _wrap(exc, self.url) from exc
        try:
            if self.schema:
                # CREATE SCHEMA IF NOT EXISTS is not safe against a second process doing the same at
                # the same instant (a unique violation in pg_namespace): one at a time, by schema name.
                with db.transaction():
                    db.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"makerkit-schema:{self.schema}",))
                    db.execute(f'CREATE SCHEMA IF NOT EXISTS "{self.schema}"')
                db.execute(f'SET search_path TO "{self.schema}"')
        except psycopg.Error as exc:
            db.close()
            raise _wrap(exc, self.url) from exc
        return db

    def _alive(self):
        """The connection, opened again after the server restarted or the network dropped."""
        if (self._db.closed or self._db.broken) and not self._in_transaction:
            self._db = self._connect()       # never in the middle of a transaction: that one fails and is retried
        return self._db

    def _migration_lock(self) -> None:
        self._execute("SELECT pg_advisory_xact_lock(hashtext(current_schema()))")

    @staticmethod
    def _sql(sql: str) -> str:
        return sql.replace("?", "%s")

    def _execute(self, sql, params=()):
        with self._lock:
            try:
                cur = self._alive().execute(self._sql(sql), tuple(params))
                return cur.fetchall() if cur.description else []
            except psycopg.Error as exc:
                raise _wrap(exc, self.url) from exc

    def _executemany(self, sql, rows):
        with self._lock:
            try:
                with self._alive().cursor() as cur:
                    cur.executemany(self._sql(sql), rows)
                    return max(cur.rowcount, 0)
            except psycopg.Error as exc:
                raise _wrap(exc, self.url) from exc

    @contextlib.contextmanager
    def _transaction(self):
        with self._lock:
            if not self._db.closed and self._db.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                yield
                return
            try:
                with self._alive().transaction():
                    self._in_transaction = True
                    try:
                        yield
                    finally:
                        self._in_transaction = False
            except psycopg.Error as exc:
                raise _wrap(exc, self.url) from exc

    def drop_schema(self) -> None:
        """Remove this portfolio's schema and everything in it (tests and teardown)."""
        if self.schema:
            with self._lock:
                self._db.execute(f'DROP SCHEMA IF EXISTS "{self.schema}" CASCADE')

    def close(self) -> None:
        with self._lock:
            self._db.close()
