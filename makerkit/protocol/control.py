"""Teacher controls on the class broker, sans-I/O: the control message and the kits' answers.

The contract is docs/TELEMETRY.md §4a. A teacher publishes, QoS 1, not retained, on
``makerkit/v1/{class}/_class/control`` (every kit of the class) or ``makerkit/v1/{class}/{kit}/control``:

    {"v": 1, "id": "r-5f3a9c01", "cmd": "stop" | "say", "text": "Tidy up!", "by": "teacher"}

Each kit answers on its own event topic with a ``control_ack`` event whose ``data`` names the request
and what the kit did (``done``: ``stopped``, ``shown`` on its display, ``passed`` to the lesson on
its host, or ``refused`` with a ``reason``); ``via`` is ``"bridge"`` when ``makerkit bridge`` answers
for a tethered kit. The kit-side checks are the same as here (``mkfw/control.py``).
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from ..errors import UsageError
from .telemetry import ROOT, TelemetryRejected, check_id, class_control_topic, parse_message, parse_topic

COMMANDS = ("stop", "say")
MAX_MESSAGE = 1024      # bytes: what a kit accepts
MAX_TEXT = 200          # characters of a ``say`` (8 lines of 16 on a 128x64 OLED, or a lesson's line)
MAX_BY = 64
ACK_EVENT = "control_ack"
DONE = ("stopped", "shown", "passed", "refused")


def new_request_id() -> str:
    """A fresh request id: the kits' answers carry it, so answers to an older request are not counted."""
    return "r-" + secrets.token_hex(6)


def check_text(text: str) -> str:
    """A ``say`` text the kits will accept, else :class:`UsageError`."""
    if not isinstance(text, str) or not text.strip():
        raise UsageError(en="The message to the class is empty.", zh="发给全班的消息是空的。",
                         hint_en='Write the message in quotes: makerkit class say ... "Tidy up!"',
                         hint_zh='请把消息写在引号里：makerkit class say ... "请整理桌面！"')
    if len(text) > MAX_TEXT:
        raise UsageError(en=f"The message has {len(text)} characters; kits show at most {MAX_TEXT}.",
                         zh=f"消息有 {len(text)} 个字符；套件最多显示 {MAX_TEXT} 个。",
                         hint_en="Say it in fewer words.", hint_zh="请用更短的话。")
    return text


def control_payload(cmd: str, *, request_id: str, text: str | None = None, by: str | None = None) -> bytes:
    """The control message for ``cmd`` (``"stop"`` or ``"say"`` with ``text``)."""
    if cmd not in COMMANDS:
        raise ValueError(f"control command {cmd!r}: one of {', '.join(COMMANDS)}")
    doc: dict = {"v": 1, "id": request_id, "cmd": cmd}
    if cmd == "say":
        doc["text"] = check_text(text or "")
    if by:
        doc["by"] = by[:MAX_BY]
    data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if len(data) > MAX_MESSAGE or parse_control(data) is None:
        raise UsageError(en="The message is too long for the kits.", zh="消息太长，套件收不下。")
    return data


def control_topic(class_id: str, kit: str | None = None) -> str:
    """The class's control topic, or one kit's."""
    if kit is None:
        return class_control_topic(class_id)
    return f"{ROOT}/{check_id(class_id, 'class')}/{check_id(kit)}/control"


@dataclass(frozen=True)
class ControlAck:
    """One kit's answer to a control request."""
    kit: str
    request_id: str
    cmd: str
    done: str
    reason: str = ""
    via: str = ""           # "bridge" when makerkit bridge answered for a tethered kit
    outputs: int | None = None


def parse_ack(topic: str, payload: bytes) -> ControlAck | None:
    """The :class:`ControlAck` in an event message, or None when it is some other event (or malformed)."""
    try:
        where = parse_topic(topic)
        if where.kind != "event":
            return None
        doc = parse_message("event", payload)
    except TelemetryRejected:
        return None
    data = doc.get("data")
    if doc.get("event") != ACK_EVENT or not isinstance(data, dict):
        return None
    rid, cmd, done = data.get("id"), data.get("cmd"), data.get("done")
    if not (isinstance(rid, str) and isinstance(cmd, str) and done in DONE):
        return None
    outputs = data.get("outputs")
    return ControlAck(kit=where.kit, request_id=rid, cmd=cmd, done=done, reason=str(data.get("reason") or ""),
                      via=str(data.get("via") or ""), outputs=outputs if isinstance(outputs, int) else None)


def ack_payload(request_id: str, cmd: str, done: str, *, via: str = "", **extra) -> bytes:
    """A ``control_ack`` event (what ``makerkit bridge`` sends for a tethered kit)."""
    data = {"id": request_id, "cmd": cmd, "done": done, **extra}
    if via:
        data["via"] = via
    return json.dumps({"v": 1, "event": ACK_EVENT, "data": data}, ensure_ascii=False).encode("utf-8")


def parse_control(payload: bytes) -> dict | None:
    """A valid control message as a dict (the schema's ``control`` definition; the kits check the
    same), else None."""
    if len(payload) > MAX_MESSAGE:
        return None
    try:
        return parse_message("control", payload)
    except TelemetryRejected:
        return None


__all__ = ["ACK_EVENT", "COMMANDS", "ControlAck", "MAX_TEXT", "ack_payload", "check_text", "control_payload",
           "control_topic", "new_request_id", "parse_ack", "parse_control"]
