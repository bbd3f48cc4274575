"""``makerkit bridge``: publish a USB-tethered kit's telemetry to MQTT on its behalf.

A kit without network (an Uno, an ESP32 without WiFi) numbers and stamps its readings and sends
each one up the cable as an MK_TELEMETRY RECORD. The bridge

1. writes every record to a SQLite outbox on disk (``synchronous=FULL``) and only then tells the kit
   ``ACK upto=SEQ``, so the kit may forget it;
2. publishes the outbox to ``makerkit/v1/{class}/{kit}/telemetry`` with QoS 1 and marks a record sent
   when the broker's PUBACK arrives; while the broker is away the outbox simply grows (bounded by
   ``keep`` records, oldest sent ones first);
3. answers ``.../replay`` requests from a collector out of the outbox, then publishes a
   ``replay_done`` event listing what it no longer holds;
4. publishes the lesson events (``kit.event``) the kit hands it (MK_TELEMETRY EVENT) to ``.../event``;
5. keeps the kit's retained ``status`` (online, with an ``offline`` last will) and sets the kit's clock
   (MK_TELEMETRY CLOCK) so its records carry wall-clock ``time``.
"""

from __future__ import annotations

import json
import queue
import sqlite3
import threading
import time
from datetime import datetime, timezone

from .errors import DiskFullError, StoreError, UsageError
from .mqtt.connection import Message, MqttConnection
from .protocol import firmata as fm
from .protocol import telemetry as tm
from .store.sqlite import is_disk_full

KEEP = 100_000
MAX_IN_FLIGHT = 200


class Outbox:
    """The bridge's disk buffer: ``records(seq PRIMARY KEY, payload, sent)``."""

    def __init__(self, path: str, keep: int = KEEP):
        self.path = path
        self.keep = keep
        try:
            self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("CREATE TABLE IF NOT EXISTS records (seq INTEGER PRIMARY KEY, payload BLOB NOT NULL, "
                            "sent INTEGER NOT NULL DEFAULT 0)")
        except sqlite3.Error as exc:
            raise StoreError(en=f"The bridge's buffer {path} cannot be opened: {exc}.",
                             zh=f"无法打开桥接缓冲文件 {path}：{exc}。") from exc
        self._lock = threading.Lock()

    def add(self, items: list[tuple[int, bytes]]) -> None:
        """Write records durably; raises :class:`DiskFullError` (nothing written) when the disk is full."""
        with self._lock:
            try:
                self.db.execute("BEGIN IMMEDIATE")
                self.db.executemany("INSERT INTO records (seq, payload) VALUES (?, ?) ON CONFLICT (seq) DO NOTHING",
                                    items)
                self.db.execute("DELETE FROM records WHERE seq IN (SELECT seq FROM records ORDER BY seq DESC "
                                "LIMIT -1 OFFSET ?) AND sent = 1", (self.keep,))
                self.db.execute("COMMIT")
            except sqlite3.Error as exc:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                if is_disk_full(exc, self.path):
                    raise DiskFullError(
                        en=f"The bridge's buffer {self.path} could not be written: {exc}.",
                        zh=f"无法写入桥接缓冲文件 {self.path}：{exc}。",
                        hint_en="The disk is full. Delete old files; the kit keeps its readings until the bridge "
                                "has saved them, so nothing is lost if you make room soon.",
                        hint_zh="磁盘已满。请删除旧文件；在桥接程序保存之前，套件会一直保留它的读数，"
                                "及时腾出空间就不会丢失数据。") from exc
                raise StoreError(en=f"The bridge's buffer {self.path} failed: {exc}.",
                                 zh=f"桥接缓冲文件 {self.path} 出错：{exc}。") from exc

    def unsent(self, limit: int, after: int = -1) -> list[tuple[int, bytes]]:
        with self._lock:
            return self.db.execute("SELECT seq, payload FROM records WHERE sent = 0 AND seq > ? ORDER BY seq LIMIT ?",
                                   (after, limit)).fetchall()

    def mark_sent(self, seqs: list[int]) -> None:
        with self._lock:
            self.db.executemany("UPDATE records SET sent = 1 WHERE seq = ?", [(s,) for s in seqs])

    def between(self, first: int, last: int) -> list[tuple[int, bytes]]:
        with self._lock:
            return self.db.execute("SELECT seq, payload FROM records WHERE seq BETWEEN ? AND ? ORDER BY seq",
                                   (first, last)).fetchall()

    def count(self, sent: bool | None = None) -> int:
        with self._lock:
            if sent is None:
                return self.db.execute("SELECT COUNT(*) FROM records").fetchone()[0]
            return self.db.execute("SELECT COUNT(*) FROM records WHERE sent = ?", (int(sent),)).fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self.db.close()


