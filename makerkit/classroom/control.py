"""Teacher controls: ``stop_class`` (every kit of a class stops its outputs) and ``say_to_class``.

Both publish one control message on the class's control topic (docs/TELEMETRY.md §4a) and wait, up
to ``timeout`` seconds (2 by default), for each kit's ``control_ack`` event. Which kits the class has
comes from the kits' retained status topics (``makerkit/v1/{class}/+/status``: online or offline),
plus the class's kit inventory when a portfolio ``db`` is given (kits registered there that never
said anything are offline). The result names every kit: obeyed, refused, offline, or no answer.
The wait ends early once every online kit has answered.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass

from ..errors import BrokerError
from ..mqtt.connection import Message, MqttConnection
from ..protocol import control as ctl
from ..protocol import telemetry as tm

TIMEOUT = 2.0          # seconds: the teacher sees who obeyed within this
SETTLE = 0.3           # seconds: retained statuses arrive right after the subscription; wait this long at least
OBEYED, REFUSED, OFFLINE, NO_ANSWER = "obeyed", "refused", "offline", "no answer"


@dataclass(frozen=True)
class KitAnswer:
    kit: str
    state: str            # OBEYED, REFUSED, OFFLINE or NO_ANSWER
    done: str = ""        # what the kit did: stopped, shown, passed (or the refusal)
    detail: str = ""      # the refusal's reason, "via bridge", outputs turned off...
    seconds: float | None = None   # from publishing to the answer


@dataclass(frozen=True)
class ControlResult:
    class_id: str
    cmd: str
    request_id: str
    kits: tuple[KitAnswer, ...]
    seconds: float

    def named(self, state: str) -> list[str]:
        return [k.kit for k in self.kits if k.state == state]

    @property
    def ok(self) -> bool:
        """True when every kit that was online answered (offline kits are only named)."""
        return not any(k.state in (NO_ANSWER, REFUSED) for k in self.kits)


class _Listener:
    """Collects the class's statuses and the answers to one request (paho's thread writes, we read)."""

    def __init__(self, class_id: str):
        self.class_id = class_id
        self.status: dict[str, str] = {}
        self.acks: dict[str, tuple[ctl.ControlAck, float]] = {}
        self.request_id = ""
        self.sent_at = 0.0
        self.changed = threading.Condition()

    def __call__(self, msg: Message) -> None:
        try:
            where = tm.parse_topic(msg.topic)
        except tm.TelemetryRejected:
            return
        if where.class_id != self.class_id:
            return
        with self.changed:
            if where.kind == "status":
                try:
                    state = json.loads(msg.payload).get("state")
                except (ValueError, AttributeError):
                    state = None
                if state in ("online", "offline"):
                    self.status[where.kit] = state
            elif where.kind == "event" and self.request_id:
                ack = ctl.parse_ack(msg.topic, msg.payload)
                if ack is not None and ack.request_id == self.request_id and ack.kit not in self.acks:
                    self.acks[ack.kit] = (ack, time.monotonic() - self.sent_at)
            self.changed.notify_all()

    def everyone_answered(self) -> bool:
        online = {kit for kit, state in self.status.items() if state == "online"}
        return online <= set(self.acks)


def _inventory(db: str | None, class_id: str) -> list[str]:
    if not db:
        return []
    from ..store import open_store
    store = open_store(db)
    try:
        return [row["kit"] for row in store.kits(class_id)]
    finally:
        store.close()


def _answers(listener: _Listener, known: list[str]) -> tuple[KitAnswer, ...]:
    kits = sorted(set(known) | set(listener.status) | set(listener.acks))
    out = []
    for kit in kits:
        if kit in listener.acks:
            ack, seconds = listener.acks[kit]
            details = [f"via {ack.via}"] if ack.via else []
            if ack.outputs is not None:
                details.append(f"{ack.outputs} outputs off")
            if ack.done == "refused":
                out.append(KitAnswer(kit, REFUSED, ack.done, ack.reason, seconds))
            else:
                out.append(KitAnswer(kit, OBEYED, ack.done, ", ".join(details), seconds))
        elif listener.status.get(kit) == "online":
            out.append(KitAnswer(kit, NO_ANSWER))
        else:
            out.append(KitAnswer(kit, OFFLINE, detail="" if kit in listener.status else "never online"))
    return tuple(out)


def send_control(*, broker: str, class_id: str, cmd: str, text: str | None = None,
                 username: str | None = None, password: str | None = None, by: str | None = None,
                 timeout: float = TIMEOUT, db: str | None = None, protocol: str = "5") -> ControlResult:
    """Publish one control message to every kit of ``class_id`` and collect the answers."""
    class_id = tm.check_id(class_id, "class")
    request_id = ctl.new_request_id()
    payload = ctl.control_payload(cmd, request_id=request_id, text=text, by=by or username or "teacher")
    known = _inventory(db, class_id)
    listener = _Listener(class_id)
    conn = MqttConnection(broker, f"teacher-{class_id}-{request_id}", username=username, password=password,
                          subscriptions=[(tm.subscription(class_id, "status"), 1),
                                         (tm.subscription(class_id, "event"), 1)],
                          on_message=listener, protocol=protocol)
    conn.start(timeout=max(timeout, 5.0))
    try:
        with listener.changed:
            listener.request_id = request_id
            listener.sent_at = time.monotonic()
        info = conn.publish(ctl.control_topic(class_id), payload, 1, False)
        started = listener.sent_at
        deadline = started + timeout
        with listener.changed:
            while True:
                now = time.monotonic()
                if now >= deadline or (now - started >= SETTLE and listener.everyone_answered()):
                    break
                settled = started + SETTLE
                listener.changed.wait((settled if now < settled else deadline) - now)
        if not info.is_published():
            raise BrokerError(en=f"The broker did not take the {cmd} message for class {class_id}.",
                              zh=f"MQTT 服务器没有接收发给班级 {class_id} 的 {cmd} 消息。",
                              hint_en="Check that your login is a teacher login of this class "
                                      "(makerkit access add --role teacher).",
                              hint_zh="请确认你的登录是这个班的教师账号（makerkit access add --role teacher）。")
        with listener.changed:
            kits = _answers(listener, known)
    finally:
        conn.stop()
    return ControlResult(class_id=class_id, cmd=cmd, request_id=request_id, kits=kits,
                         seconds=time.monotonic() - started)


def stop_class(*, broker: str, class_id: str, username: str | None = None, password: str | None = None,
               timeout: float = TIMEOUT, db: str | None = None, protocol: str = "5") -> ControlResult:
    """Make every kit of ``class_id`` turn its outputs off now (motors, LEDs, PWM, buzzers; servos
    hold). Returns who obeyed, who is offline, and who did not answer within ``timeout`` seconds."""
    return send_control(broker=broker, class_id=class_id, cmd="stop", username=username, password=password,
                        timeout=timeout, db=db, protocol=protocol)


def say_to_class(*, broker: str, class_id: str, text: str, username: str | None = None,
                 password: str | None = None, timeout: float = TIMEOUT, db: str | None = None,
                 protocol: str = "5") -> ControlResult:
    """Show ``text`` (at most 200 characters) on every kit's display, or in the student's running
    lesson where the kit has none. Returns who got it, as :func:`stop_class` does."""
    return send_control(broker=broker, class_id=class_id, cmd="say", text=ctl.check_text(text),
                        username=username, password=password, timeout=timeout, db=db, protocol=protocol)


__all__ = ["ControlResult", "KitAnswer", "NO_ANSWER", "OBEYED", "OFFLINE", "REFUSED", "say_to_class",
           "send_control", "stop_class"]
