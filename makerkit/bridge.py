"""``makerkit bridge``: publish a USB-tethered kit's telemetry to MQTT on its behalf.

A kit without network (an Uno, an ESP32 without WiFi) numbers and stamps its readings and sends
each one up the cable as an MK_TELEMETRY RECORD. The bridge

1. writes every record to its outbox on disk (:mod:`makerkit.store.outbox`, SQLite
   ``synchronous=FULL``, keyed by the kit's incarnation and ``seq``) and only then tells the kit
   ``ACK upto=SEQ``, so the kit may forget it. A board that numbers again under a key the outbox
   holds with other content (replaced or wiped) is kept as ``reused`` and reported, never dropped;
2. publishes the outbox to ``makerkit/v1/{class}/{kit}/telemetry`` with QoS 1 and marks a record sent
   when the broker's PUBACK arrives; while the broker is away the outbox simply grows;
3. answers ``.../replay`` requests from a collector out of the outbox, then publishes a
   ``replay_done`` event listing what it no longer holds. Requests are checked like a kit checks
   them (integers ``0 <= from <= to <= 2**53-1``, answered for at most 1,000 numbers) and at most
   :data:`REPLAY_PER_MINUTE` are answered in any minute; others are ignored and counted;
4. publishes the lesson events (``kit.event``) the kit hands it (MK_TELEMETRY EVENT) to ``.../event``;
5. keeps the kit's retained ``status`` (online, with an ``offline`` last will) and sets the kit's clock
   (MK_TELEMETRY CLOCK) so its records carry wall-clock ``time``.

:func:`run_bridge` is the service: when the port goes away (USB pulled, laptop asleep) it keeps
publishing what is on disk, reopens the port with a growing pause (:data:`REOPEN_FIRST` to
:data:`REOPEN_MAX` seconds), asks the kit again for what it had not handed over, and carries on.
What happens is told through :meth:`Bridge.take_notices` (bilingual), which the CLI prints.
"""

from __future__ import annotations

import collections
import json
import queue
import threading
import time
from datetime import datetime, timezone

from .access.logins import username_for
from .errors import DisconnectedError, MakerkitError, StoreError, UsageError
from .mqtt.connection import Message, MqttConnection, login_refused_text
from .protocol import firmata as fm
from .protocol import replay
from .protocol import telemetry as tm
from .store.outbox import KEEP, Outbox, Reused, record_key

MAX_IN_FLIGHT = 200
REPLAY_PER_MINUTE = replay.PER_MINUTE   # replay requests answered in any 60 s, as a kit does
REOPEN_FIRST = 0.5            # seconds before the first attempt to reopen a lost port; doubles each time
REOPEN_MAX = 10.0             # seconds: the longest pause between two attempts
STATUS_EVERY = 5.0            # seconds: the least time between two retained status updates
SAVE_RETRY = 1.0              # seconds between two attempts to write the outbox while it fails
BROKER_GRACE = 3.0            # seconds the broker may be away before the user is told (paho retries meanwhile)


