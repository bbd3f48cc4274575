"""The collector: MQTT telemetry in, portfolio rows out, each message acknowledged only after its row
is durably committed.

Threads: paho's network thread (one per broker connection) appends each message, as a plain tuple,
to an inbox (a deque); one writer thread takes whatever has arrived (up to ``batch_size``), has it
validated and committed in one transaction (in a child process with ``writer="process"``), then
acknowledges the batch's messages in order with one write (``MqttConnection.ack_many``). So a crash at any point leaves every
unacknowledged message on the broker (persistent session, no clean start, a session expiry), and
the redelivery is absorbed by the store's ``(kit, seq)`` uniqueness.
"""

from __future__ import annotations

import collections
import json
import logging
import os
import socket
import threading
import time
import uuid

from ..errors import DiskFullError, StoreBusyError
from ..mqtt.connection import MqttConnection
from ..protocol import telemetry as tm
from ..store import Gap, Store, open_store
from .gaps import GapTracker
from .instance import InstanceLock
from .stats import CollectorStats, _error_doc, _filters, _writer_kind
from .timebase import _ts
from .writer import BatchWriter, ProcessWriter

_log = logging.getLogger(__name__)
REPLAYS_PER_ROUND = 4         # replay requests per gap each time it is due (each at most tm.MAX_REPLAY_SPAN numbers)


