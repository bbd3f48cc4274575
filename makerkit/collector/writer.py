"""Turn a batch of MQTT messages into committed rows: validation, time stamps, one durable transaction.

``BatchWriter`` does it in the calling thread. ``ProcessWriter`` does the same in a child process
(the default for ``makerkit collect``): the collector's network thread then keeps a whole core to
itself for receiving and acknowledging, while validation and the database work on the other.
The child is started with ``spawn`` (no fork of a threaded process) and exits when the pipe to
its parent closes, so a collector killed with SIGKILL takes it along.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass, field

from ..errors import DiskFullError, StoreBusyError, StoreError
from ..protocol import telemetry as tm
from ..store import Quarantined, Store, StoredRecord, open_store
from .floods import FloodGate
from .timebase import TimeBase

_COLLECTOR_PREFIX = f"{tm.ROOT}/{tm.COLLECTOR_SEGMENT}/"
INTERNAL = "internal"        # quarantine reason: processing the message raised (the detail names the error)


@dataclass
class BatchResult:
    added: int = 0                                   # new rows
    valid: int = 0                                   # valid telemetry messages (new + duplicates)
    quarantined: int = 0                             # refused messages (kept whole or summarised)
    ignored: int = 0                                 # collectors' own status/stats, teachers' control messages
    seqs: dict = field(default_factory=dict)         # KitKey -> [seq, ...]
    events: list = field(default_factory=list)       # (Topic, doc) for status and event messages
    oldest_device_time: str | None = None
    records: list | None = None                      # StoredRecords, when asked for (``keep_records``)
    bad: list | None = None                          # Quarantined, when asked for


def _text(topic) -> str:
    return topic if isinstance(topic, str) else repr(topic)


class BatchWriter:
    """Validate, stamp and commit batches. One message can never stop it: whatever raises while a
    message is processed quarantines that message (reason ``internal``) and the batch goes on."""

    def __init__(self, store: Store, keep_records: bool = False):
        self.store = store
        self.keep_records = keep_records
        self.time = TimeBase(store.boot_epochs())
        self.floods = FloodGate()

    def write(self, items: list[tuple[str, bytes]], received: float, monotonic: float | None = None) -> BatchResult:
        """Validate ``(topic, payload)`` items and commit them; returns what the collector needs to know.
        ``received`` is the wall-clock time of the batch, ``monotonic`` the monotonic clock read with it
        (so a jump of the wall clock is seen for what it is)."""
        self.time.observe_clock(received, time.monotonic() if monotonic is None else monotonic)
        res = BatchResult()
        received_iso = tm.iso_utc(received)
        records: list[StoredRecord] = []
        payloads: list[bytes] = []
        bad: list[Quarantined] = []
        for topic, payload in items:
            try:
                self._one(topic, payload, received, received_iso, res, records, payloads, bad)
            except Exception as exc:                # noqa: BLE001 - one message never stops the collector
                bad.append(Quarantined(received_iso, _text(topic)[:1024], bytes(payload), INTERNAL,
                                       f"{type(exc).__name__}: {exc}"[:500]))
        statuses = [(t.class_id, t.kit, doc.get("inc"), doc.get("hw"), doc.get("fw"), received_iso)
                    for t, doc in res.events if t.kind == "status" and doc.get("state") == "online"]
        reused: list[Quarantined] = []
        kept, floods = self.floods.filter(bad, received)
        res.added, records, refused = self._commit(records, payloads, kept, floods, reused, received_iso, statuses)
        # lesson events (kit.event) go to the portfolio before the batch is acknowledged; stored once each
        self.store.add_kit_events([(t.class_id, t.kit, doc) for t, doc in res.events
                                   if t.kind == "event" and doc.get("event") != "replay_done"], received_iso)
        bad.extend(refused)
        res.valid = len(records) - len(reused)
        res.quarantined = len(bad) + len(reused)
        bad.extend(reused)
        for r in records:
            rec = r.record
            res.seqs.setdefault(rec.key, []).append(rec.seq)
            if rec.time and r.time_source == "device" and (
                    res.oldest_device_time is None or rec.time < res.oldest_device_time):
                res.oldest_device_time = rec.time
        if self.keep_records:
            res.records, res.bad = records, bad
        return res

    def _one(self, topic, payload, received, received_iso, res, records, payloads, bad) -> None:
        try:
            where = tm.parse_topic(topic)
        except tm.TelemetryRejected as exc:
            if topic.startswith(_COLLECTOR_PREFIX):
                res.ignored += 1
            else:
                bad.append(Quarantined(received_iso, topic, payload, exc.reason, exc.detail))
            return
        try:
            if where.kind == "telemetry":
                rec = tm.parse_telemetry(where, payload)
                taken, source, flags = self.time.stamp(rec, received)
                records.append(StoredRecord(rec, received_iso, taken, source, flags))
                payloads.append(payload)
            elif where.kind in ("status", "event"):
                res.events.append((where, tm.parse_message(where.kind, payload)))
            else:                                   # replay requests and control messages are not data
                res.ignored += 1
        except tm.TelemetryRejected as exc:
            bad.append(Quarantined(received_iso, topic, payload, exc.reason, exc.detail))

    def _commit(self, records, payloads, bad, floods, reused, received_iso, statuses):
        """One transaction for the batch. A store error that is not about the database as a whole
        (busy, full: those are retried by the caller) means some row cannot be stored: then each
        record is written alone and the one the database refuses is quarantined as ``internal``.
        Returns ``(new rows, records stored, records refused as Quarantined)``."""
        try:
            return self.store.write_batch(records, bad, payloads=payloads, reused=reused, floods=floods,
                                          statuses=statuses), records, []
        except (DiskFullError, StoreBusyError):
            raise
        except StoreError as exc:
            if not records:
                raise
            first_error = exc
        kept: list[StoredRecord] = []
        refused: list[Quarantined] = []
        added = 0
        for item, payload in zip(records, payloads):
            try:
                added += self.store.write_batch([item], payloads=[payload], reused=reused)
                kept.append(item)
            except (DiskFullError, StoreBusyError):
                raise
            except StoreError as exc:
                refused.append(Quarantined(received_iso, tm.topic(item.record.class_id, item.record.kit), payload,
                                           INTERNAL, f"the database refused it: {exc.message_en}"[:500]))
        if not refused:
            raise first_error                  # not a row's fault: the batch as a whole fails (and is retried)
        self.store.write_batch([], bad + refused, floods=floods, statuses=statuses)
        return added, kept, refused

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
            _, items, received, monotonic = msg
            try:
                result = writer.write(items, received, monotonic)
            except BaseException as exc:   # reported to the parent, which does not ack the batch
                conn.send(("error", type(exc).__name__, getattr(exc, "message_en", str(exc)),
                           getattr(exc, "message_zh", str(exc))))
                if isinstance(exc, (DiskFullError, StoreBusyError)):
                    continue                                       # the parent retries once it can
                return
            try:
                conn.send(("ok", result))
            except OSError:
                return                                             # the collector is gone
    finally:
        store.close()


def _raise(kind: str, en: str, zh: str):
    cls = {"DiskFullError": DiskFullError, "StoreBusyError": StoreBusyError}.get(kind, StoreError)
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

    def write(self, items: list[tuple[str, bytes]], received: float, monotonic: float | None = None) -> BatchResult:
        try:
            self.conn.send(("batch", items, received, time.monotonic() if monotonic is None else monotonic))
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