class Bridge:
    """``Bridge(kit, broker="mqtt://...", outbox="bridge-kit-07.db").start()`` ... ``stop()``.

    ``kit`` is an open :class:`~makerkit.device.kit.Kit`; ``class_id``/``kit_id`` default to its config, the
    login (no ``username``/``password``) to the kit's own: the password it keeps for its bridge. :meth:`detach`
    / :meth:`attach` swap the kit behind a running bridge (what :func:`run_bridge` does when the port comes back).
    """

    def __init__(self, kit, broker: str, *, outbox: str | None = None, class_id: str | None = None,
                 kit_id: str | None = None, username: str | None = None, password: str | None = None,
                 protocol: str = "5", keep: int = KEEP, set_clock: bool = True):
        self.kit = kit
        config = {}
        if class_id is None or kit_id is None:
            config = kit.config()
        class_id, kit_id = class_id or config.get("class") or "", kit_id or config.get("kit") or ""
        if not class_id or not kit_id:
            raise UsageError(en="The kit has no class or kit id yet, so the bridge does not know where to publish.",
                             zh="这个套件还没有设置班级或套件编号，桥接程序不知道该发布到哪里。",
                             hint_en="Set them once: makerkit bridge --class 7a --kit kit-07 ... (or kit.configure(kit=..., class_=...)).",
                             hint_zh="请先设置：makerkit bridge --class 7a --kit kit-07 ...（或在程序里 kit.configure(kit=..., class_=...)）。")
        self.class_id, self.kit_id = tm.check_id(class_id, "class"), tm.check_id(kit_id)
        if username is None and password is None and kit.firmware.supports("config"):
            password = kit.broker_password()             # the kit's own login (its EEPROM), as provision gave it
            username = username_for(class_id=self.class_id, role="kit", kit=self.kit_id) if password else None
        self.username = username
        self.outbox = Outbox(outbox or f"bridge-{self.class_id}-{self.kit_id}.db", keep)
        self.set_clock = set_clock
        self.published = 0
        self.replayed = 0
        self.events = 0                                  # lesson events published for the kit
        self.messages: list[dict] = []                   # the teacher's stop / say messages obeyed for the kit
        self.reused = 0                                  # records kept although their key was held (a board numbering again)
        self.replays_ignored = 0                         # replay requests refused (invalid, or over the limit)
        self.unreadable = 0                              # records from the kit without a valid seq/inc (not keyable)
        self.kit_dropped = 0                             # readings the kit dropped from its full buffer since it booted
        self.error: BaseException | None = None
        self.disk_error: StoreError | None = None       # set while the outbox cannot be written (disk full, locked)
        self._incoming: queue.SimpleQueue = queue.SimpleQueue()
        self._inflight: dict[int, object] = {}
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._listeners: list[tuple[type, object]] = []
        self._session = 0                                # counts attached kits: an ACK goes only to the kit that sent
        self._unsaved: list[tuple[int, str, int, bytes]] = []   # (session, inc, seq, payload) not on disk yet
        self._next_save = 0.0
        self._replay_gate = replay.ReplayGate(REPLAY_PER_MINUTE)
        self._notices: collections.deque = collections.deque(maxlen=200)
        self._status_due = False
        self._status_at = 0.0
        self._broker_down_since: float | None = None
        self._broker_told = False
        if self.outbox.migrated_from is not None:
            self.note("outbox_migrated",
                      f"The bridge's buffer {self.outbox.path} was upgraded in place: records are now kept per "
                      f"kit incarnation, so a replaced or reset board is never mistaken for the old one.",
                      f"桥接缓冲文件 {self.outbox.path} 已原地升级：现在按套件的“化身”（incarnation）分别保存记录，"
                      f"换过或重置过的开发板不会再被当成原来那块。")
        status = tm.topic(self.class_id, self.kit_id, "status")
        self.mqtt = MqttConnection(
            broker, f"bridge-{self.class_id}-{self.kit_id}", username=username, password=password,
            subscriptions=[(tm.topic(self.class_id, self.kit_id, "replay"), 1),
                           (tm.topic(self.class_id, self.kit_id, "control"), 1),
                           (tm.class_control_topic(self.class_id), 1)],
            on_message=self._incoming.put, will=(status, tm.status_payload("offline"), 1, True),
            on_connect=self._on_connect, protocol=protocol)

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self, timeout: float = 2.0) -> "Bridge":
        self._worker = threading.Thread(target=self._run, name=f"makerkit-bridge-{self.kit_id}", daemon=True)
        self._worker.start()
        if self.kit is not None:
            self.attach(self.kit)
        # the broker may be away: records wait on disk while paho keeps trying in the background
        self.mqtt.start_background()
        self.mqtt.connected.wait(timeout)
        return self

    def stop(self) -> None:
        self._stop.set()
        self._incoming.put(None)
        if self._worker:
            self._worker.join(10)
        self.detach()
        self.mqtt.stop()
        self.outbox.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # -- the kit side ------------------------------------------------------------------------------
    def attach(self, kit) -> None:
        """Take records from ``kit`` (again): set its clock and ask it for what it still holds unacknowledged."""
        self.detach()
        self._session += 1
        session = self._session
        self.kit = kit
        for kind in (fm.MkTelemetryRecord, fm.MkTelemetryEvent):
            callback = (lambda ev, s=session: self._incoming.put((s, ev)))
            kit.client.add_listener(kind, callback)
            self._listeners.append((kind, callback))
        info = dict(getattr(kit.identity, "info", None) or {})
        if isinstance(info.get("dropped"), int) and not isinstance(info.get("dropped"), bool):
            self._kit_dropped(info["dropped"])
        if self.set_clock:
            kit.client.send(fm.mk_telemetry_clock(tm.iso_utc(datetime.now(timezone.utc))))
        inc = info.get("inc") if isinstance(info.get("inc"), str) else ""
        last = self.outbox.last_seq(inc)
        if last is not None and last < tm.MAX_COUNTER:
            # records the kit numbered while nobody took them (the cable was out): a kit answers
            # at most 1,000 numbers per request, more than an AVR or a tethered ESP32 keeps unacknowledged
            kit.client.send(fm.mk_telemetry_replay(last + 1, min(tm.MAX_COUNTER, last + tm.MAX_REPLAY_SPAN)))
        self._status_due = True

    def detach(self) -> None:
        """Stop taking records from the current kit (its port is gone, or the bridge stops)."""
        kit, self.kit = self.kit, None
        if kit is not None:
            for kind, callback in self._listeners:
                kit.client.remove_listener(kind, callback)
        self._listeners.clear()
        self._status_due = True

    # -- what the user is told -----------------------------------------------------------------------
    def note(self, code: str, en: str, zh: str) -> None:
        """Queue a message for the user (the CLI prints :meth:`take_notices`)."""
        self._notices.append({"code": code, "en": en, "zh": zh, "at": time.time()})

    def take_notices(self) -> list[dict]:
        """The messages since the last call, oldest first: ``{"code", "en", "zh", "at"}``."""
        return [self._notices.popleft() for _ in range(len(self._notices))]

    def _kit_dropped(self, dropped: int) -> None:
        if dropped > self.kit_dropped:
            self.note("kit_dropped",
                      f"Kit {self.kit_id} had to drop {dropped - self.kit_dropped} reading(s) from its full memory "
                      f"({dropped} since it started): they were taken while nothing acknowledged them. Keep the "
                      f"bridge running while the lesson records readings.",
                      f"套件 {self.kit_id} 的内存已满，丢弃了 {dropped - self.kit_dropped} 条读数（开机以来共 {dropped} 条）："
                      f"这些读数产生时没有程序接收。上课记录数据时请保持桥接程序运行。")
            self._status_due = True
        self.kit_dropped = dropped

    def _report_reused(self, item: Reused) -> None:
        self.reused += 1
        stream = f"incarnation {item.inc!r}" if item.inc else "its readings"
        self.note("seq_reused",
                  f"Kit {self.kit_id} sent reading number {item.seq} of {stream} again with other content "
                  f"(boot {item.boot}, the saved one is from boot {item.held_boot}): the board was replaced or its "
                  f"memory was erased. Both are kept; the collector quarantines the new one as seq_reused. Flash "
                  f"the makerkit firmware again (it gives the board a new incarnation) so its readings are stored.",
                  f"套件 {self.kit_id} 再次发送了第 {item.seq} 号读数，但内容不同（开机 {item.boot}，已保存的来自开机 "
                  f"{item.held_boot}）：开发板被更换或内存被擦除。两份都已保留；收集程序会把新的一份隔离为 seq_reused。"
                  f"请重新烧录 makerkit 固件（开发板会得到新的化身），之后的读数就能正常保存。")

    # -- MQTT side -------------------------------------------------------------------------------
    def _on_connect(self, session_present: bool) -> None:
        self._inflight.clear()     # anything not acknowledged is sent again (duplicates are harmless)
        self._publish_status()

    def _publish_status(self) -> None:
        info = dict(getattr(getattr(self.kit, "identity", None), "info", None) or {})
        extra = {"buffered": self.outbox.count(sent=False), "dropped": self.kit_dropped}
        if self.replays_ignored:
            extra["replays_ignored"] = self.replays_ignored
        for key in ("inc", "hw"):
            if isinstance(info.get(key), str) and info[key]:
                extra[key] = info[key]
        if isinstance(info.get("version"), str):
            extra["fw"] = f"{info.get('fw') or 'makerkit'} {info['version']}"[:32]
        try:
            payload = tm.status_payload("online", **extra)
        except Exception:  # noqa: BLE001 - an odd identity from the board must not keep the status away
            payload = tm.status_payload("online", buffered=extra["buffered"])
        self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "status"), payload, 1, True)
        self._status_at = time.monotonic()
        self._status_due = False

    def _replay(self, payload: bytes) -> None:
        wanted = replay.requested_range(payload)
        if wanted is None or not self._replay_gate.admit(time.monotonic()):
            self.replays_ignored += 1
            self._status_due = True
            return
        inc, first, last = wanted
        have = self.outbox.between(inc, first, last)
        for seq, data in have:
            self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "telemetry"), data, 1, False)
            self.replayed += 1
        top = self.outbox.last_seq(inc)          # numbers above it were never handed over: not missing yet
        missing = tm.holes(first, min(last, top), {s for s, _ in have}) if top is not None else []
        done = {"v": 1, "event": "replay_done", "from": first, "to": last, "missing": [list(r) for r in missing]}
        if inc:
            done["inc"] = inc
        self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "event"), json.dumps(done).encode(), 1, False)

    def _control(self, payload: bytes) -> None:
        """A teacher's stop / say (docs/TELEMETRY.md §4a): obeyed over the cable, answered for the kit,
        and handed to the program that drives the kit from this computer (``kit.when_message``; a
        lesson running on it), as a networked kit's firmware hands it to its host."""
        from .device.stop import obey_control, tell_program
        try:
            doc, ack = obey_control(self.kit, payload)
        except MakerkitError as exc:              # the kit's cable is out: no answer, so the teacher sees it
            self.note("control_failed", f"A teacher's control message could not reach the kit: {exc.message_en}",
                      f"老师的控制消息没能送到套件：{exc.message_zh}")
            return
        if doc is None or any(m["id"] == doc["id"] for m in self.messages[-8:]):   # came on both topics
            return
        self.messages.append(doc)
        self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "event"), ack, 1, False)
        if self.kit is not None:
            tell_program(self.kit, payload)
        if doc["cmd"] == "say":                   # the kit has no display and no lesson: whoever watches the bridge
            self.note("teacher_says", f"Teacher: {doc['text']}", f"老师：{doc['text']}")

    # -- worker ---------------------------------------------------------------------------------------
    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                try:
                    item = self._incoming.get(timeout=0.1)
                except queue.Empty:
                    item = None
                fresh = False
                while item is not None:
                    try:
                        fresh = self._take(item) or fresh
                    except Exception as exc:  # noqa: BLE001 - one odd message must not end the service
                        self.note("internal", f"The bridge could not handle one message ({exc!r}); it goes on.",
                                  f"桥接程序无法处理一条消息（{exc!r}），会继续运行。")
                    try:
                        item = self._incoming.get_nowait()
                    except queue.Empty:
                        item = None
                if self._unsaved and (fresh or time.monotonic() >= self._next_save):
                    self._save()
                self._pump()
                self._watch_broker()
                if self._status_due and self.mqtt.is_connected and time.monotonic() - self._status_at >= STATUS_EVERY:
                    self._publish_status()
        except BaseException as exc:  # reported by check()
            self.error = exc

    def _watch_broker(self) -> None:
        where = f"{self.mqtt.address.host}:{self.mqtt.address.port}"
        if self.mqtt.is_connected:
            if self._broker_told:
                self.note("broker_back", f"The broker at {where} is back; the waiting readings are being sent.",
                          f"{where} 上的 MQTT 服务器已恢复，正在发送等待中的读数。")
            self._broker_down_since, self._broker_told = None, False
            return
        now = time.monotonic()
        if self._broker_down_since is None:
            self._broker_down_since = now
        elif not self._broker_told and now - self._broker_down_since >= BROKER_GRACE:
            self._broker_told = True
            if self.mqtt.login_refused:       # e.g. a kit provisioned after the broker files were written
                return self.note("broker_refused", *login_refused_text(where, self.username, self.outbox.path))
            self.note("broker_away",
                      f"The broker at {where} cannot be reached. Readings wait in {self.outbox.path} and are sent "
                      f"when it is back; check that it runs and that this computer is on the network.",
                      f"无法连接 {where} 上的 MQTT 服务器。读数保存在 {self.outbox.path} 中，服务器恢复后会自动发送；"
                      f"请检查服务器是否在运行、这台电脑是否连上了网络。")

    def _take(self, item) -> bool:
        """Handle one incoming item; True when it was a record to save."""
        if isinstance(item, Message) and item.topic.endswith("/control"):
            self._control(item.payload)
            return False
        if isinstance(item, Message):
            try:
                self._replay(item.payload)
            except MakerkitError as exc:          # the outbox failed: told, and the next request is answered
                self.note("replay_failed", f"A replay request could not be answered: {exc.message_en}",
                          f"无法回应一个重发请求：{exc.message_zh}")
            return False
        session, event = item
        if isinstance(event, fm.MkTelemetryRecord):
            key = record_key(event.payload)
            if key is None:
                self.unreadable += 1
                self.note("record_unreadable", f"Kit {self.kit_id} sent a record without a valid number: "
                          f"{event.raw[:120]!r}. Flash the makerkit firmware again.",
                          f"套件 {self.kit_id} 发来一条没有有效编号的记录：{event.raw[:120]!r}。请重新烧录 makerkit 固件。")
                return False
            dropped = event.payload.get("dropped")
            if session == self._session and isinstance(dropped, int) and not isinstance(dropped, bool):
                self._kit_dropped(dropped)
            self._unsaved.append((session, key[0], key[1], event.raw.encode("utf-8")))
            return True
        if isinstance(event, fm.MkTelemetryEvent) and not event.published and isinstance(event.payload, dict):
            # a lesson event the kit could not publish itself
            self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "event"), event.raw.encode("utf-8"), 1, False)
            self.events += 1
        return False

    def _save(self) -> None:
        """Outbox first, then ACK: a record the bridge could not save stays unacknowledged on the kit."""
        items = self._unsaved
        try:
            reused = self.outbox.add([(inc, seq, data) for _, inc, seq, data in items])
        except StoreError as exc:
            self.disk_error = exc                     # shown by the CLI; retried every second
            self._next_save = time.monotonic() + SAVE_RETRY
            return
        self.disk_error = None
        self._unsaved = []
        self._status_due = True
        for item in reused:
            self._report_reused(item)
        # ACK upto=N tells the kit that everything up to N is safe; only the kit that sent them hears it
        mine = [seq for session, _, seq, _ in items if session == self._session]
        kit = self.kit
        if mine and kit is not None:
            try:
                kit.client.send(fm.mk_telemetry_ack(max(mine)))
            except DisconnectedError:
                pass                                  # the port is gone; run_bridge reopens it and asks again

    def _pump(self) -> None:
        done = [rid for rid, info in self._inflight.items() if info.is_published()]
        if done:
            self.outbox.mark_sent(done)
            self.published += len(done)
            for rid in done:
                del self._inflight[rid]
            self._status_due = True
        if not self.mqtt.is_connected:
            return
        room = MAX_IN_FLIGHT - len(self._inflight)
        if room <= 0:
            return
        for rid, data in self.outbox.unsent(room, max(self._inflight, default=0)):
            self._inflight[rid] = self.mqtt.publish(tm.topic(self.class_id, self.kit_id, "telemetry"), data, 1, False)

    def check(self) -> None:
        if self.error is not None:
            raise self.error