class Collector:
    """Log MQTT telemetry into a portfolio. ``start()``, then ``stop()`` (flush, ack, disconnect).

    ``writer="process"`` validates and commits in a child process (what ``makerkit collect`` does),
    leaving this process's core to receiving and acknowledging; ``"thread"`` (the default for
    library use: it needs no ``if __name__ == "__main__":`` guard in the caller's script) does it
    on a thread here.

    ``share`` puts the subscription in ``$share/{share}/...`` so several collectors split the load;
    ``classes`` limits it to some classes (default: all). ``warn_rate`` (messages/s) sets
    ``stats.load_warning`` when the ingest rate nears what the broker is known to carry.
    """

    def __init__(self, broker: str, db: str | Store, *, collector_id: str | None = None,
                 username: str | None = None, password: str | None = None, share: str | None = None,
                 classes: list[str] | None = None, batch_size: int = 1000, session_expiry: int = 7 * 86400,
                 receive_maximum: int = 2000, gap_grace: float = 2.0, gap_retry: float = 3.0,
                 stats_interval: float = 5.0, warn_rate: float | None = None, on_batch=None, protocol: str = "5",
                 batch_linger: float = 0.01, writer: str = "auto"):
        # stable by default: the broker keeps the session of this id while the collector is down
        self.collector_id = collector_id or f"collector-{socket.gethostname().lower()[:22]}"
        self.collector_id = "".join(c if c.isalnum() or c == "-" else "-" for c in self.collector_id.lower())[:32]
        self.store = open_store(db) if isinstance(db, str) else db
        self._own_store = isinstance(db, str)
        self.batch_size = batch_size
        self.batch_linger = batch_linger     # wait this long for more messages once one has arrived
        self.stats = CollectorStats()
        self.stats_interval = stats_interval
        self.warn_rate = warn_rate
        self.on_batch = on_batch
        # (topic, payload, qos, mid, generation, received) tuples from the network thread: deque
        # append/popleft are atomic, so the hot path takes no lock and makes no object of its own
        self._inbox: collections.deque = collections.deque()
        self._wake = threading.Event()       # set when the inbox gets its first message
        self._full = threading.Event()       # set when a whole batch is waiting
        # Backpressure: brokers do not all honour MQTT 5 Receive Maximum (mosquitto 2.0 sent a
        # whole backlog at once), so the network thread waits while this many messages are queued;
        # TCP then holds the rest on the broker, and memory stays flat under any backlog.
        self.high_water = max(2 * batch_size, receive_maximum)
        self._room = threading.Event()
        self._room.set()
        self._resume_gaps(gap_grace, gap_retry)
        self._writer_kind = _writer_kind(writer, db)
        self._db_url = db if isinstance(db, str) else None
        self._writer = None
        self._registered = self.store.registered_kits()
        self._unassigned: set[tuple[str, str]] = set()
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._window_start = time.monotonic()
        self._window_stored = 0
        self._next_stats = time.monotonic() + stats_interval
        status = tm.collector_topic(self.collector_id, "status")
        self.filters = filters = _filters(classes, share, protocol, status)
        self._instance = InstanceLock(self.collector_id, broker)
        self._status_topic = status
        self.instance_id = uuid.uuid4().hex[:12]
        self.started_at = tm.iso_utc(time.time())
        self.taken_over_by: dict | None = None
        self.mqtt = MqttConnection(
            broker, self.collector_id, username=username, password=password,
            subscriptions=[(f, 1) for f in filters], on_receive=self._on_receive, manual_ack=True,
            clean_start=False, session_expiry=session_expiry, receive_maximum=receive_maximum,
            will=(status, tm.status_payload("offline"), 1, True), on_connect=self._connected, protocol=protocol)

    def _resume_gaps(self, grace: float, retry: float) -> None:
        self._gaps = GapTracker(self.store.kit_heads(), grace=grace, retry=retry)
        self._open_gap_rows = {(g.key, g.first): g for g in self.store.gaps(state="open")}
        now = time.monotonic()
        for gap in self._open_gap_rows.values():       # gaps left open by the last run: ask for them again
            self._gaps.reopen(gap.key, gap.first, gap.last, gap.requests, now)

    def _on_receive(self, item: tuple) -> None:      # paho's network thread: as little as possible
        if item[0] == self._status_topic:
            self._other_instance(item[1])
        inbox = self._inbox
        inbox.append(item)
        size = len(inbox)
        if size == 1:
            self._wake.set()
        elif size >= self.batch_size:
            if size == self.batch_size:
                self._full.set()
            if size >= self.high_water:
                self._throttle()

    def _throttle(self) -> None:
        while len(self._inbox) >= self.high_water and not self._stopping.is_set():
            self._room.clear()
            if len(self._inbox) < self.high_water:
                break
            self._room.wait(1.0)

    # -- lifecycle -----------------------------------------------------------------------------
    def _connected(self, session_present: bool) -> None:
        self.mqtt.publish(self._status_topic, self._online(), 1, True)

    def _online(self) -> bytes:
        return tm.status_payload("online", instance=self.instance_id, started=self.started_at,
                                 host=socket.gethostname()[:64], pid=os.getpid())

    def _other_instance(self, payload: bytes) -> None:
        """An online status of our id from another instance: two collectors with one id knock each other
        off the broker for ever. The one that started later stays off and says who the other is (so the
        first one keeps running, as on one computer). A status counts only once we have been knocked off
        ourselves: on our first connection whatever comes was sent before we connected (the other one,
        sharing our client id, cannot be connected at the same time), so it may be what a crashed run left
        behind, retained, or a run stopped at once after it started, whose own "online" was still queued
        in the persistent session we take over; a live other one knocks us off and is seen then."""
        if self.mqtt.connect_count < 2:
            return
        try:
            doc = json.loads(payload)
        except ValueError:
            return
        if not isinstance(doc, dict) or doc.get("state") != "online" or doc.get("instance") in (None, self.instance_id):
            return
        if (str(doc.get("started", "")), str(doc["instance"])) < (self.started_at, self.instance_id):
            self.taken_over_by = doc
            self.mqtt.give_up("another collector with this id was there first")

    def start(self, timeout: float = 10.0) -> "Collector":
        self._instance.acquire()          # a second collector with this id and broker refuses to start
        try:
            return self._start(timeout)
        except BaseException:
            self._instance.release()
            raise

    def _start(self, timeout: float) -> "Collector":
        keep = self.on_batch is not None
        # the writer (and its child process) is ready before we connect: with a backlog on the
        # broker the backpressure would otherwise hold the network thread before the SUBACKs
        self._writer = (ProcessWriter(self._db_url, keep) if self._writer_kind == "process"
                        else BatchWriter(self.store, keep))
        self._thread = threading.Thread(target=self._run, name=f"makerkit-collector-{self.collector_id}", daemon=True)
        self._thread.start()
        try:
            self.mqtt.start(timeout)
        except BaseException:
            self._stopping.set()
            self._wake.set()
            self._thread.join(5)
            self._writer.close()
            raise
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful shutdown: commit and acknowledge everything received, then disconnect."""
        if self._thread is None:
            return
        self._stopping.set()
        self._room.set()
        self._full.set()
        self._wake.set()
        self._thread.join(timeout)
        self._thread = None
        try:
            if self.mqtt.is_connected:
                info = self.mqtt.publish(tm.collector_topic(self.collector_id, "status"),
                                         tm.status_payload("offline"), 1, True)
                info.wait_for_publish(2)
        except (RuntimeError, ValueError, OSError):
            pass
        self.mqtt.stop()
        self._writer.close()
        self._writer = None
        self._instance.release()
        if self._own_store:
            self.store.close()

    def raise_if_failed(self) -> None:
        """Re-raise an error that stopped the writer thread (the CLI checks this while it waits)."""
        if self._error is not None:
            raise self._error
        if self.mqtt.taken_over:
            from .instance import CollectorRunningError
            other = self.taken_over_by or {}
            who = f" (computer {other.get('host', '?')}, process {other.get('pid', '?')})" if other else ""
            raise CollectorRunningError(
                en=f"Another collector with the id {self.collector_id}{who} connected to {self.mqtt.address.url} and "
                   "took over this one's session; two collectors with one id knock each other off the broker.",
                zh=f"另一个编号为 {self.collector_id} 的收集器{who}连接了 {self.mqtt.address.url}，接管了本收集器的会话；"
                   "两个同编号的收集器会互相把对方挤下线。")

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- writer thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        inbox, wake, full, stopping = self._inbox, self._wake, self._full, self._stopping
        try:
            while not stopping.is_set():
                if not inbox:
                    wake.wait(0.25)
                    wake.clear()
                    if not inbox:
                        self._housekeeping()
                        continue
                # gather for a few ms: fewer, larger transactions and far fewer thread switches
                if len(inbox) < self.batch_size:
                    full.wait(self.batch_linger)
                full.clear()
                self._take_and_process(len(inbox))
                self._housekeeping()
            # stopping: store and acknowledge what has arrived, not what keeps arriving
            left = len(inbox)
            while left > 0:
                left -= self._take_and_process(left)
        except BaseException as exc:  # surfaced to the owner by raise_if_failed()
            self._error = exc

    def _take_and_process(self, available: int) -> int:
        inbox = self._inbox
        take = inbox.popleft
        batch = [take() for _ in range(min(available, self.batch_size))]
        if len(inbox) < self.high_water:
            self._room.set()             # the network thread may read on while this batch commits
        if len(inbox) >= self.batch_size:
            self._full.set()
        if batch:
            self._process_until_stored(batch)
        return len(batch)

    def _process_until_stored(self, batch: list[tuple]) -> None:
        """``_process``, retried while the disk is full: nothing is acknowledged until it is committed.

        The error shows in ``stats.store_error`` (and the stats topic); the backpressure stops the
        network thread meanwhile, so unacknowledged messages wait on the broker, not in memory.
        On ``stop()`` while the disk is still full the batch stays unacknowledged (the broker keeps it).
        """
        pause = 0.5
        while True:
            try:
                self._process(batch)
            except (DiskFullError, StoreBusyError) as exc:
                if self.stats.store_error is None:
                    _log.error("%s %s", exc.message_en, exc.hint_en)
                self.stats.store_error = exc
                self.stats.store_retries += 1
                self._publish_stats(time.monotonic())
                if self._stopping.wait(pause):
                    return
                pause = min(pause * 2, 5.0)
                continue
            if self.stats.store_error is not None:
                _log.warning("The portfolio can be written again; the waiting messages are stored.")
                self.stats.store_error = None
            return

    def _process(self, batch: list[tuple]) -> None:
        res = self._writer.write([(m[0], m[1]) for m in batch], time.time(), time.monotonic())   # durable on return
        # then the acks, in order, one write per connection generation (a reconnect in the middle
        # of a batch splits it; acks for an earlier connection are never sent)
        gen = batch[0][4]
        if batch[-1][4] == gen:
            self.mqtt.ack_many([m[3] for m in batch if m[2]], gen)
        else:
            for g in sorted({m[4] for m in batch}):
                self.mqtt.ack_many([m[3] for m in batch if m[2] and m[4] == g], g)
        now = time.time()
        st = self.stats
        st.received += len(batch) - res.ignored
        st.stored += res.added
        st.duplicates += res.valid - res.added
        st.quarantined += res.quarantined
        st.batches += 1
        st.lag_s = max(0.0, time.monotonic() - batch[0][5])       # the oldest: the inbox is FIFO
        if res.oldest_device_time:
            st.device_lag_s = now - _ts(res.oldest_device_time)
        self._window_stored += res.valid
        mono = time.monotonic()
        for key, seqs in res.seqs.items():
            if (key.class_id, key.kit) not in self._registered:
                self._unassigned.add((key.class_id, key.kit))
            self._gaps.seen(key, seqs, mono)
        for where, doc in res.events:
            self._event(where, doc, mono)
        if self.on_batch:
            self.on_batch(res.records or [], res.bad or [])

    def _event(self, where: tm.Topic, doc: dict, now: float) -> None:
        inc = doc.get("inc") or ""
        if where.kind == "status" and doc.get("state") == "online" and isinstance(doc.get("seq"), int):
            # numbers still in the kit's outbox are on their way; only older ones can be missing
            delivered = doc["seq"] - int(doc.get("buffered") or 0)
            self._gaps.status(tm.KitKey(where.class_id, where.kit, inc), delivered, now)
        elif where.kind == "event" and doc.get("event") == "replay_done":
            first, last = doc.get("from", 0), doc.get("to", 0)
            for key, gap in list(self._open_gap_rows.items()):
                if (gap.class_id, gap.kit) != (where.class_id, where.kit) or not (first <= gap.last and last >= gap.first):
                    continue
                if gap.inc != inc:            # the kit answering is another incarnation: the old one is gone
                    self._close_lost(key, gap, f"the kit was erased or replaced (now incarnation {inc or '-'}); "
                                               f"readings {gap.first}..{gap.last} were lost with its memory")
                    continue
                for lost_first, lost_last in doc.get("missing") or []:
                    self._gaps.forget(gap.key, lost_first, lost_last)
                    if lost_first <= gap.last and lost_last >= gap.first:
                        present = self.store.seqs(gap.key, gap.first, gap.last)
                        if len(present) < gap.last - gap.first + 1:
                            self._close_lost(key, gap, _lost_note(lost_first, lost_last))
                        break

    def _close_lost(self, key, gap: Gap, note: str) -> None:
        self._gaps.forget(gap.key, gap.first, gap.last)
        self.store.update_gap(gap.key, gap.first, state="lost", note=note)
        self.stats.gaps_lost += 1
        del self._open_gap_rows[key]

    def _housekeeping(self) -> None:
        now = time.monotonic()
        self._record_jumps()
        for suspect in self._gaps.due(now):
            present = self.store.seqs(suspect.key, suspect.first, suspect.last)
            holes = self._gaps.resolve(suspect, present, now)
            key = (suspect.key, suspect.first)
            if holes and not suspect.recorded:
                suspect.recorded = True
                gap = Gap(suspect.class_id, suspect.kit, suspect.first, suspect.last, "open", tm.iso_utc(time.time()),
                          inc=suspect.key.inc)
                self.store.add_gaps([gap])
                self._open_gap_rows[key] = gap
                self.stats.gaps_found += 1
            if holes and suspect in self._gaps.suspects:
                self._request_replays(suspect, holes)
                if key in self._open_gap_rows:
                    self.store.update_gap(suspect.key, suspect.first, requests=suspect.requests)
            elif not holes and key in self._open_gap_rows and suspect not in self._gaps.suspects:
                self.store.update_gap(suspect.key, suspect.first, state="healed", requests=suspect.requests)
                del self._open_gap_rows[key]
                self.stats.gaps_healed += 1
        if now >= self._next_stats:
            self._publish_stats(now)

    def _request_replays(self, suspect, holes: list[tuple[int, int]]) -> None:
        """At most :data:`REPLAYS_PER_ROUND` requests of at most ``MAX_REPLAY_SPAN`` numbers per gap and
        round: a gap of thousands of readings, or one full of holes, is asked for piece by piece over
        the next rounds instead of flooding the kit with requests it would refuse (kits rate-limit them)."""
        chunks = [c for first, last in holes for c in tm.replay_chunks(first, last, REPLAYS_PER_ROUND)]
        for first, last in chunks[:REPLAYS_PER_ROUND]:
            self.mqtt.publish(tm.topic(suspect.class_id, suspect.kit, "replay"),
                              tm.replay_payload(first, last, self.collector_id, suspect.key.inc), 1, False)
            self.stats.replays_requested += 1

    def _record_jumps(self) -> None:
        """Seq jumps too large to be gaps: one row each (state ``jump``), never requested."""
        if not self._gaps.jumps:
            return
        jumps, self._gaps.jumps = self._gaps.jumps, []
        self.store.add_gaps([Gap(j.key.class_id, j.key.kit, j.first, j.last, "jump", tm.iso_utc(time.time()),
                                 note=f"seq jumped over {j.last - j.first + 1} numbers ({j.first - 1} -> {j.last + 1}): "
                                      "too far to be lost readings; the kit's counter was reset or corrupted",
                                 inc=j.key.inc) for j in jumps])
        self.stats.seq_jumps += len(jumps)

    def _publish_stats(self, now: float) -> None:
        span = max(now - self._window_start, 1e-6)
        st = self.stats
        st.rate = self._window_stored / span
        self._window_start, self._window_stored = now, 0
        self._next_stats = now + self.stats_interval
        if self._unassigned:
            self._registered = self.store.registered_kits()
            self._unassigned -= self._registered
        st.unassigned_kits = sorted(f"{cls}/{kit}" for cls, kit in self._unassigned)
        st.load_warning = bool(self.warn_rate and st.rate >= 0.8 * self.warn_rate)
        doc = {"v": 1, "id": self.collector_id, "rate": round(st.rate, 1), "lag_s": round(st.lag_s, 3),
               "received": st.received, "stored": st.stored, "duplicates": st.duplicates,
               "quarantined": st.quarantined, "open_gaps": self._gaps.open_count,
               "unassigned_kits": st.unassigned_kits}
        if st.store_error is not None:
            doc["error"] = _error_doc(st.store_error)
        if self.mqtt.is_connected:
            self.mqtt.publish(tm.collector_topic(self.collector_id, "stats"), json.dumps(doc).encode(), 0, True)

    def open_gaps(self) -> int:
        return self._gaps.open_count


def collect(*, broker: str, db: str, username: str | None = None, password: str | None = None,
            share: str | None = None, classes: list[str] | None = None, collector_id: str | None = None,
            stop_event: threading.Event | None = None, on_stats=None, stats_interval: float = 5.0,
            writer: str = "process") -> CollectorStats:
    """Run a collector until ``stop_event`` is set; then flush, acknowledge and return the final stats."""
    stop_event = stop_event or threading.Event()
    col = Collector(broker, db, username=username, password=password, share=share, classes=classes,
                    collector_id=collector_id, stats_interval=stats_interval, writer=writer)
    col.start()
    next_report = time.monotonic() + stats_interval
    try:
        while not stop_event.wait(min(stats_interval, 0.5)):
            col.raise_if_failed()
            if on_stats and time.monotonic() >= next_report:
                next_report += stats_interval
                on_stats(col.stats)
    finally:
        col.stop()
    col.raise_if_failed()
    return col.stats


__all__ = ["Collector", "CollectorStats", "collect"]


def _lost_note(first: int, last: int) -> str:
    """Why a gap is closed as lost. A kit reserves sequence numbers in blocks of 16 and skips the
    rest of a block when it restarts, so numbers it never used look exactly like lost readings:
    the kit itself cannot tell them apart (docs/TELEMETRY.md, section 2)."""
    note = f"kit no longer holds {first}..{last}"
    if last - first < 16:
        note += ": readings lost, or numbers the kit reserved and never used before it restarted"
    return note

