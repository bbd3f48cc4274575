"""Turn a batch of MQTT messages into committed rows: validation, time stamps, one durable transaction.

``BatchWriter`` does it in the calling thread. ``ProcessWriter`` does the same in a child process
(the default for ``makerkit collect``): the collector's network thread then keeps a whole core to
itself for receiving and acknowledging, while validation and the database work on the other.
The child is started with ``spawn`` (no fork of a threaded process) and exits when the pipe to
its parent closes, so a collector killed with SIGKILL takes it along.
"""

from __future__ import annotations

import multiprocessing
from dataclasses import dataclass, field

from ..errors import DiskFullError, StoreError
from ..protocol import telemetry as tm
from ..store import Quarantined, Store, StoredRecord, open_store
from .timebase import TimeBase

_COLLECTOR_PREFIX = f"{tm.ROOT}/{tm.COLLECTOR_SEGMENT}/"


@dataclass
class BatchResult:
    added: int = 0                                   # new rows
    valid: int = 0                                   # valid telemetry messages (new + duplicates)
    quarantined: int = 0
    ignored: int = 0                                 # collectors' own status/stats
    seqs: dict = field(default_factory=dict)         # kit -> (class, [seq, ...])
    events: list = field(default_factory=list)       # (kind, class, kit, doc) for status and event messages
    oldest_device_time: str | None = None
    records: list | None = None                      # StoredRecords, when asked for (``keep_records``)
    bad: list | None = None                          # Quarantined, when asked for


class BatchWriter:
    def __init__(self, store: Store, keep_records: bool = False):
        self.store = store
        self.keep_records = keep_records
        self.time = TimeBase(store.boot_epochs())

    def write(self, items: list[tuple[str, bytes]], received: float) -> BatchResult:
        """Validate ``(topic, payload)`` items and commit them; returns what the collector needs to know."""
        res = BatchResult()
        received_iso = tm.iso_utc(received)
        records: list[StoredRecord] = []
        payloads: list[bytes] = []
        bad: list[Quarantined] = []
        for topic, payload in items:
            try:
                where = tm.parse_topic(topic)
            except tm.TelemetryRejected as exc:
                if topic.startswith(_COLLECTOR_PREFIX):
                    res.ignored += 1
                    continue
                bad.append(Quarantined(received_iso, topic, payload, exc.reason, exc.detail))
                continue
            try:
                if where.kind == "telemetry":
                    rec = tm.parse_telemetry(where, payload)
                    taken, source = self.time.stamp(rec, received)
                    records.append(StoredRecord(rec, received_iso, taken, source))
                    payloads.append(payload)
                elif where.kind in ("status", "event"):
                    res.events.append((where.kind, where.class_id, where.kit, tm.parse_message(where.kind, payload)))
            except tm.TelemetryRejected as exc:
                bad.append(Quarantined(received_iso, topic, payload, exc.reason, exc.detail))
        reused: list[Quarantined] = []
        res.added = self.store.write_batch(records, bad, payloads=payloads, reused=reused)   # durable on return
        res.valid = len(records) - len(reused)
        res.quarantined = len(bad) + len(reused)
        bad.extend(reused)
        for r in records:
            rec = r.record
            entry = res.seqs.get(rec.kit)
            if entry is None:
                res.seqs[rec.kit] = (rec.class_id, [rec.seq])
            else:
                entry[1].append(rec.seq)
            if rec.time and (res.oldest_device_time is None or rec.time < res.oldest_device_time):
                res.oldest_device_time = rec.time
        if self.keep_records:
            res.records, res.bad = records, bad
        return res

    def close(self) -> None:
        pass


def _worker(conn, db_url: str, keep_records: bool) -> None:
    """The child process: open the store, answer batches until told to stop or the parent goes away."""
    try:
        store = open_store(db_url)
    except BaseException as exc:
        conn.send(("error", type(exc).__name__, getattr(exc, "message_en", str(exc)), getattr(exc, "message_zh", str(exc))))
        return
    writer = BatchWriter(store, keep_records)
    conn.send(("ready",))
    try:
        while True:
            try:
                msg = conn.recv()
            except (EOFError, OSError):
                return                                             # the collector is gone
            if msg[0] == "stop":
                conn.send(("stopped",))
                return
            _, items, received = msg
            try:
                result = writer.write(items, received)
            except BaseException as exc:   # reported to the parent, which does not ack the batch
                conn.send(("error", type(exc).__name__, getattr(exc, "message_en", str(exc)),
                           getattr(exc, "message_zh", str(exc))))
                if isinstance(exc, DiskFullError):
                    continue                                       # the parent retries once there is room
                return
            try:
                conn.send(("ok", result))
            except OSError:
                return                                             # the collector is gone
    finally:
        store.close()


def _raise(kind: str, en: str, zh: str):
    cls = DiskFullError if kind == "DiskFullError" else StoreError
    raise cls(en=en, zh=zh)


class ProcessWriter:
    """``BatchWriter`` in a child process, same ``write``/``close`` interface."""

    def __init__(self, db_url: str, keep_records: bool = False, timeout: float = 60.0):
        ctx = multiprocessing.get_context("spawn")
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(child, db_url, keep_records), name="makerkit-collector-writer",
                                daemon=True)
        self.proc.start()
        child.close()
        if not self.conn.poll(timeout):
            self.close()
            raise StoreError(en=f"The collector's database process did not start within {timeout:g} s.",
                             zh=f"收集器的数据库进程在 {timeout:g} 秒内没有启动。")
        try:
            reply = self.conn.recv()
        except EOFError:
            self.close()
            raise StoreError(en="The collector's database process could not start.",
                             zh="收集器的数据库进程无法启动。",
                             hint_en=("If you start the collector from your own script, put the code under "
                                      "`if __name__ == \"__main__\":`, or use Collector(..., writer=\"thread\")."),
                             hint_zh=("如果在自己的脚本里启动收集器，请把代码放在 `if __name__ == \"__main__\":` 下面，"
                                      "或者使用 Collector(..., writer=\"thread\")。")) from None
        if reply[0] == "error":
            self.close()
            _raise(*reply[1:])

    def write(self, items: list[tuple[str, bytes]], received: float) -> BatchResult:
        try:
            self.conn.send(("batch", items, received))
            reply = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise StoreError(en=f"The collector's database process stopped ({exc or 'no reason given'}).",
                             zh="收集器的数据库进程意外停止了。") from exc
        if reply[0] == "error":
            _raise(*reply[1:])
        return reply[1]

    def close(self) -> None:
        if self.proc.is_alive():
            try:
                self.conn.send(("stop",))
                if self.conn.poll(30):
                    self.conn.recv()
            except (EOFError, OSError):
                pass
            self.proc.join(10)
            if self.proc.is_alive():
                self.proc.kill()
                self.proc.join(5)
        self.conn.close()


__all__ = ["BatchResult", "BatchWriter", "ProcessWriter"]