def _open_kit(port: str, board: str | None, class_id: str | None, kit_id: str | None):
    import makerkit
    kit = makerkit.connect(port, board=board, clock="real")
    try:
        if class_id or kit_id:
            kit.configure(**{k: v for k, v in (("kit", kit_id), ("class_", class_id)) if v})
    except BaseException:
        kit.close()
        raise
    return kit


def _close_quietly(kit) -> None:
    try:
        kit.close()
    except Exception:  # noqa: BLE001 - the port is already gone; closing must not hide why
        pass


def _reopen(bridge: Bridge, lost: MakerkitError, *, port: str, board: str | None, class_id: str | None,
            kit_id: str | None, stop_event: threading.Event, on_status, pauses: tuple[float, float]):
    """Reopen ``port`` with a growing pause until a kit answers that is this bridge's kit; None when stopped."""
    old = bridge.kit
    bridge.detach()
    if old is not None:
        _close_quietly(old)
    first, longest = pauses
    bridge.note("port_lost",
                f"The kit on {port} went away ({lost.message_en}) The bridge keeps publishing what it saved and "
                f"opens the port again as soon as it is back. Plug the cable in again or wake the computer.",
                f"{port} 上的套件断开了（{lost.message_zh}）桥接程序会继续发布已保存的数据，端口恢复后会自动重新打开。"
                f"请重新插好数据线，或唤醒电脑。")
    pause = first
    while not stop_event.wait(pause):
        try:
            kit = _open_kit(port, board, class_id, kit_id)
        except MakerkitError as exc:
            pause = min(pause * 2, longest)
            bridge.note("port_retry", f"{port} cannot be opened yet ({exc.message_en}); trying again in {pause:g} s.",
                        f"{port} 暂时无法打开（{exc.message_zh}）；{pause:g} 秒后再试。")
            if on_status:
                on_status(bridge)
            continue
        who = getattr(kit, "identity", None)
        if not (class_id and kit_id) and who is not None and (who.kit_id, who.class_id) != (bridge.kit_id, bridge.class_id):
            _close_quietly(kit)
            pause = longest
            flags = f"--kit {bridge.kit_id} --class {bridge.class_id}"
            bridge.note("other_kit", f"The board now on {port} is kit {who.kit_id!r} of {who.class_id!r}, not "
                        f"{bridge.kit_id}: the bridge waits for its own kit (or restart it with {flags}).",
                        f"{port} 上现在是 {who.class_id!r} 的套件 {who.kit_id!r}，不是 {bridge.kit_id}："
                        f"桥接程序会等待原来的套件（或加上 {flags} 重新启动）。")
            continue
        try:
            bridge.attach(kit)
        except MakerkitError as exc:              # gone again at once: try again later
            bridge.detach()
            _close_quietly(kit)
            pause = min(pause * 2, longest)
            bridge.note("port_retry", f"{port} went away again ({exc.message_en}); trying again in {pause:g} s.",
                        f"{port} 又断开了（{exc.message_zh}）；{pause:g} 秒后再试。")
            continue
        bridge.note("port_back", f"The kit on {port} is back; the bridge carries on.",
                    f"{port} 上的套件已恢复连接，桥接程序继续工作。")
        return kit
    return None