class Bridge:
    """``Bridge(kit, broker="mqtt://...", outbox="bridge-kit-07.db").start()`` ... ``stop()``.

    ``kit`` is an open :class:`~makerkit.device.kit.Kit`; ``class_id``/``kit_id`` default to the
    kit's own configuration.
    """

    def __init__(self, kit, broker: str, *, outbox: str | None = None, class_id: str | None = None,
                 kit_id: str | None = None, username: str | None = None, password: str | None = None,
                 protocol: str = "5", keep: int = KEEP, set_clock: bool = True):
        self.kit = kit
        config = {}
        if class_id is None or kit_id is None:
            config = kit.config()
        self.class_id = tm.check_id(class_id or config.get("class") or "", "class") if (class_id or config.get("class")) else None
        self.kit_id = tm.check_id(kit_id or config.get("kit") or "") if (kit_id or config.get("kit")) else None
        if not self.class_id or not self.kit_id:
            raise UsageError(en="The kit has no class or kit id yet, so the bridge does not know where to publish.",
                             zh="这个套件还没有设置班级或套件编号，桥接程序不知道该发布到哪里。",
                             hint_en="Set them once: makerkit bridge --class 7a --kit kit-07 ... (or kit.configure(kit=..., class_=...)).",
                             hint_zh="请先设置：makerkit bridge --class 7a --kit kit-07 ...（或在程序里 kit.configure(kit=..., class_=...)）。")
        self.outbox = Outbox(outbox or f"bridge-{self.class_id}-{self.kit_id}.db", keep)
        self.set_clock = set_clock
        self.published = 0
        self.replayed = 0
        self.events = 0                                  # lesson events published for the kit
        self._incoming: queue.SimpleQueue = queue.SimpleQueue()
        self._inflight: dict[int, object] = {}
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._listener = None
        self.error: BaseException | None = None
        self.disk_error: DiskFullError | None = None    # set while the outbox cannot be written (disk full)
        self._unsaved: dict[int, bytes] = {}            # records not on disk yet, so not acknowledged to the kit
        self._next_save = 0.0
        status = tm.topic(self.class_id, self.kit_id, "status")
        self.mqtt = MqttConnection(
            broker, f"bridge-{self.class_id}-{self.kit_id}", username=username, password=password,
            subscriptions=[(tm.topic(self.class_id, self.kit_id, "replay"), 1)],
            on_message=self._incoming.put, will=(status, tm.status_payload("offline"), 1, True),
            on_connect=self._on_connect, protocol=protocol)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 2.0) -> "Bridge":
        self._listener = self.kit.client.add_listener(fm.MkTelemetryRecord, self._incoming.put)
        self._event_listener = self.kit.client.add_listener(fm.MkTelemetryEvent, self._incoming.put)
        if self.set_clock:
            now = datetime.now(timezone.utc)
            self.kit.client.send(fm.mk_telemetry_clock(tm.iso_utc(now)))
        self._worker = threading.Thread(target=self._run, name=f"makerkit-bridge-{self.kit_id}", daemon=True)
        self._worker.start()
        # the broker may be away: records wait on disk while paho keeps trying in the background
        self.mqtt.start_background()
        self.mqtt.connected.wait(timeout)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._incoming.put(None)
        if self._worker:
            self._worker.join(10)
        if self._listener is not None:
            self.kit.client.remove_listener(fm.MkTelemetryRecord, self._listener)
            self.kit.client.remove_listener(fm.MkTelemetryEvent, self._event_listener)
        self.mqtt.stop()
        self.outbox.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- MQTT side -------------------------------------------------------------------------------
    def _on_connect(self, session_present: bool) -> None:
        self._inflight.clear()     # anything not acknowledged is sent again (duplicates are harmless)
        self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "status"),
                          tm.status_payload("online", buffered=self.outbox.count(sent=False)), 1, True)

    def _replay(self, payload: bytes) -> None:
        try:
            doc = tm.parse_message("replay", payload)
        except tm.TelemetryRejected:
            return
        first, last = doc["from"], doc["to"]
        have = self.outbox.between(first, last)
        for seq, data in have:
            self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "telemetry"), data, 1, False)
            self.replayed += 1
        missing = tm.ranges(set(range(first, last + 1)) - {s for s, _ in have}) if last - first < 1_000_000 else []
        done = {"v": 1, "event": "replay_done", "from": first, "to": last, "missing": [list(r) for r in missing]}
        self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "event"), json.dumps(done).encode(), 1, False)

    # -- worker ---------------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    item = self._incoming.get(timeout=0.1)
                except queue.Empty:
                    item = None
                records = []
                while item is not None:
                    if isinstance(item, Message):
                        self._replay(item.payload)
                    elif isinstance(item, fm.MkTelemetryRecord) and isinstance(item.payload, dict):
                        seq = item.payload.get("seq")
                        if isinstance(seq, int):
                            records.append((seq, item.raw.encode("utf-8")))
                    elif isinstance(item, fm.MkTelemetryEvent) and not item.published and \
                            isinstance(item.payload, dict):      # a lesson event the kit could not publish
                        self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "event"), item.raw.encode("utf-8"),
                                          1, False)
                        self.events += 1
                    try:
                        item = self._incoming.get_nowait()
                    except queue.Empty:
                        item = None
                for seq, data in records:
                    self._unsaved[seq] = data
                if self._unsaved and (records or time.monotonic() >= self._next_save):
                    self._save()
                self._pump()
        except BaseException as exc:  # reported by check()
            self.error = exc

    def _save(self) -> None:
        """Outbox first, then ACK: a record the bridge could not save stays unacknowledged on the kit."""
        items = sorted(self._unsaved.items())
        try:
            self.outbox.add(items)
        except DiskFullError as exc:
            self.disk_error = exc                     # shown by the CLI; retried every second
            self._next_save = time.monotonic() + 1.0
            return
        self.disk_error = None
        self._unsaved.clear()
        # ACK upto=N tells the kit that everything up to N is safe; only send it when nothing below N waits
        self.kit.client.send(fm.mk_telemetry_ack(items[-1][0]))

    def _pump(self) -> None:
        done = [seq for seq, info in self._inflight.items() if info.is_published()]
        if done:
            self.outbox.mark_sent(done)
            self.published += len(done)
            for seq in done:
                del self._inflight[seq]
        if not self.mqtt.is_connected:
            return
        room = MAX_IN_FLIGHT - len(self._inflight)
        if room <= 0:
            return
        after = max(self._inflight, default=-1)
        for seq, data in self.outbox.unsent(room, after):
            if seq in self._inflight:
                continue
            self._inflight[seq] = self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "telemetry"), data, 1, False)

    def check(self) -> None:
        if self.error is not None:
            raise self.error


def run_bridge(*, port: str, broker: str, outbox: str | None = None, class_id: str | None = None,
               kit_id: str | None = None, username: str | None = None, password: str | None = None,
               stop_event: threading.Event | None = None, on_status=None, board: str | None = None) -> Bridge:
    """Open the kit on ``port`` and bridge it until ``stop_event`` is set."""
    import makerkit
    stop_event = stop_event or threading.Event()
    with makerkit.connect(port, board=board, clock="real") as kit:
        if class_id or kit_id:
            kit.configure(**{k: v for k, v in (("kit", kit_id), ("class_", class_id)) if v})
        bridge = Bridge(kit, broker, outbox=outbox, class_id=class_id, kit_id=kit_id,
                        username=username, password=password)
        bridge.start()
        try:
            while not stop_event.wait(1.0):
                bridge.check()
                kit.client.check()
                if on_status:
                    on_status(bridge)
        finally:
            bridge.stop()
    return bridge


__all__ = ["Bridge", "Outbox", "run_bridge"]