def run_bridge(*, port: str, broker: str, outbox: str | None = None, class_id: str | None = None,
               kit_id: str | None = None, username: str | None = None, password: str | None = None,
               stop_event: threading.Event | None = None, on_status=None, board: str | None = None,
               reopen: tuple[float, float] = (REOPEN_FIRST, REOPEN_MAX), every: float = 1.0) -> Bridge:
    """Open the kit on ``port`` and bridge it until ``stop_event`` is set, reopening the port when it
    goes away; ``on_status(bridge)`` is called every ``every`` seconds and after each attempt."""
    stop_event = stop_event or threading.Event()
    kit = _open_kit(port, board, class_id, kit_id)
    try:
        bridge = Bridge(kit, broker, outbox=outbox, class_id=class_id, kit_id=kit_id,
                        username=username, password=password)
    except BaseException:
        kit.close()
        raise
    bridge.start()
    try:
        while not stop_event.wait(every):
            bridge.check()
            current = bridge.kit
            lost = current.client.lost if current is not None else None
            if current is not None and lost is None and current.client.closed:
                lost = DisconnectedError(en=f"The connection to {port} closed.", zh=f"与 {port} 的连接已关闭。")
            if lost is not None:
                _reopen(bridge, lost, port=port, board=board, class_id=class_id, kit_id=kit_id,
                        stop_event=stop_event, on_status=on_status, pauses=reopen)
            if on_status:
                on_status(bridge)
    finally:
        last = bridge.kit
        bridge.stop()
        if last is not None:
            _close_quietly(last)
    return bridge


__all__ = ["Bridge", "Outbox", "REPLAY_PER_MINUTE", "run_bridge"]
